import type { Clock, TimerHandle } from '../../core/clock.ts';
import {
  effectiveAttributes,
  intAttribute,
  parseRedrivePolicy,
  type QueueAttributes,
  READ_ONLY,
  SETTABLE,
  validateAttributes,
} from './attributes.ts';
import type { NewMessage, QueueBackend, QueueRecord, StoredMessage } from './backend.ts';
import { QueueError } from './errors.ts';
import { type Input, int, invalidParam, list, map, missing, type Output, str } from './input.ts';
import { prepare, view } from './messages.ts';
import { MoveTasks } from './move-tasks.ts';
import { decodeReceipt, nonces, seqString } from './receipts.ts';

export interface QueueServiceOptions {
  accountId: string;
  region: string;
  /** Base of queue URLs: `http://host:port`. */
  endpoint: () => string;
}

export type { Input, Output } from './input.ts';

const NAME_RE = /^[a-zA-Z0-9_-]{1,80}$/;
const FIFO_NAME_RE = /^[a-zA-Z0-9_-]{1,75}\.fifo$/;
const BATCH_ID_RE = /^[a-zA-Z0-9_-]{1,80}$/;
const DEDUP_WINDOW_MS = 5 * 60_000;
/** Longest a waiting receive goes without looking at its queue again. */
const RECHECK_MS = 1000;
const PURGE_INTERVAL_MS = 60_000;

interface Waiter {
  wake: () => void;
}

/**
 * SQS's semantics over a QueueBackend: queue lifecycle and attributes, message validation and
 * digests, FIFO groups and deduplication, visibility, long polling, dead-letter redrive and
 * retention. Operations take and return SQS's JSON shapes (the query adapter translates). Time
 * comes from the injected clock.
 */
