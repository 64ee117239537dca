import { type ArnSenderDeps, arnSender } from '../arn-sender.ts';
import { traceAttribute } from '../hop-trace.ts';
import type { QueueService } from '../queues/service.ts';
import type { BusDelivery } from './backend.ts';
import { targetKind } from './targets.ts';

/** The sender EventBridge's deliveries carry (SQS `SenderId`). */
export const EVENTS_SENDER = 'events.amazonaws.com';

const queueName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/**
 * Sends a delivery to its target, continuing `trace`; throws when it was not accepted. A bus
 * target gets the event itself.
 */
export function targetSender(deps: ArnSenderDeps): (d: BusDelivery, trace?: string) => Promise<void> {
  const send = arnSender(deps);
  return async (d, trace) => {
    const kind = targetKind(d.targetArn);
    if (kind === undefined) throw new Error(`unsupported target ${d.targetArn}`);
    const fifo = kind === 'sqs' && d.targetArn.endsWith('.fifo');
    const accepted = await send(d.targetArn, kind === 'events' ? d.event : d.payload, {
      sender: EVENTS_SENDER,
      ...(fifo ? { messageGroupId: d.messageGroupId, messageDeduplicationId: d.id } : {}),
      ...(trace !== undefined ? { trace } : {}),
    });
    if (!accepted) throw new Error(`target ${d.targetArn} cannot take the event`);
  };
}

/**
 * Sends a delivery that failed for good to its dead-letter queue, with EventBridge's attributes
 * and, when it was traced, its trace header as `AWSTraceHeader` (as EventBridge does:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-related-service-xray.html).
 */
export function deadLetterSender(
  queues: QueueService,
): (d: BusDelivery, reason: string, trace?: string) => Promise<void> {
  return async (d, reason, trace) => {
    const attr = (v: string) => ({ DataType: 'String', StringValue: v });
    await queues.sendMessage(
      {
        QueueUrl: queueName(d.deadLetterArn!),
        MessageBody: d.event,
        MessageAttributes: {
          RULE_ARN: attr(d.ruleArn),
          TARGET_ARN: attr(d.targetArn),
          ERROR_CODE: attr(reason === 'retries exhausted' ? 'RetriesExhausted' : 'MaximumEventAgeExceeded'),
          ERROR_MESSAGE: attr(d.lastError ?? reason),
        },
        ...(trace !== undefined ? { MessageSystemAttributes: traceAttribute(trace) } : {}),
      },
      EVENTS_SENDER,
    );
  };
}
