import { randomUUID } from 'node:crypto';

/**
 * A PutEvents entry made into EventBridge's event envelope:
 * https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 without milliseconds, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  [key: string]: unknown;
}

type Entry = Record<string, unknown>;

const required = (k: string): { error: [string, string] } => ({
  error: ['InvalidArgument', `Parameter ${k} is not valid. Reason: ${k} is a required argument.`],
});

/** The event for an entry, or why it was refused (a per-entry ErrorCode and ErrorMessage). */
export function makeEvent(
  e: Entry,
  now: number,
  where: { accountId: string; region: string },
): { event: BusEvent } | { error: [string, string] } {
  const text = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
  const source = text('Source');
  if (!source) return required('Source');
  const detailType = text('DetailType');
  if (!detailType) return required('DetailType');
  const detailText = text('Detail');
  if (detailText === undefined) return required('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch {
    return { error: ['MalformedDetail', 'Detail is malformed.'] };
  }
  // Detail must be a JSON object (an array or a scalar is malformed, as on EventBridge).
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return { error: ['MalformedDetail', 'Detail is malformed.'] };
  const resources = Array.isArray(e.Resources) ? e.Resources.filter((r) => typeof r === 'string') : [];
  // awsJson1_1 sends timestamps as epoch seconds.
  const time = typeof e.Time === 'number' ? e.Time * 1000 : now;
  return {
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: where.accountId,
      time: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: where.region,
      resources,
      detail: detail as Record<string, unknown>,
    },
  };
}

/**
 * An entry's size as EventBridge counts it against the 256 KB limit: Source, DetailType, Detail
 * and Resources in UTF-8, plus 14 bytes for a Time.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(e: Entry): number {
  let n = typeof e.Time === 'number' ? 14 : 0;
  for (const k of ['Source', 'DetailType', 'Detail']) {
    const v = e[k];
    if (typeof v === 'string') n += Buffer.byteLength(v, 'utf8');
  }
  if (Array.isArray(e.Resources))
    for (const r of e.Resources) if (typeof r === 'string') n += Buffer.byteLength(r, 'utf8');
  return n;
}
