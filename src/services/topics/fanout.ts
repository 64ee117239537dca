import { randomUUID } from 'node:crypto';
import { traceAttribute } from '../hop-trace.ts';
import type { QueueRecord } from '../queues/backend.ts';
import { QueueError } from '../queues/errors.ts';
import type { QueueService } from '../queues/service.ts';
import type { OutboxEntry, QueueWrite, SubscriptionRecord } from './backend.ts';
import { type HttpDelivery, type Notice, NoticeRenderer, snsHeaders } from './envelope.ts';
import { attributeLookup, bodyLookup, parseBodyForFilter } from './filter-lookups.ts';
import type { FilterLookup, FilterPolicy } from './filter-policy.ts';
import { messageFor, type Publication, type SnsAttribute } from './message.ts';
import type { MessageSigner } from './signing.ts';

/** The SenderId that queue messages from topics carry. */
export const SNS_SENDER = 'sns.amazonaws.com';

/** A subscription as publishes use it: its record with what matching and delivery need, worked out once. */
export interface LiveSubscription {
  record: SubscriptionRecord;
  arn: string;
  filter: FilterPolicy | undefined;
  raw: boolean;
  /** sqs: the queue's name. */
  queue?: string;
  /** The RedrivePolicy's dead-letter queue. */
  deadLetterQueue?: string;
  /** lambda: the function and qualifier. */
  fn?: { name: string; qualifier: string | undefined };
}

/** A queue subscriber's outbox payload, when queue messages cannot be written in the publish's transaction. */
export interface QueueDelivery {
  queue: string;
  input: Record<string, unknown>;
  /** The notification JSON, for the dead-letter queue. */
  deadLetterBody: string;
  messageId: string;
}

/** A function subscriber's outbox payload. */
export interface LambdaDelivery {
  function: string;
  qualifier: string | undefined;
  event: string;
}

/** Lazily-built filter views of one publication: attributes once, the body once per protocol. */
export class FilterView {
  private attrs: FilterLookup | undefined;
  private readonly bodies = new Map<string, FilterLookup>();
  constructor(private readonly pub: Publication) {}

  matches(s: LiveSubscription): boolean {
    const f = s.filter;
    if (!f) return true;
    if (f.scope === 'MessageAttributes') {
      this.attrs ??= attributeLookup(this.pub.attributes);
      return f.matches(this.attrs);
    }
    const message = messageFor(this.pub, s.record.protocol);
    let lookup = this.bodies.get(message);
    if (!lookup) {
      lookup = bodyLookup(parseBodyForFilter(message));
      this.bodies.set(message, lookup);
    }
    return f.matches(lookup);
  }
}

/** SNS attributes as SQS message attributes (raw delivery). */
function sqsAttributes(attrs: Readonly<Record<string, SnsAttribute>>): Record<string, unknown> | undefined {
  const names = Object.keys(attrs);
  if (names.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of names) out[k] = { ...attrs[k] };
  return out;
}

export interface FanoutContext {
  queues: QueueService;
  signer: MessageSigner;
  endpoint: string;
  now: number;
  /** Queue records looked up before the transaction (undefined: no such queue). */
  queueRecords: ReadonlyMap<string, QueueRecord | undefined>;
  /** False when the queues live in another database: queue deliveries then go through the outbox. */
  queuesInTransaction: boolean;
  warn: (message: string, details: Record<string, unknown>) => void;
  /**
   * A traced publish (`TopicTracer` bound to its topic and header): queue messages get a span's
   * header as `AWSTraceHeader`; outbox entries keep the header for the deliverer.
   */
  trace?: { sent(): string | undefined; keep(entryId: string): void };
}

/**
 * Builds one publication's deliveries to its matched subscriptions: queue messages (validated by
 * the queue service, synchronously: this runs inside the publish's transaction) and outbox
 * entries for functions and HTTP endpoints. A message a queue refuses (the queue is gone, or it
 * does not fit) goes to the subscription's dead-letter queue, or is dropped with a warning: SNS
 * does not retry client-side errors.
 */
