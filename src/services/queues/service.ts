import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
import { type MessageAttributeValue, md5OfAttributes, md5OfBody } from './md5.ts';

export interface QueueServiceOptions {
  accountId: string;
  region: string;
  /** Base of queue URLs: `http://host:port`. */
  endpoint: () => string;
}

/** What a message carries besides its body, stored as `meta` (binary values as base64). */
interface Meta {
  a?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  s?: Record<string, { DataType: string; StringValue?: string }>;
  mb: string;
  ma?: string;
  ms?: string;
  sender: string;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

const NAME_RE = /^[a-zA-Z0-9_-]{1,80}$/;
const FIFO_NAME_RE = /^[a-zA-Z0-9_-]{1,75}\.fifo$/;
const BATCH_ID_RE = /^[a-zA-Z0-9_-]{1,80}$/;
const ATTR_NAME_RE = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-zA-Z0-9_.-]{1,256}$/;
// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const BAD_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const DEDUP_WINDOW_MS = 5 * 60_000;
/** Longest a waiting receive goes without looking at its queue again. */
const RECHECK_MS = 1000;
const PURGE_INTERVAL_MS = 60_000;
const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

const missing = (name: string) =>
  new QueueError('MissingParameter', `The request must contain the parameter ${name}.`);
const invalidParam = (message: string) => new QueueError('InvalidParameterValue', message);

function str(input: Input, name: string, required: true): string;
function str(input: Input, name: string, required?: false): string | undefined;
function str(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v !== 'string')
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return v;
}

function int(input: Input, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw invalidParam(`Value ${String(v)} for parameter ${name} is invalid. Reason: must be an integer.`);
  if (n < min || n > max)
    throw invalidParam(
      `Value ${n} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`,
    );
  return n;
}

function list(input: Input, name: string): unknown[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  return v;
}

