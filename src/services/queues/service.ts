import type { Clock, TimerHandle } from '../../core/clock.ts';
import { intAttribute, parseRedrivePolicy, type QueueAttributes, SETTABLE } from './attributes.ts';
import type { NewMessage, QueueBackend, QueueRecord, StoredMessage } from './backend.ts';
import { QueueCatalog } from './catalog.ts';
import { QueueError } from './errors.ts';
import { batchEntries, type Input, int, list, missing, type Output, str } from './input.ts';
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

const DEDUP_WINDOW_MS = 5 * 60_000;
/** Longest a waiting receive goes without looking at its queue again. */
const RECHECK_MS = 1000;

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
  readonly catalog: QueueCatalog;
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Bumped by every change that may make messages receivable, per queue (no lost wake-ups). */
  private readonly changes = new Map<string, number>();
  private readonly moves: MoveTasks;
  private sweeper: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly backend: QueueBackend,
    private readonly clock: Clock,
    readonly opts: QueueServiceOptions,
  ) {
    this.catalog = new QueueCatalog({ backend, clock, opts, notify: (queue) => this.notify(queue) });
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

  // --- Queues (catalog.ts) -----------------------------------------------------------------

  arnOf(name: string): string {
    return this.catalog.arnOf(name);
  }
  urlOf(name: string): string {
    return this.catalog.urlOf(name);
  }
  ensureQueue(name: string, attributes: QueueAttributes): Promise<'created' | 'updated' | 'unchanged'> {
    return this.catalog.ensureQueue(name, attributes);
  }
  exists(name: string): Promise<boolean> {
    return this.catalog.exists(name);
  }
  queueFromUrl(url: string | undefined): Promise<QueueRecord> {
    return this.catalog.queueFromUrl(url);
  }
  private queue(name: string): Promise<QueueRecord> {
    return this.catalog.queue(name);
  }
  private queueNameFromArn(arn: string): string {
    return this.catalog.queueNameFromArn(arn);
  }
  createQueue = (input: Input) => this.catalog.createQueue(input);
  getQueueUrl = (input: Input) => this.catalog.getQueueUrl(input);
  listQueues = (input: Input) => this.catalog.listQueues(input);
  deleteQueue = (input: Input) => this.catalog.deleteQueue(input);
  purgeQueue = (input: Input) => this.catalog.purgeQueue(input);
  getQueueAttributes = (input: Input) => this.catalog.getQueueAttributes(input);
  setQueueAttributes = (input: Input) => this.catalog.setQueueAttributes(input);
  tagQueue = (input: Input) => this.catalog.tagQueue(input);
  untagQueue = (input: Input) => this.catalog.untagQueue(input);
  listQueueTags = (input: Input) => this.catalog.listQueueTags(input);

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

  async sendMessageBatch(input: Input, sender: string): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const entries = batchEntries(input, 'Entries');
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
    const entries = batchEntries(input, 'Entries');
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
    const entries = batchEntries(input, 'Entries');
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