export function buildDeliveries(
  notice: Notice,
  matched: readonly LiveSubscription[],
  ctx: FanoutContext,
): { queues: QueueWrite[]; outbox: OutboxEntry[]; queued: number; refused: number } {
  const render = new NoticeRenderer(notice, ctx.signer, ctx.endpoint);
  const pub = notice.publication;
  const queues: QueueWrite[] = [];
  const outbox: OutboxEntry[] = [];
  // Queue messages written in the publish's transaction, and queues that refused theirs (metrics).
  let queued = 0;
  let refused = 0;
  const entry = (s: LiveSubscription, kind: OutboxEntry['kind'], payload: unknown): OutboxEntry => {
    const id = randomUUID();
    ctx.trace?.keep(id);
    return {
      id,
      subscription: s.record.id,
      kind,
      payload: JSON.stringify(payload),
      createdAt: ctx.now,
      dueAt: ctx.now,
      attempts: 0,
    };
  };
  for (const s of matched) {
    const protocol = s.record.protocol;
    if (protocol === 'sqs') {
      const body = s.raw ? messageFor(pub, 'sqs') : render.envelope('sqs', s.arn);
      const input: Record<string, unknown> = {
        MessageBody: body,
        MessageAttributes: s.raw ? sqsAttributes(pub.attributes) : undefined,
      };
      if (!ctx.queuesInTransaction) {
        if (s.queue!.endsWith('.fifo')) {
          input.MessageGroupId = pub.groupId;
          input.MessageDeduplicationId = pub.dedupId;
        }
        const payload: QueueDelivery = {
          queue: s.queue!,
          input,
          deadLetterBody: render.envelope('sqs', s.arn),
          messageId: notice.messageId,
        };
        outbox.push(entry(s, 'sqs', payload));
        continue;
      }
      const header = ctx.trace?.sent();
      if (header !== undefined) input.MessageSystemAttributes = traceAttribute(header);
      try {
        queues.push(toQueue(ctx, s.queue!, input, pub));
        queued++;
      } catch (e) {
        if (!(e instanceof QueueError)) throw e;
        refused++;
        const dead = deadLetter(ctx, s, render.envelope('sqs', s.arn), pub, notice.messageId, e);
        if (dead) queues.push(dead);
      }
    } else if (protocol === 'lambda') {
      const payload: LambdaDelivery = {
        function: s.fn!.name,
        qualifier: s.fn!.qualifier,
        event: render.lambdaEvent(s.arn),
      };
      outbox.push(entry(s, 'lambda', payload));
    } else {
      const headers = snsHeaders('Notification', notice.messageId, notice.topicArn, s.arn);
      if (s.raw) headers['x-amz-sns-rawdelivery'] = 'true';
      const payload: HttpDelivery = {
        url: s.record.endpoint,
        type: 'Notification',
        headers,
        body: s.raw ? messageFor(pub, protocol) : render.envelope(protocol, s.arn),
      };
      outbox.push(entry(s, 'http', payload));
    }
  }
  return { queues, outbox, queued, refused };
}

function toQueue(
  ctx: FanoutContext,
  name: string,
  input: Record<string, unknown>,
  pub: Publication,
): QueueWrite {
  const q = ctx.queueRecords.get(name);
  if (!q) throw new QueueError('QueueDoesNotExist', `The queue ${name} does not exist.`);
  // A FIFO queue keeps the publish's group and deduplication id; a standard queue takes neither.
  if (q.fifo) {
    input.MessageGroupId = pub.groupId;
    input.MessageDeduplicationId = pub.dedupId;
  }
  const p = ctx.queues.prepareMessage(q, input, SNS_SENDER, ctx.now);
  return { queue: q.name, message: p.message, dedup: p.dedup };
}

/**
 * The dead-letter message for a delivery that failed for good: the notification JSON, with the
 * error in the message attributes `ErrorCode` and `ErrorMessage` (and `RequestID`).
 */
export function deadLetterInput(
  body: string,
  requestId: string,
  error: { code: string; message: string },
): Record<string, unknown> {
  return {
    MessageBody: body,
    MessageAttributes: {
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'String', StringValue: error.code },
      ErrorMessage: { DataType: 'String', StringValue: error.message.slice(0, 1024) || 'delivery failed' },
    },
  };
}

function deadLetter(
  ctx: FanoutContext,
  s: LiveSubscription,
  body: string,
  pub: Publication,
  messageId: string,
  error: QueueError,
): QueueWrite | undefined {
  if (s.deadLetterQueue) {
    try {
      return toQueue(ctx, s.deadLetterQueue, deadLetterInput(body, messageId, error), pub);
    } catch (e) {
      if (!(e instanceof QueueError)) throw e;
      ctx.warn('topic delivery dropped: its dead-letter queue refused it too', {
        subscription: s.arn,
        messageId,
        error: e.message,
      });
      return undefined;
    }
  }
  ctx.warn('topic delivery dropped: the queue refused it and the subscription has no dead-letter queue', {
    subscription: s.arn,
    messageId,
    error: error.message,
  });
  return undefined;
}
