import type { Clock } from '../../core/clock.ts';
import {
  effectiveAttributes,
  parseRedrivePolicy,
  type QueueAttributes,
  READ_ONLY,
  validateAttributes,
} from './attributes.ts';
import type { QueueBackend, QueueRecord } from './backend.ts';
import { QueueError } from './errors.ts';
import { type Input, int, invalidParam, list, map, missing, type Output, str } from './input.ts';

const NAME_RE = /^[a-zA-Z0-9_-]{1,80}$/;
const FIFO_NAME_RE = /^[a-zA-Z0-9_-]{1,75}\.fifo$/;
const PURGE_INTERVAL_MS = 60_000;

export interface QueueCatalogDeps {
  backend: QueueBackend;
  clock: Clock;
  opts: { accountId: string; region: string; endpoint: () => string };
  /** Wakes a queue's long polls (a deleted queue answers them). */
  notify: (queue: string) => void;
}

/**
 * The queues themselves: names, URLs and ARNs, CreateQueue (idempotent), attributes, tags,
 * PurgeQueue and DeleteQueue. Queue records are cached: every message operation looks one up.
 */
export class QueueCatalog {
  private readonly cache = new Map<string, QueueRecord>();
  private readonly lastPurge = new Map<string, number>();

  constructor(private readonly deps: QueueCatalogDeps) {}

  // --- Names, URLs and ARNs ------------------------------------------------------------------

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.deps.opts.region}:${this.deps.opts.accountId}:${name}`;
  }

  urlOf(name: string): string {
    return `${this.deps.opts.endpoint()}/${this.deps.opts.accountId}/${name}`;
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

  async queue(name: string): Promise<QueueRecord> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const rec = await this.deps.backend.getQueue(name);
    if (!rec) throw new QueueError('QueueDoesNotExist', 'The specified queue does not exist.');
    this.cache.set(name, rec);
    return rec;
  }

  queueNameFromArn(arn: string): string {
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
    const now = this.deps.clock.now();
    const out = await this.deps.backend.createQueue({
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
    const dlq = await this.deps.backend.getQueue(this.queueNameFromArn(p.deadLetterTargetArn));
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
    let names = (await this.deps.backend.listQueues()).map((q) => q.name).filter((n) => n.startsWith(prefix));
    if (token) names = names.filter((n) => n > Buffer.from(token, 'base64url').toString());
    const page = max === undefined ? names.slice(0, 1000) : names.slice(0, max);
    const out: Output = { QueueUrls: page.map((n) => this.urlOf(n)) };
    if (max !== undefined && names.length > max)
      out.NextToken = Buffer.from(page.at(-1)!).toString('base64url');
    return out;
  }

  async deleteQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    await this.deps.backend.deleteQueue(q.name);
    this.cache.delete(q.name);
    this.deps.notify(q.name);
    return {};
  }

  async purgeQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const last = this.lastPurge.get(q.name);
    const now = this.deps.clock.now();
    if (last !== undefined && now - last < PURGE_INTERVAL_MS)
      throw new QueueError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`,
      );
    this.lastPurge.set(q.name, now);
    await this.deps.backend.purge(q.name);
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
    const counts = await this.deps.backend.counts(q.name, this.deps.clock.now());
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
    const rec = { ...q, attributes: merged, lastModified: this.deps.clock.now() };
    await this.deps.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async tagQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const tags = { ...q.tags, ...(map(input, 'Tags') as Record<string, string>) };
    if (Object.keys(tags).length > 50) throw invalidParam('Too many tags: a queue has at most 50.');
    const rec = { ...q, tags };
    await this.deps.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async untagQueue(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    const tags = { ...q.tags };
    for (const k of list(input, 'TagKeys')) delete tags[String(k)];
    const rec = { ...q, tags };
    await this.deps.backend.updateQueue(rec);
    this.cache.set(q.name, rec);
    return {};
  }

  async listQueueTags(input: Input): Promise<Output> {
    const q = await this.queueFromUrl(str(input, 'QueueUrl'));
    return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
  }
}
