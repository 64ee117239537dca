import { BatonError } from '../core/errors.ts';

/** A queue the manifest declares, as SQS attributes. */
export interface QueueSpec {
  name: string;
  /** SQS attributes, but the redrive policy (the deploy writes it with the dead-letter queue's ARN). */
  attributes: Record<string, string>;
  deadLetter?: { queue: string; maxReceiveCount: number };
}

/** A function's `queue` event: an event source mapping the deploy keeps in place. */
export interface QueueEventSpec {
  function: string;
  queue: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency: number | null;
  enabled: boolean;
  /** Where the manifest declares it, for error messages (`functions.f.events[0].queue`). */
  path?: string;
}

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(path, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function onlyKnown(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw invalid(`${path}.${k}`, 'is not a known field');
}

/** camelCase manifest keys → SQS attribute names, with their ranges. */
const QUEUE_FIELDS: Record<string, [string, number, number]> = {
  visibilityTimeout: ['VisibilityTimeout', 0, 43_200],
  messageRetentionPeriod: ['MessageRetentionPeriod', 60, 1_209_600],
  delaySeconds: ['DelaySeconds', 0, 900],
  receiveMessageWaitTimeSeconds: ['ReceiveMessageWaitTimeSeconds', 0, 20],
  maximumMessageSize: ['MaximumMessageSize', 1024, 262_144],
};

/**
 * The manifest's `queues` section: `name: { visibilityTimeout, messageRetentionPeriod,
 * delaySeconds, receiveMessageWaitTimeSeconds, maximumMessageSize, fifo, contentBasedDeduplication,
 * deadLetter: { queue, maxReceiveCount } }`. A name ending in `.fifo` is a FIFO queue.
 */
export function parseQueues(value: unknown): QueueSpec[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) throw invalid('queues', 'must be a mapping of queue names to their settings');
  const out: QueueSpec[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const path = `queues.${name}`;
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? /^[a-zA-Z0-9_-]{1,75}\.fifo$/ : /^[a-zA-Z0-9_-]{1,80}$/).test(name))
      throw invalid(
        path,
        'queue names are 1-80 letters, digits, hyphens or underscores (FIFO: ending in .fifo)',
      );
    const o = raw === null || raw === undefined ? {} : raw;
    if (!isMapping(o)) throw invalid(path, 'must be a mapping of settings (or empty)');
    onlyKnown(o, [...Object.keys(QUEUE_FIELDS), 'fifo', 'contentBasedDeduplication', 'deadLetter'], path);
    const attributes: Record<string, string> = {};
    let deadLetter: QueueSpec['deadLetter'];
    for (const [key, [attr, min, max]] of Object.entries(QUEUE_FIELDS))
      if (o[key] !== undefined) attributes[attr] = String(int(o[key], `${path}.${key}`, min, max));
    if (o.fifo !== undefined && o.fifo !== fifo)
      throw invalid(`${path}.fifo`, fifo ? 'a .fifo queue is FIFO' : 'a FIFO queue name must end in .fifo');
    if (fifo) attributes.FifoQueue = 'true';
    if (o.contentBasedDeduplication !== undefined) {
      if (!fifo) throw invalid(`${path}.contentBasedDeduplication`, 'applies to FIFO queues only');
      if (typeof o.contentBasedDeduplication !== 'boolean')
        throw invalid(`${path}.contentBasedDeduplication`, 'must be true or false');
      attributes.ContentBasedDeduplication = String(o.contentBasedDeduplication);
    }
    if (o.deadLetter !== undefined) {
      const d = o.deadLetter;
      if (!isMapping(d)) throw invalid(`${path}.deadLetter`, 'must be { queue: NAME, maxReceiveCount: N }');
      onlyKnown(d, ['queue', 'maxReceiveCount'], `${path}.deadLetter`);
      if (typeof d.queue !== 'string' || !(d.queue in value))
        throw invalid(`${path}.deadLetter.queue`, 'must name a queue of this manifest');
      const count =
        d.maxReceiveCount === undefined
          ? 5
          : int(d.maxReceiveCount, `${path}.deadLetter.maxReceiveCount`, 1, 1000);
      if (d.queue === name)
        throw invalid(`${path}.deadLetter.queue`, 'a queue cannot be its own dead-letter queue');
      deadLetter = { queue: d.queue, maxReceiveCount: count };
    }
    out.push(deadLetter ? { name, attributes, deadLetter } : { name, attributes });
  }
  // Dead-letter queues first, so that a redrive policy names a queue that exists.
  return out.sort((a, b) => Number(a.deadLetter !== undefined) - Number(b.deadLetter !== undefined));
}

/**
 * A `queue` event: `{ queue: NAME, batchSize, maximumBatchingWindowInSeconds,
 * functionResponseTypes: [ReportBatchItemFailures], maximumConcurrency, enabled }`, as the
 * Lambda API's event source mapping takes them.
 */
export function parseQueueEvent(fn: string, ev: Record<string, unknown>, path: string): QueueEventSpec {
  onlyKnown(
    ev,
    [
      'queue',
      'batchSize',
      'maximumBatchingWindowInSeconds',
      'functionResponseTypes',
      'maximumConcurrency',
      'enabled',
    ],
    path,
  );
  if (typeof ev.queue !== 'string' || ev.queue.length === 0)
    throw invalid(`${path}.queue`, 'must name a queue');
  const batchSize = ev.batchSize === undefined ? 10 : int(ev.batchSize, `${path}.batchSize`, 1, 10_000);
  const window =
    ev.maximumBatchingWindowInSeconds === undefined
      ? 0
      : int(ev.maximumBatchingWindowInSeconds, `${path}.maximumBatchingWindowInSeconds`, 0, 300);
  if (batchSize > 10 && window < 1)
    throw invalid(`${path}.maximumBatchingWindowInSeconds`, 'must be at least 1 when batchSize is over 10');
  const types = ev.functionResponseTypes ?? [];
  if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))
    throw invalid(`${path}.functionResponseTypes`, 'may only hold ReportBatchItemFailures');
  const maximumConcurrency =
    ev.maximumConcurrency === undefined
      ? null
      : int(ev.maximumConcurrency, `${path}.maximumConcurrency`, 2, 1000);
  if (ev.enabled !== undefined && typeof ev.enabled !== 'boolean')
    throw invalid(`${path}.enabled`, 'must be true or false');
  return {
    function: fn,
    queue: ev.queue,
    batchSize,
    maximumBatchingWindowSeconds: window,
    reportBatchItemFailures: types.length > 0,
    maximumConcurrency,
    enabled: ev.enabled !== false,
  };
}
