import { chunks64k } from '../../governance/costs/usage.ts';

type Obj = Record<string, unknown>;

/**
 * What a successful PutEvents bills, per bus: each entry put is an event per 64 KB chunk of its
 * size, sized as EventBridge does (Time 14 bytes; Source, DetailType, Detail and Resources in
 * UTF-8). Entries that failed (an `ErrorCode` in the answer) are not billed.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html — guarded by
 * test/aws/service-metering.test.ts.
 */
export function busUsage(action: string, input: Obj, out: Obj): Map<string, number> | undefined {
  if (action !== 'PutEvents' || !Array.isArray(input.Entries)) return undefined;
  const results = Array.isArray(out.Entries) ? (out.Entries as unknown[]) : [];
  const perBus = new Map<string, number>();
  input.Entries.forEach((e, i) => {
    const r = results[i];
    if (typeof e !== 'object' || e === null) return;
    if (typeof r === 'object' && r !== null && (r as Obj).ErrorCode !== undefined) return;
    const entry = e as Obj;
    const bus = busName(entry.EventBusName);
    perBus.set(bus, (perBus.get(bus) ?? 0) + chunks64k(entrySize(entry)));
  });
  return perBus;
}

/** A bus name or ARN as its name; `default` when absent. */
function busName(v: unknown): string {
  if (typeof v !== 'string' || v === '') return 'default';
  return v.slice(v.lastIndexOf('/') + 1);
}

/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html */
export function entrySize(e: Obj): number {
  let n = e.Time !== undefined ? 14 : 0;
  for (const k of ['Source', 'DetailType', 'Detail'] as const)
    if (typeof e[k] === 'string') n += Buffer.byteLength(e[k] as string);
  if (Array.isArray(e.Resources))
    for (const r of e.Resources) if (typeof r === 'string') n += Buffer.byteLength(r);
  return n;
}
