import type { Registry } from 'prom-client';
import { ALARM_METRICS, type AlarmSpec, percentileOf } from './spec.ts';

/**
 * What one read of an alarm's metric gives: a counter's running total, a histogram's cumulative
 * buckets (upper bound in seconds → count), or a gauge's current value (undefined: no series).
 */
export type Reading =
  | { kind: 'counter'; total: number }
  | { kind: 'histogram'; buckets: Map<number, number>; sum: number; count: number }
  | { kind: 'gauge'; value: number | undefined };

/** Reads an alarm's metric now; the evaluator turns two reads into a datapoint. */
export type MetricReader = (spec: AlarmSpec) => Promise<Reading>;

interface Exported {
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

/**
 * Reads the platform's metrics from their prom-client Registry (`PlatformMetrics.registry`), the
 * same values `/metrics` shows, summed over the series that match the alarm's dimension. Nothing
 * is added to the invoke path: counters are read once per alarm period.
 */
export function registryReader(registry: Registry): MetricReader {
  return async (spec) => {
    const def = ALARM_METRICS[spec.metric];
    const metric = registry.getSingleMetric(def.source);
    const exported = metric ? ((await metric.get()) as unknown as Exported) : { values: [] };
    const dimension = def.kind === 'gauge' ? ['queue', spec.queue] : ['function', spec.function];
    const values = exported.values.filter(
      (v) => dimension[1] === undefined || v.labels[dimension[0]!] === dimension[1],
    );
    if (def.kind === 'counter') return { kind: 'counter', total: values.reduce((s, v) => s + v.value, 0) };
    if (def.kind === 'gauge')
      return {
        kind: 'gauge',
        value: values.length === 0 ? undefined : values.reduce((s, v) => s + v.value, 0),
      };
    const buckets = new Map<number, number>();
    let sum = 0;
    let count = 0;
    for (const v of values) {
      if (v.metricName?.endsWith('_bucket')) {
        const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
        buckets.set(le, (buckets.get(le) ?? 0) + v.value);
      } else if (v.metricName?.endsWith('_sum')) sum += v.value;
      else if (v.metricName?.endsWith('_count')) count += v.value;
    }
    return { kind: 'histogram', buckets, sum, count };
  };
}

/**
 * One period's datapoint from the reads at its start and end, in the metric's unit, or undefined
 * when the period had no data (no invocation for duration, no such queue for depth). A counter
 * that went down was reset (a redeploy moved its series): its new total is the period's count.
 */
export function datapoint(spec: AlarmSpec, before: Reading | undefined, after: Reading): number | undefined {
  if (after.kind === 'counter') {
    const base = before?.kind === 'counter' ? before.total : 0;
    return after.total >= base ? after.total - base : after.total;
  }
  if (after.kind === 'gauge') return after.value;
  const prev = before?.kind === 'histogram' ? before : undefined;
  let count = after.count - (prev?.count ?? 0);
  let sum = after.sum - (prev?.sum ?? 0);
  const delta = new Map<number, number>();
  for (const [le, n] of after.buckets) delta.set(le, n - (prev?.buckets.get(le) ?? 0));
  if (count < 0) {
    count = after.count;
    sum = after.sum;
    for (const [le, n] of after.buckets) delta.set(le, n);
  }
  if (count === 0) return undefined;
  const q = percentileOf(spec.statistic);
  // Duration is in milliseconds, as CloudWatch's Lambda Duration is.
  return (q === undefined ? sum / count : quantile(q, delta, count)) * 1000;
}

/**
 * Prometheus' histogram_quantile: linear interpolation inside the bucket that holds the rank;
 * a rank in the `+Inf` bucket answers the highest finite bound.
 */
export function quantile(q: number, cumulative: Map<number, number>, count: number): number {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const upto = cumulative.get(le)!;
    if (upto >= rank) {
      if (le === Number.POSITIVE_INFINITY) return lower;
      const inBucket = upto - below;
      return inBucket === 0 ? le : lower + (le - lower) * ((rank - below) / inBucket);
    }
    lower = le;
    below = upto;
  }
  return lower;
}