function map(input: Input, name: string): Record<string, unknown> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a map.`);
  return v as Record<string, unknown>;
}

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
  private readonly lastPurge = new Map<string, number>();
  private sweeper: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly backend: QueueBackend,
    private readonly clock: Clock,
    private readonly opts: QueueServiceOptions,
  ) {}

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

  private checkAttributes(
    raw: Record<string, unknown>,
    system: boolean,
  ): Record<string, MessageAttributeValue> {
    // No prototype: an attribute may be named `__proto__` (test/compat/sqs-bad-input.test.ts).
    const out: Record<string, MessageAttributeValue> = Object.create(null);
    const entries = Object.entries(raw);
    if (entries.length > 10)
      throw invalidParam(
        'Number of message attributes [' + entries.length + '] exceeds the allowed maximum [10].',
      );
    for (const [name, v] of entries) {
      if (!ATTR_NAME_RE.test(name) || /^(aws|amazon)\./i.test(name))
        throw invalidParam(`Message (user) attribute name '${name}' is invalid.`);
      if (system && name !== 'AWSTraceHeader')
        throw invalidParam(`Message system attribute name '${name}' is invalid.`);
      const a = v as { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown } | null;
      const type = a?.DataType;
      if (typeof type !== 'string' || !/^(String|Number|Binary)(\.[a-zA-Z0-9_.-]{1,})?$/.test(type))
        throw invalidParam(
          `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
        );
      if (type.startsWith('Binary')) {
        const bin = a?.BinaryValue;
        const buf =
          typeof bin === 'string'
            ? Buffer.from(bin, 'base64')
            : bin instanceof Uint8Array
              ? Buffer.from(bin)
              : undefined;
        if (!buf || buf.length === 0)
          throw invalidParam(
            `Message (user) attribute '${name}' must contain a non-empty value of type '${type}'.`,
          );
        out[name] = { DataType: type, BinaryValue: buf };
      } else {
        const s = a?.StringValue;
        if (typeof s !== 'string' || s.length === 0)
          throw invalidParam(
            `Message (user) attribute '${name}' must contain a non-empty value of type '${type}'.`,
          );
        if (BAD_CHARS.test(s))
          throw new QueueError(
            'InvalidMessageContents',
            `Message (user) attribute '${name}' contains invalid characters.`,
          );
        if (type.startsWith('Number') && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s))
          throw invalidParam(`Can't cast the value of message (user) attribute '${name}' to a number.`);
        out[name] = { DataType: type, StringValue: s };
      }
    }
    return out;
  }

  private attributesSize(attrs: Record<string, MessageAttributeValue>): number {
    let n = 0;
    for (const [k, v] of Object.entries(attrs))
      n +=
        Buffer.byteLength(k) +
        Buffer.byteLength(v.DataType) +
        (v.BinaryValue?.length ?? Buffer.byteLength(v.StringValue ?? ''));
    return n;
  }

  /** Validates one SendMessage (or batch entry) and turns it into a stored message. */
  private prepare(
    q: QueueRecord,
    e: Input,
    sender: string,
    now: number,
  ): { msg: NewMessage; reply: Output; size: number } {
    const body = str(e, 'MessageBody');
    if (body === undefined || body.length === 0) throw missing('MessageBody');
    if (BAD_CHARS.test(body))
      throw new QueueError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    const attrs = this.checkAttributes(map(e, 'MessageAttributes'), false);
    const sys = this.checkAttributes(map(e, 'MessageSystemAttributes'), true);
    const size = Buffer.byteLength(body) + this.attributesSize(attrs);
    const max = intAttribute(q.attributes, 'MaximumMessageSize');
    if (size > max)
      throw invalidParam(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    const delay = int(e, 'DelaySeconds', 0, 900);
    let groupId: string | null = null;
    let dedupId: string | null = null;
    if (q.fifo) {
      if (delay !== undefined && delay !== 0)
        throw invalidParam(
          `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      groupId = str(e, 'MessageGroupId') ?? null;
      if (!groupId) throw missing('MessageGroupId');
      if (!/^[\x21-\x7e]{1,128}$/.test(groupId))
        throw invalidParam('MessageGroupId is invalid: 1-128 printable ASCII characters.');
      dedupId = str(e, 'MessageDeduplicationId') ?? null;
      if (dedupId === null) {
        if (q.attributes.ContentBasedDeduplication !== 'true')
          throw invalidParam(
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        dedupId = createHash('sha256').update(body).digest('hex');
      } else if (!/^[\x21-\x7e]{1,128}$/.test(dedupId))
        throw invalidParam('MessageDeduplicationId is invalid: 1-128 printable ASCII characters.');
    } else if (e.MessageGroupId !== undefined || e.MessageDeduplicationId !== undefined) {
      throw invalidParam('The request include parameter that is not valid for this queue type.');
    }
    const delayMs = (delay ?? intAttribute(q.attributes, 'DelaySeconds')) * 1000;
    const meta: Meta = { mb: md5OfBody(body), sender };
    const reply: Output = { MD5OfMessageBody: meta.mb };
    if (Object.keys(attrs).length > 0) {
      meta.a = Object.fromEntries(
        Object.entries(attrs).map(([k, v]) => [
          k,
          v.BinaryValue
            ? { DataType: v.DataType, BinaryValue: v.BinaryValue.toString('base64') }
            : { DataType: v.DataType, StringValue: v.StringValue! },
        ]),
      );
      meta.ma = md5OfAttributes(attrs);
      reply.MD5OfMessageAttributes = meta.ma;
    }
    if (Object.keys(sys).length > 0) {
      meta.s = Object.fromEntries(
        Object.entries(sys).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue! }]),
      );
      meta.ms = md5OfAttributes(sys);
      reply.MD5OfMessageSystemAttributes = meta.ms;
    }
    const id = randomUUID();
    return {
      msg: { id, body, meta: JSON.stringify(meta), groupId, dedupId, visibleAt: now + delayMs },
      reply,
      size,
    };
  }

  async sendMessage(input: Input, sender: string): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const now = this.clock.now();
    const { msg, reply } = this.prepare(q, input, sender, now);
    const [sent] = await this.backend.send(q.name, [msg], now, this.dedup(q));
    this.notify(q.name);
    return { ...reply, MessageId: sent!.id, ...(q.fifo ? { SequenceNumber: seqString(sent!.seq) } : {}) };
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
    return { message: this.prepare(q, input, sender, now).msg, dedup: this.dedup(q) };
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
        const p = this.prepare(q, e, sender, now);
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
      if (got.length > 0) return { Messages: got.map((m) => this.view(q, m, systemNames, attrNames)) };
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

  private view(q: QueueRecord, m: StoredMessage, systemNames: string[], attrNames: string[]): Output {
    const meta = JSON.parse(m.meta) as Meta;
    const out: Output = {
      MessageId: m.id,
      ReceiptHandle: encodeReceipt(q.name, m.id, m.receipt),
      MD5OfBody: meta.mb,
      Body: m.body,
    };
    const wantAll = systemNames.includes('All');
    const sys: Record<string, string> = {
      SenderId: meta.sender,
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? this.clock.now()),
    };
    if (q.fifo) {
      sys.SequenceNumber = seqString(m.seq);
      if (m.dedupId) sys.MessageDeduplicationId = m.dedupId;
      if (m.groupId) sys.MessageGroupId = m.groupId;
    }
    if (meta.s?.AWSTraceHeader?.StringValue) sys.AWSTraceHeader = meta.s.AWSTraceHeader.StringValue;
    if (m.sourceQueue) sys.DeadLetterQueueSourceArn = this.arnOf(m.sourceQueue);
    const attributes: Record<string, string> = {};
    for (const k of SYSTEM_ATTRIBUTE_NAMES)
      if ((wantAll || systemNames.includes(k)) && sys[k] !== undefined) attributes[k] = sys[k];
    if (Object.keys(attributes).length > 0) out.Attributes = attributes;
    if (meta.a && attrNames.length > 0) {
      const picked: Record<string, MessageAttributeValue> = Object.create(null);
      for (const [k, v] of Object.entries(meta.a)) {
        const wanted = attrNames.some(
          (n) => n === 'All' || n === '.*' || n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))),
        );
        if (wanted)
          picked[k] =
            v.BinaryValue !== undefined
              ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, 'base64') }
              : { DataType: v.DataType, StringValue: v.StringValue! };
      }
      if (Object.keys(picked).length > 0) {
        out.MD5OfMessageAttributes = md5OfAttributes(picked);
        // Binary values travel as base64 in both wire protocols.
        out.MessageAttributes = Object.fromEntries(
          Object.entries(picked).map(([k, v]) => [
            k,
            v.BinaryValue ? { DataType: v.DataType, BinaryValue: v.BinaryValue.toString('base64') } : v,
          ]),
        );
      }
    }
    return out;
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

  // --- Dead-letter redrive (message move tasks) ----------------------------------------------

  private readonly tasks: MoveTask[] = [];

  async startMessageMoveTask(input: Input): Promise<Output> {
    const sourceArn = str(input, 'SourceArn', true);
    const source = await this.queue(this.queueNameFromArn(sourceArn));
    const all = await this.backend.listQueues();
    const isDlq = all.some(
      (q) =>
        q.attributes.RedrivePolicy &&
        parseRedrivePolicy(q.attributes.RedrivePolicy).deadLetterTargetArn === sourceArn,
    );
    if (!isDlq) throw invalidParam('Source queue must be configured as a Dead Letter Queue.');
    const destArn = str(input, 'DestinationArn');
    if (destArn !== undefined) await this.queue(this.queueNameFromArn(destArn));
    const rate = int(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
    if (this.tasks.some((t) => t.sourceArn === sourceArn && t.status === 'RUNNING'))
      throw new QueueError(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    const counts = await this.backend.counts(source.name, this.clock.now());
    const task: MoveTask = {
      handle: Buffer.from(`${sourceArn}\n${randomUUID()}`).toString('base64url'),
      status: 'RUNNING',
      sourceArn,
      destinationArn: destArn,
      rate: rate ?? 500,
      moved: 0,
      toMove: counts.visible,
      startedAt: this.clock.now(),
    };
    this.tasks.unshift(task);
    this.tasks.splice(100);
    const step = () => {
      void this.moveSome(task).then((more) => {
        if (more && task.status === 'RUNNING') task.timer = this.clock.setTimer(1000, step);
      });
    };
    step();
    return { TaskHandle: task.handle };
  }

  /** Moves up to a second's worth of messages; false when the task has ended. */
  private async moveSome(task: MoveTask): Promise<boolean> {
    const from = this.queueNameFromArn(task.sourceArn);
    let budget = task.rate;
    try {
      while (budget > 0 && task.status === 'RUNNING') {
        const got = await this.backend.receive(from, {
          now: this.clock.now(),
          max: Math.min(10, budget),
          visibilityMs: 30_000,
          fifo: false,
          nonce: nonces(),
        });
        if (got.length === 0) {
          task.status = 'COMPLETED';
          return false;
        }
        for (const m of got) {
          const destName = task.destinationArn ? this.queueNameFromArn(task.destinationArn) : m.sourceQueue;
          if (!destName) {
            task.status = 'FAILED';
            task.failure = 'The original source queue of a message is unknown: give a DestinationArn.';
            return false;
          }
          const dest = await this.queue(destName);
          const now = this.clock.now();
          // Sent before it is deleted: a crash in between repeats a message, never loses one.
          await this.backend.send(
            dest.name,
            [
              {
                id: randomUUID(),
                body: m.body,
                meta: m.meta,
                groupId: m.groupId,
                dedupId: m.dedupId,
                visibleAt: now,
              },
            ],
            now,
            this.dedup(dest),
          );
          await this.backend.deleteMessage(from, m.id, m.receipt);
          this.notify(dest.name);
          task.moved++;
          budget--;
        }
      }
      return task.status === 'RUNNING';
    } catch (e) {
      task.status = 'FAILED';
      task.failure = (e as Error).message;
      return false;
    }
  }

  async listMessageMoveTasks(input: Input): Promise<Output> {
    const sourceArn = str(input, 'SourceArn', true);
    await this.queue(this.queueNameFromArn(sourceArn));
    const max = int(input, 'MaxResults', 1, 10) ?? 1;
    return {
      Results: this.tasks
        .filter((t) => t.sourceArn === sourceArn)
        .slice(0, max)
        .map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
          MaxNumberOfMessagesPerSecond: t.rate,
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          ...(t.failure ? { FailureReason: t.failure } : {}),
          StartedTimestamp: t.startedAt,
        })),
    };
  }

  async cancelMessageMoveTask(input: Input): Promise<Output> {
    const handle = str(input, 'TaskHandle', true);
    const task = this.tasks.find((t) => t.handle === handle);
    if (!task) throw new QueueError('ResourceNotFound', 'Task does not exist.');
    if (task.status !== 'RUNNING')
      throw new QueueError(
        'UnsupportedOperation',
        `Task is in status ${task.status}: only a running task can be cancelled.`,
      );
    task.status = 'CANCELLED';
    task.timer?.cancel();
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }
}

/** A dead-letter redrive in progress (kept in memory: a restart ends it). */
interface MoveTask {
  handle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn: string | undefined;
  rate: number;
  moved: number;
  toMove: number;
  startedAt: number;
  failure?: string;
  timer?: TimerHandle;
}

/**
 * Receipt nonces for one receive: one random draw, then a counter (a nonce only has to differ
 * from the message's earlier ones, and 96 random bits do that).
 */
function nonces(): () => string {
  const base = randomBytes(12).toString('base64url');
  let n = 0;
  return () => `${base}${(n++).toString(36)}`;
}

/** FIFO sequence numbers are decimal strings, 20 digits in SQS's responses. */
function seqString(seq: number): string {
  return String(seq).padStart(20, '0');
}

function encodeReceipt(queue: string, id: string, nonce: string): string {
  return Buffer.from(`${queue}\n${id}\n${nonce}`).toString('base64url');
}

function decodeReceipt(handle: string, queue: string): { id: string; nonce: string } {
  const parts = Buffer.from(handle, 'base64url').toString().split('\n');
  if (parts.length !== 3 || parts[0] !== queue)
    throw new QueueError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  return { id: parts[1]!, nonce: parts[2]! };
}
