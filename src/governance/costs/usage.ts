/**
 * What Baton meters, per (day, app, function): whole numbers only, so sums over any number of
 * flushes are exact. GB-seconds are derived on read from `mbMs` (billed ms × memory MB), which is
 * Lambda's 1 ms granularity: https://aws.amazon.com/lambda/pricing/
 */
export interface UsageCounts {
  /** Invocations that ran (throttled ones are not billed, as on Lambda). */
  invocations: number;
  /** Billed duration in ms, rounded as the REPORT line's `Billed Duration`. */
  billedMs: number;
  /** Billed ms × configured memory in MB; GB-seconds = mbMs / 1024 / 1000. */
  mbMs: number;
  /** HTTP requests the gateway received. */
  gatewayRequests: number;
  /** Queue requests, in 64 KB chunks. */
  queueRequests: number;
  /** Topic publishes, in 64 KB chunks. */
  topicRequests: number;
  /** Bus events put, in 64 KB chunks. */
  busEvents: number;
  /** Table read request units × 2 (an eventually consistent read is half a unit). */
  readHalfUnits: number;
  /** Table write request units. */
  writeUnits: number;
}

export interface UsageRow extends UsageCounts {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** The function's app; '' when it has none. */
  app: string;
  /** The function; '' for usage that belongs to no function (the gateway's requests). */
  function: string;
}

export const USAGE_FIELDS = [
  'invocations',
  'billedMs',
  'mbMs',
  'gatewayRequests',
  'queueRequests',
  'topicRequests',
  'busEvents',
  'readHalfUnits',
  'writeUnits',
] as const satisfies readonly (keyof UsageCounts)[];

export function emptyCounts(): UsageCounts {
  return {
    invocations: 0,
    billedMs: 0,
    mbMs: 0,
    gatewayRequests: 0,
    queueRequests: 0,
    topicRequests: 0,
    busEvents: 0,
    readHalfUnits: 0,
    writeUnits: 0,
  };
}

export function addCounts(into: UsageCounts, from: UsageCounts): void {
  for (const f of USAGE_FIELDS) into[f] += from[f];
}

/** AWS counts SQS, SNS and EventBridge requests in 64 KB chunks of payload. */
export function chunks64k(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 65_536));
}

/**
 * The bytes of SQS or SNS message attributes as both size a message: each attribute's name, data
 * type and value (binary values decoded from base64).
 */
export function attributesBytes(attrs: unknown): number {
  if (typeof attrs !== 'object' || attrs === null) return 0;
  let n = 0;
  for (const [name, v] of Object.entries(attrs as Record<string, unknown>)) {
    n += Buffer.byteLength(name);
    if (typeof v !== 'object' || v === null) continue;
    const a = v as Record<string, unknown>;
    if (typeof a.DataType === 'string') n += Buffer.byteLength(a.DataType);
    if (typeof a.StringValue === 'string') n += Buffer.byteLength(a.StringValue);
    if (typeof a.BinaryValue === 'string') n += Buffer.byteLength(a.BinaryValue, 'base64');
  }
  return n;
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM` (UTC) of an epoch-ms time: the budget period. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}
