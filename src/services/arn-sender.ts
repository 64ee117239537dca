import { parseLambdaArn } from '../runtime/async/dispatcher.ts';
import { traceAttribute } from './hop-trace.ts';
import type { QueueService } from './queues/service.ts';

export interface ArnSenderDeps {
  queues: QueueService;
  /** An async (Event) invocation: `AsyncDispatcher.enqueue`. */
  invoke: (fn: string, qualifier: string | undefined, payload: string, trace?: string) => Promise<unknown>;
  /** `TopicService.publishInternal`: false when the topic cannot take it. */
  publish: (topicArn: string, message: string, trace?: string) => Promise<boolean>;
  /** `BusService.forward`: false when the bus is gone (only where buses are targets). */
  forward?: (busArn: string, event: string, trace?: string) => Promise<boolean>;
}

export interface SendOptions {
  /** SQS `SenderId` of what is sent (`events.amazonaws.com`, `scheduler.amazonaws.com`…). */
  sender: string;
  /** For FIFO queues. */
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /**
   * The X-Amzn-Trace-Id the receiver continues: the invocation's parent, a message's
   * `AWSTraceHeader`, a publish's or a forwarded event's trace. Absent when untraced.
   */
  trace?: string;
}

/**
 * Hands a payload to whatever an ARN names: a function (async invoke), an SQS queue, an SNS
 * topic or an event bus. Async destinations, schedules and bus targets all deliver through it.
 * False when the ARN names nothing that can take the payload.
 */
export function arnSender(
  deps: ArnSenderDeps,
): (arn: string, payload: string, opts: SendOptions) => Promise<boolean> {
  return async (arn, payload, opts) => {
    const service = arn.split(':')[2];
    if (service === 'lambda') {
      const fn = parseLambdaArn(arn);
      if (!fn) return false;
      await deps.invoke(fn.name, fn.qualifier, payload, opts.trace);
      return true;
    }
    if (service === 'sqs') {
      await deps.queues.sendMessage(
        {
          QueueUrl: arn.slice(arn.lastIndexOf(':') + 1),
          MessageBody: payload,
          ...(opts.messageGroupId !== undefined ? { MessageGroupId: opts.messageGroupId } : {}),
          ...(opts.messageDeduplicationId !== undefined
            ? { MessageDeduplicationId: opts.messageDeduplicationId }
            : {}),
          ...(opts.trace !== undefined ? { MessageSystemAttributes: traceAttribute(opts.trace) } : {}),
        },
        opts.sender,
      );
      return true;
    }
    if (service === 'sns') return deps.publish(arn, payload, opts.trace);
    if (service === 'events' && deps.forward) return deps.forward(arn, payload, opts.trace);
    return false;
  };
}
