import { type ArnSenderDeps, arnSender } from '../arn-sender.ts';
import type { QueueService } from '../queues/service.ts';
import type { BusDelivery } from './backend.ts';
import { targetKind } from './targets.ts';

/** The sender EventBridge's deliveries carry (SQS `SenderId`). */
export const EVENTS_SENDER = 'events.amazonaws.com';

const queueName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Sends a delivery to its target; throws when it was not accepted. A bus target gets the event itself. */
export function targetSender(deps: ArnSenderDeps): (d: BusDelivery) => Promise<void> {
  const send = arnSender(deps);
  return async (d) => {
    const kind = targetKind(d.targetArn);
    if (kind === undefined) throw new Error(`unsupported target ${d.targetArn}`);
    const fifo = kind === 'sqs' && d.targetArn.endsWith('.fifo');
    const accepted = await send(d.targetArn, kind === 'events' ? d.event : d.payload, {
      sender: EVENTS_SENDER,
      ...(fifo ? { messageGroupId: d.messageGroupId, messageDeduplicationId: d.id } : {}),
    });
    if (!accepted) throw new Error(`target ${d.targetArn} cannot take the event`);
  };
}

/** Sends a delivery that failed for good to its dead-letter queue, with EventBridge's attributes. */
export function deadLetterSender(queues: QueueService): (d: BusDelivery, reason: string) => Promise<void> {
  return async (d, reason) => {
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
      },
      EVENTS_SENDER,
    );
  };
}
