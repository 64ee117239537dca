import { parseLambdaArn } from '../../runtime/async/dispatcher.ts';
import type { QueueService } from '../queues/service.ts';
import type { BusDelivery } from './backend.ts';
import { targetKind } from './targets.ts';

/** The sender EventBridge's deliveries carry (SQS `SenderId`). */
export const EVENTS_SENDER = 'events.amazonaws.com';

export interface SenderDeps {
  queues: QueueService;
  /** An async (Event) invocation: `AsyncDispatcher.enqueue`. */
  invoke: (fn: string, qualifier: string | undefined, payload: string) => Promise<unknown>;
  /** `TopicService.publishInternal`: false when the topic cannot take it. */
  publish: (topicArn: string, message: string) => Promise<boolean>;
  /** `BusService.forward`: false when the bus is gone. */
  forward: (busArn: string, event: string) => Promise<boolean>;
}

const queueName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Sends a delivery to its target by the target ARN's service; throws when it was not accepted. */
export function targetSender(deps: SenderDeps): (d: BusDelivery) => Promise<void> {
  return async (d) => {
    switch (targetKind(d.targetArn)) {
      case 'lambda': {
        const fn = parseLambdaArn(d.targetArn);
        if (!fn) throw new Error(`not a function ARN: ${d.targetArn}`);
        await deps.invoke(fn.name, fn.qualifier, d.payload);
        return;
      }
      case 'sqs': {
        const fifo = d.targetArn.endsWith('.fifo');
        await deps.queues.sendMessage(
          {
            QueueUrl: queueName(d.targetArn),
            MessageBody: d.payload,
            ...(fifo ? { MessageGroupId: d.messageGroupId, MessageDeduplicationId: d.id } : {}),
          },
          EVENTS_SENDER,
        );
        return;
      }
      case 'sns':
        if (!(await deps.publish(d.targetArn, d.payload)))
          throw new Error(`topic ${d.targetArn} cannot take it`);
        return;
      case 'events':
        if (!(await deps.forward(d.targetArn, d.event)))
          throw new Error(`event bus ${d.targetArn} does not exist`);
        return;
      default:
        throw new Error(`unsupported target ${d.targetArn}`);
    }
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