export class QueueService {
  private readonly cache = new Map<string, QueueRecord>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Bumped by every change that may make messages receivable, per queue (no lost wake-ups). */
  private readonly changes = new Map<string, number>();
  private readonly moves: MoveTasks;
  private readonly lastPurge = new Map<string, number>();
  private sweeper: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly backend: QueueBackend,
    private readonly clock: Clock,
    private readonly opts: QueueServiceOptions,
  ) {
    this.moves = new MoveTasks({
      backend,
      clock,
      queue: (name) => this.queue(name),
      dedup: (q) => this.dedup(q),
      notify: (queue) => this.notify(queue),
    });
  }

  /** Starts the retention sweeper (once a minute). */
  start(): void {
    const tick = () => {
      void this.sweep().finally(() => {
        this.sweeper = this.clock.setTimer(60_000, tick);
      });
    };
    this.sweeper = this.clock.setTimer(60_000, tick);
  }

  close(): void {
    this.closed = true;
    this.sweeper?.cancel();
    for (const set of this.waiters.values()) for (const w of set) w.wake();
  }

  /** Deletes messages older than their queue's retention period. */
  async sweep(): Promise<number> {
    let n = 0;
    for (const q of await this.backend.listQueues())
      n += await this.backend.expire(
        q.name,
        this.clock.now() - intAttribute(q.attributes, 'MessageRetentionPeriod') * 1000,
      );
    return n;
  }

  // --- Names, URLs and ARNs ------------------------------------------------------------------

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  urlOf(name: string): string {
    return `${this.opts.endpoint()}/${this.opts.accountId}/${name}`;
  }

  /** For deploys: creates the queue, or sets the attributes that differ from `attributes`. */
  async ensureQueue(name: string, attributes: QueueAttributes): Promise<'created' | 'updated' | 'unchanged'> {
    if (!(await this.exists(name))) {
      await this.createQueue({ QueueName: name, Attributes: attributes });
      return 'created';
    }
    const q = await this.queue(name);
    const { FifoQueue: _f, ...wanted } = attributes;
    const have = effectiveAttributes(q.attributes, q.fifo);
    const changed = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => have[k] !== v));
    // A dead-letter queue the manifest no longer names is dropped.
    if (!('RedrivePolicy' in wanted) && q.attributes.RedrivePolicy) changed.RedrivePolicy = '';
    if (Object.keys(changed).length === 0) return 'unchanged';
    await this.setQueueAttributes({ QueueUrl: name, Attributes: changed });
    return 'updated';
  }

  /** Whether a queue exists (by name). */
  async exists(name: string): Promise<boolean> {
    try {
      await this.queue(name);
      return true;
    } catch {
      return false;
    }
  }

  /** The queue a QueueUrl (or a bare name) names. */
  async queueFromUrl(url: string | undefined): Promise<QueueRecord> {
    if (!url) throw missing('QueueUrl');
    const name = url.includes('/') ? url.slice(url.lastIndexOf('/') + 1) : url;
    return this.queue(name);
  }

  private async queue(name: string): Promise<QueueRecord> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const rec = await this.backend.getQueue(name);
    if (!rec) throw new QueueError('QueueDoesNotExist', 'The specified queue does not exist.');
    this.cache.set(name, rec);
    return rec;
  }

  private queueNameFromArn(arn: string): string {
    return arn.slice(arn.lastIndexOf(':') + 1);
  }

  // --- Queues ------------------------------------------------------------------------------

  async createQueue(input: Input): Promise<Output> {
    const name = str(input, 'QueueName', true);
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? FIFO_NAME_RE : NAME_RE).test(name))
      throw invalidParam(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. A FIFO queue name must end with the .fifo suffix.',
      );
    const raw = map(input, 'Attributes') as QueueAttributes;
    if (raw.FifoQueue !== undefined && String(raw.FifoQueue).toLowerCase() === 'true' && !fifo)
      throw invalidParam(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.',
      );
    if (fifo && raw.FifoQueue !== undefined && String(raw.FifoQueue).toLowerCase() !== 'true')
      throw invalidParam('A queue whose name ends in .fifo must be a FIFO queue (FifoQueue=true).');
    const attributes = validateAttributes(raw, fifo, true);
    delete attributes.FifoQueue;
    await this.checkRedrive(attributes, fifo);
    const tags = map(input, 'tags') as Record<string, string>;
    const now = this.clock.now();
    const out = await this.backend.createQueue({
      name,
      fifo,
      attributes,
      tags,
      createdAt: now,
      lastModified: now,
    });
    if (!out.created) {
      // CreateQueue is idempotent, unless an attribute differs.
      const have = effectiveAttributes(out.record.attributes, fifo);
      const want = effectiveAttributes(attributes, fifo);
      for (const [k, v] of Object.entries(want))
        if (k in attributes && have[k] !== v)
          throw new QueueError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${k}`,
          );
    } else this.cache.set(name, out.record);
    return { QueueUrl: this.urlOf(name) };
  }

  private async checkRedrive(attributes: QueueAttributes, fifo: boolean): Promise<void> {
    if (!attributes.RedrivePolicy) return;
    const p = parseRedrivePolicy(attributes.RedrivePolicy);
    const dlq = await this.backend.getQueue(this.queueNameFromArn(p.deadLetterTargetArn));
    if (!dlq)
      throw new QueueError(
        'InvalidAttributeValue',
        `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      );
    if (dlq.fifo !== fifo)
      throw new QueueError(
        'InvalidAttributeValue',
        `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be the same type of queue as the source.`,
      );
  }

  async getQueueUrl(input: Input): Promise<Output> {
    const q = await this.queue(str(input, 'QueueName', true));
    return { QueueUrl: this.urlOf(q.name) };
  }

  async listQueues(input: Input): Promise<Output> {
    const prefix = str(input, 'QueueNamePrefix') ?? '';
    const max = int(input, 'MaxResults', 1, 1000);
    const token = str(input, 'NextToken');
    let names = (await this.backend.listQueues()).map((q) => q.name).filter((n) => n.startsWith(prefix));
    if (token) names = names.filter((n) => n > Buffer.from(token, 'base64url').toString());
    const page = max === undefined ? names.slice(0, 1000) : names.slice(0, max);
    const out: Output = { QueueUrls: page.map((n) => this.urlOf(n)) };
    if (max !== undefined && names.length > max)
      out.NextToken = Buffer.from(page.at(-1)!).toString('base64url');
    return out;
  }

  async deleteQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    await this.backend.deleteQueue(q.name);
    this.cache.delete(q.name);
    this.notify(q.name);
    return {};
  }

  async purgeQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const last = this.lastPurge.get(q.name);
    const now = this.clock.now();
    if (last !== undefined && now - last < PURGE_INTERVAL_MS)
      throw new QueueError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`,
      );
    this.lastPurge.set(q.name, now);
    await this.backend.purge(q.name);
    return {};
  }

  async getQueueAttributes(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const names = list(input, 'AttributeNames').map(String);
    const all = names.length === 0 ? [] : names.includes('All') ? undefined : names;
    const known = new Set([
      ...Object.keys(effectiveAttributes({}, true)),
      ...READ_ONLY,
      'FifoQueue',
      'Policy',
      'RedrivePolicy',
      'RedriveAllowPolicy',
      'KmsMasterKeyId',
      'SqsManagedSseEnabled',
    ]);
    for (const n of all ?? [])
      if (!known.has(n)) throw new QueueError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    const counts = await this.backend.counts(q.name, this.clock.now());
    const values: Record<string, string> = {
      ...effectiveAttributes(q.attributes, q.fifo),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.lastModified / 1000)),
      QueueArn: this.arnOf(q.name),
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (all === undefined || all.includes(k)) out[k] = v;
    return Object.keys(out).length > 0 ? { Attributes: out } : {};
  }

  async setQueueAttributes(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const attributes = validateAttributes(map(input, 'Attributes') as QueueAttributes, q.fifo, false);
    await this.checkRedrive(attributes, q.fifo);
    const merged = { ...q.attributes, ...attributes };
    for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
    const rec = { ...q, attributes: merged, lastModified: this.clock.now() };
    await this.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async tagQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const tags = { ...q.tags, ...(map(input, 'Tags') as Record<string, string>) };
    if (Object.keys(tags).length > 50) throw invalidParam('Too many tags: a queue has at most 50.');
    const rec = { ...q, tags };
    await this.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async untagQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const tags = { ...q.tags };
    for (const k of list(input, 'TagKeys')) delete tags[String(k)];
    const rec = { ...q, tags };
    await this.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async listQueueTags(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
  }

  // --- Messages ------------------------------------------------------------------------------

  async sendMessage(input: Input, sender: string): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const now = this.clock.now();
    const { msg, reply } = prepare(q, input, sender, now);
    const [sent] = await this.backend.send(q.name, [msg], now, this.dedup(q));
    this.notify(q.name);
    return { ...reply, MessageId: sent!.id, ...(q.fifo ? { SequenceNumber: seqString(sent!.seq) } : {}) };
  }

  // --- Dead-letter redrive (message move tasks: move-tasks.ts) -------------------------------

  startMessageMoveTask(input: Input): Promise<Output> {
    return this.moves.startMessageMoveTask(input);
  }

  listMessageMoveTasks(input: Input): Promise<Output> {
    return this.moves.listMessageMoveTasks(input);
  }

  cancelMessageMoveTask(input: Input): Promise<Output> {
    return this.moves.cancelMessageMoveTask(input);
  }

  // --- For producers in this process (topics) ------------------------------------------------

  /** The queue with this name, if there is one. */
  async findQueue(name: string): Promise<QueueRecord | undefined> {
    try {
      return await this.queue(name);
    } catch (e) {
      if (e instanceof QueueError && e.code === 'QueueDoesNotExist') return undefined;
      throw e;
    }
  }

  /**
   * Checks a SendMessage input against a queue and returns the message ready to store, with the
   * queue's deduplication settings; throws QueueError when it does not fit. Synchronous: topics
   * call it inside their publish transaction, which writes to several queues at once
   * (`TopicBackend.publish`); they call `messagesArrived` after it commits.
   */
  prepareMessage(
    q: QueueRecord,
    input: Input,
    sender: string,
    now: number,
  ): { message: NewMessage; dedup: { windowMs: number; perGroup: boolean } | null } {
    return { message: prepare(q, input, sender, now).msg, dedup: this.dedup(q) };
  }

  /** Wakes the long polls of a queue that got messages through another service's transaction. */
  messagesArrived(queue: string): void {
    this.notify(queue);
  }

  private dedup(q: QueueRecord): { windowMs: number; perGroup: boolean } | null {
    return q.fifo
      ? { windowMs: DEDUP_WINDOW_MS, perGroup: q.attributes.DeduplicationScope === 'messageGroup' }
      : null;
  }

  /** Checks a batch's entries: 1–10, distinct valid ids. */
  private batch(input: Input, key: string): Input[] {
    const entries = list(input, key);
    if (entries.length === 0)
      throw new QueueError(
        'EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.'.replace(
          'SendMessageBatchRequestEntry',
          key.replace('Entries', 'RequestEntry'),
        ),
      );
    if (entries.length > 10)
      throw new QueueError(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    const ids = new Set<string>();
    for (const e of entries) {
      const id = (e as Input | null)?.Id;
      if (typeof id !== 'string' || !BATCH_ID_RE.test(id))
        throw new QueueError(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      if (ids.has(id)) throw new QueueError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      ids.add(id);
    }
    return entries as Input[];
  }

  async sendMessageBatch(input: Input, sender: string): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const entries = this.batch(input, 'Entries');
    const now = this.clock.now();
    const ok: { id: string; msg: NewMessage; reply: Output }[] = [];
    const failed: Output[] = [];
    let total = 0;
    for (const e of entries) {
      try {
        const p = prepare(q, e, sender, now);
        total += p.size;
        ok.push({ id: e.Id as string, msg: p.msg, reply: p.reply });
      } catch (err) {
        if (!(err instanceof QueueError)) throw err;
        // A refused entry still counts towards the size of the request.
        if (typeof e.MessageBody === 'string') total += Buffer.byteLength(e.MessageBody);
        failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    // Bodies and attributes of all entries together, against SQS's own limit rather than the
    // queue's MaximumMessageSize, as SQS does (test/compat/sqs-bad-input.test.ts).
    const max = SETTABLE.MaximumMessageSize!.max!;
    if (total > max)
      throw new QueueError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${max} bytes. You have sent ${total} bytes.`,
      );
    const sent =
      ok.length > 0
        ? await this.backend.send(
            q.name,
            ok.map((o) => o.msg),
            now,
            this.dedup(q),
          )
        : [];
    if (ok.length > 0) this.notify(q.name);
    return {
      Successful: ok.map((o, i) => ({
        Id: o.id,
        MessageId: sent[i]!.id,
        ...o.reply,
        ...(q.fifo ? { SequenceNumber: seqString(sent[i]!.seq) } : {}),
      })),
      Failed: failed,
    };
  }

  async receiveMessage(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const max = int(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibility =
      int(input, 'VisibilityTimeout', 0, 43_200) ?? intAttribute(q.attributes, 'VisibilityTimeout');
    const wait =
      int(input, 'WaitTimeSeconds', 0, 20) ?? intAttribute(q.attributes, 'ReceiveMessageWaitTimeSeconds');
    const systemNames = [...list(input, 'AttributeNames'), ...list(input, 'MessageSystemAttributeNames')].map(
      String,
    );
    const attrNames = list(input, 'MessageAttributeNames').map(String);
    const deadline = this.clock.now() + wait * 1000;
    for (;;) {
      const seen = this.changes.get(q.name) ?? 0;
      const got = await this.take(q, max, visibility);
      if (got.length > 0) {
        const ctx = { now: this.clock.now(), arnOf: (name: string) => this.arnOf(name) };
        return { Messages: got.map((m) => view(q, m, systemNames, attrNames, ctx)) };
      }
      // SQS answers an empty receive with no Messages member at all.
      if (this.clock.now() >= deadline || this.closed) return {};
      await this.waitForMessages(q.name, deadline, seen);
    }
  }

  private async take(q: QueueRecord, max: number, visibilitySeconds: number): Promise<StoredMessage[]> {
    let redrive: { deadLetterQueue: string; maxReceiveCount: number } | undefined;
    if (q.attributes.RedrivePolicy) {
      const p = parseRedrivePolicy(q.attributes.RedrivePolicy);
      redrive = {
        deadLetterQueue: this.queueNameFromArn(p.deadLetterTargetArn),
        maxReceiveCount: p.maxReceiveCount,
      };
    }
    const got = await this.backend.receive(q.name, {
      now: this.clock.now(),
      max,
      visibilityMs: visibilitySeconds * 1000,
      fifo: q.fifo,
      redrive,
      nonce: nonces(),
    });
    if (redrive) this.notify(redrive.deadLetterQueue);
    return got;
  }

  /** Waits until a message may have arrived (a send, or a hidden one coming due) or the deadline. */
  private async waitForMessages(queue: string, deadline: number, seen: number): Promise<void> {
    const next = await this.backend.nextVisible(queue, this.clock.now());
    // A send since the last look: look again at once.
    if ((this.changes.get(queue) ?? 0) !== seen) return;
    // Looks again at least every second whatever it was told: a change this node did not see
    // (another node, in a cluster) or missed is picked up within a second.
    const until = Math.min(deadline, next ?? deadline, this.clock.now() + RECHECK_MS);
    await new Promise<void>((resolve) => {
      let set = this.waiters.get(queue);
      if (!set) {
        set = new Set();
        this.waiters.set(queue, set);
      }
      const waiter: Waiter = {
        wake: () => {
          timer.cancel();
          set.delete(waiter);
          resolve();
        },
      };
      const timer = this.clock.setTimer(Math.max(0, until - this.clock.now()), () => waiter.wake());
      set.add(waiter);
    });
  }

  private notify(queue: string): void {
    this.changes.set(queue, (this.changes.get(queue) ?? 0) + 1);
    const set = this.waiters.get(queue);
    if (!set) return;
    for (const w of [...set]) w.wake();
  }

  async deleteMessage(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    await this.deleteOne(q, str(input, 'ReceiptHandle', true));
    return {};
  }

  private async deleteOne(q: QueueRecord, handle: string): Promise<void> {
    const r = decodeReceipt(handle, q.name);
    // A stale or spent handle succeeds without effect, as on SQS.
    await this.backend.deleteMessage(q.name, r.id, r.nonce);
  }

  async deleteMessageBatch(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const entries = this.batch(input, 'Entries');
    const ok: Output[] = [];
    const failed: Output[] = [];
    const valid: { entry: Input; id: string; nonce: string }[] = [];
    for (const e of entries) {
      try {
        valid.push({ entry: e, ...decodeReceipt(str(e, 'ReceiptHandle', true), q.name) });
      } catch (err) {
        if (!(err instanceof QueueError)) throw err;
        failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    // One transaction for the whole batch; a stale handle succeeds without effect, as on SQS.
    await this.backend.deleteMessages(q.name, valid);
    for (const v of valid) ok.push({ Id: v.entry.Id });
    return { Successful: ok, Failed: failed };
  }

  private async changeOne(q: QueueRecord, handle: string, timeout: number): Promise<void> {
    const r = decodeReceipt(handle, q.name);
    const now = this.clock.now();
    const out = await this.backend.changeVisibility(q.name, r.id, r.nonce, now + timeout * 1000, now);
    if (out === 'not-inflight')
      throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.');
    if (out === 'gone')
      throw new QueueError(
        'ReceiptHandleIsInvalid',
        `The receipt handle "${handle}" is not valid for this queue or has expired.`,
      );
    if (timeout === 0) this.notify(q.name);
  }

  async changeMessageVisibility(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const timeout = int(input, 'VisibilityTimeout', 0, 43_200);
    if (timeout === undefined) throw missing('VisibilityTimeout');
    await this.changeOne(q, str(input, 'ReceiptHandle', true), timeout);
    return {};
  }

  async changeMessageVisibilityBatch(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const entries = this.batch(input, 'Entries');
    const ok: Output[] = [];
    const failed: Output[] = [];
    for (const e of entries) {
      try {
        const timeout = int(e, 'VisibilityTimeout', 0, 43_200);
        if (timeout === undefined) throw missing('VisibilityTimeout');
        await this.changeOne(q, str(e, 'ReceiptHandle', true), timeout);
        ok.push({ Id: e.Id });
      } catch (err) {
        if (!(err instanceof QueueError)) throw err;
        failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    return { Successful: ok, Failed: failed };
  }
}
