import { randomUUID } from 'node:crypto';
import type { QueueRecord } from '../queues/backend.ts';
import type { PublishOutcome, TopicRecord } from './backend.ts';
import type { Notice } from './envelope.ts';
import { invalidParameter, TopicError } from './errors.ts';
import { buildDeliveries, FilterView, type LiveSubscription } from './fanout.ts';
import { list, str } from './input.ts';
import { checkPublication, type Input, MAX_MESSAGE_BYTES, type Output, type Publication } from './message.ts';
import type { TopicServiceDeps } from './service.ts';

const BATCH_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;
const DEDUP_WINDOW_MS = 5 * 60_000;

export const seqString = (seq: number) => String(seq).padStart(20, '0');

export function topicRules(t: TopicRecord): { fifo: boolean; contentBasedDedup: boolean } {
  return { fifo: t.fifo, contentBasedDedup: t.attributes.ContentBasedDeduplication === 'true' };
}

/**
 * Publish and PublishBatch for the topic service: checks each message, matches it against the
 * topic's confirmed subscriptions, and stores it with every delivery in one transaction
 * (`TopicBackend.publish`): queue messages straight into the queues (or into the outbox, when the
 * queues live in another database), function and HTTP/S deliveries into the outbox.
 */
export class Publisher {
  constructor(
    private readonly deps: TopicServiceDeps,
    private readonly topicFromArn: (arn: string | undefined) => Promise<TopicRecord>,
    private readonly live: (topic: string) => Promise<LiveSubscription[]>,
    private readonly arnOf: (name: string) => string,
  ) {}

  /** `trace`: the caller's X-Amzn-Trace-Id, which every delivery continues (README, "Traces"). */
  async publish(input: Input, trace?: string): Promise<Output> {
    if (input.PhoneNumber !== undefined)
      throw invalidParameter('PhoneNumber Reason: Baton does not send SMS');
    const arn = str(input, 'TopicArn') ?? str(input, 'TargetArn');
    const topic = await this.topicFromArn(arn ?? str(input, 'TopicArn', true));
    const pub = checkPublication(input, topicRules(topic));
    const [out] = await this.publishAll(topic, [pub], trace);
    return { MessageId: out!.messageId, SequenceNumber: topic.fifo ? seqString(out!.seq) : undefined };
  }

  async publishBatch(input: Input, trace?: string): Promise<Output> {
    const topic = await this.topicFromArn(str(input, 'TopicArn', true));
    const entries = list(input, 'PublishBatchRequestEntries') as Input[];
    if (entries.length === 0)
      throw new TopicError('EmptyBatchRequest', 'The batch request does not contain any entries');
    if (entries.length > 10)
      throw new TopicError(
        'TooManyEntriesInBatchRequest',
        'The batch request contains more entries than permissible',
      );
    const ids = new Set<string>();
    let total = 0;
    for (const e of entries) {
      const id = e?.Id;
      if (typeof id !== 'string' || !BATCH_ID_RE.test(id))
        throw new TopicError(
          'InvalidBatchEntryId',
          'The Id of a batch entry in a batch request does not abide by the specification',
        );
      if (ids.has(id))
        throw new TopicError(
          'BatchEntryIdsNotDistinct',
          'Two or more batch entries in the request have the same Id',
        );
      ids.add(id);
      if (typeof e.Message === 'string') total += Buffer.byteLength(e.Message);
    }
    if (total > MAX_MESSAGE_BYTES)
      throw new TopicError(
        'BatchRequestTooLong',
        'The length of all the messages put together is more than the limit',
      );
    const ok: { id: string; pub: Publication }[] = [];
    const failed: Output[] = [];
    for (const e of entries) {
      try {
        ok.push({ id: e.Id as string, pub: checkPublication(e, topicRules(topic)) });
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        failed.push({ Id: e.Id, Code: err.code, Message: err.message, SenderFault: true });
      }
    }
    const outs =
      ok.length > 0
        ? await this.publishAll(
            topic,
            ok.map((o) => o.pub),
            trace,
          )
        : [];
    return {
      Successful: ok.map((o, i) => ({
        Id: o.id,
        MessageId: outs[i]!.messageId,
        SequenceNumber: topic.fifo ? seqString(outs[i]!.seq) : undefined,
      })),
      Failed: failed,
    };
  }

  /**
   * Stores publications with all their deliveries in one transaction: matching happens here, the
   * queues involved are looked up, and the deliveries are built inside the transaction once each
   * message's sequence number is known.
   */
  async publishAll(topic: TopicRecord, pubs: Publication[], trace?: string): Promise<PublishOutcome[]> {
    const subs = (await this.live(topic.name)).filter((s) => s.record.confirmed);
    const matched = pubs.map((pub) => {
      const view = new FilterView(pub);
      return subs.filter((s) => view.matches(s));
    });
    const queueRecords = new Map<string, QueueRecord | undefined>();
    if (this.deps.queuesInTransaction)
      for (const list of matched)
        for (const s of list)
          for (const q of [s.queue, s.deadLetterQueue])
            if (q !== undefined && !queueRecords.has(q))
              queueRecords.set(q, await this.deps.queues.findQueue(q));
    const now = this.deps.clock.now();
    const timestamp = new Date(now).toISOString();
    const topicArn = this.arnOf(topic.name);
    const endpoint = this.deps.endpoint();
    const signatureVersion = topic.attributes.SignatureVersion || '1';
    const tracer = trace === undefined ? undefined : this.deps.trace;
    const traced = tracer && {
      sent: () => tracer.sent(topic.name, 'sqs', trace!),
      keep: (id: string) => tracer.keep(id, trace!),
    };
    let outbox = 0;
    let queued = 0;
    let refused = 0;
    const outcomes = await this.deps.backend.publish(
      pubs.map((pub, i) => {
        const messageId = randomUUID();
        return {
          topic: topic.name,
          messageId,
          dedup: topic.fifo ? { id: pub.dedupId!, windowMs: DEDUP_WINDOW_MS } : null,
          deliveries: (seq) => {
            const notice: Notice = {
              topicArn,
              messageId,
              sequenceNumber: topic.fifo ? seqString(seq) : undefined,
              timestamp,
              publication: pub,
              signatureVersion,
            };
            const d = buildDeliveries(notice, matched[i]!, {
              queues: this.deps.queues,
              signer: this.deps.signer,
              endpoint,
              now,
              queueRecords,
              queuesInTransaction: this.deps.queuesInTransaction,
              warn: this.deps.warn,
              trace: traced,
            });
            outbox += d.outbox.length;
            queued += d.queued;
            refused += d.refused;
            return d;
          },
        };
      }),
      now,
    );
    for (const q of new Set(outcomes.flatMap((o) => o.queues))) this.deps.queues.messagesArrived(q);
    if (queued > 0) this.deps.observe?.delivered(topic.name, 'sqs', queued);
    if (refused > 0) this.deps.observe?.failed(topic.name, 'sqs', refused);
    if (outbox > 0) this.deps.wake();
    return outcomes;
  }
}
