import { BatonError } from '../../core/errors.ts';

/**
 * A metric alarm's rule, modeled on CloudWatch's PutMetricAlarm
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html),
 * over a small set of the platform's own metrics. Every unit is in the field's name or comment.
 */
export interface AlarmSpec {
  /** 1-255 characters, unique on the server (the alarm's ARN ends with it). */
  name: string;
  description?: string;
  metric: AlarmMetric;
  /** Dimension of the function metrics; absent, they sum over every function. */
  function?: string;
  /** Dimension of `queue_depth` (required there). */
  queue?: string;
  /** `Sum` for counts, `Average` or `pNN` (`p99`, `p99.9`) for duration, `Maximum` for depth. */
  statistic: string;
  /** Seconds per datapoint (CloudWatch's Period): one evaluation per period. */
  periodS: number;
  /** How many of the latest datapoints are looked at (EvaluationPeriods). */
  evaluationPeriods: number;
  /** How many of those must breach to go to ALARM (DatapointsToAlarm, ≤ evaluationPeriods). */
  datapointsToAlarm: number;
  comparison: Comparison;
  /** In the metric's unit: a count, milliseconds (duration) or messages (queue_depth). */
  threshold: number;
  treatMissingData: TreatMissingData;
  /** The bus the state-change events go to (name). */
  bus: string;
}

/** CloudWatch's ComparisonOperator values for static thresholds. */
export type Comparison =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

/** CloudWatch's TreatMissingData: how a period without a datapoint counts. */
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

/** How each alarm metric is read, and how it is named in CloudWatch terms (in alarm events). */
export const ALARM_METRICS = {
  invocations: {
    kind: 'counter',
    source: 'baton_function_invocations_total',
    cw: ['AWS/Lambda', 'Invocations'],
  },
  errors: { kind: 'counter', source: 'baton_function_errors_total', cw: ['AWS/Lambda', 'Errors'] },
  throttles: { kind: 'counter', source: 'baton_function_throttles_total', cw: ['AWS/Lambda', 'Throttles'] },
  duration: { kind: 'histogram', source: 'baton_function_duration_seconds', cw: ['AWS/Lambda', 'Duration'] },
  queue_depth: {
    kind: 'gauge',
    source: 'baton_queue_messages_visible',
    cw: ['AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
  },
} as const;

export type AlarmMetric = keyof typeof ALARM_METRICS;

const COMPARISONS: readonly Comparison[] = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const MISSING: readonly TreatMissingData[] = ['missing', 'notBreaching', 'breaching', 'ignore'];
const FIELDS = new Set([
  'name',
  'description',
  'metric',
  'function',
  'queue',
  'statistic',
  'period',
  'evaluationPeriods',
  'datapointsToAlarm',
  'comparison',
  'threshold',
  'treatMissingData',
  'bus',
]);
/** A day: CloudWatch's longest period. */
export const MAX_PERIOD_S = 86_400;
export const MAX_EVALUATION_PERIODS = 100;

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a statistic applies to a metric: `Sum` for counts, `Average`/`pNN` for duration … */
export function statisticFits(metric: AlarmMetric, statistic: string): boolean {
  const kind = ALARM_METRICS[metric].kind;
  if (kind === 'counter') return statistic === 'Sum';
  if (kind === 'gauge') return statistic === 'Maximum';
  return statistic === 'Average' || percentileOf(statistic) !== undefined;
}

/** `p99` → 0.99; undefined when not a percentile statistic. */
export function percentileOf(statistic: string): number | undefined {
  const m = /^p(\d{1,2}(?:\.\d{1,3})?)$/.exec(statistic);
  if (!m) return undefined;
  const p = Number(m[1]);
  return p > 0 && p < 100 ? p / 100 : undefined;
}

/**
 * Validates an alarm as the manifest (`alarms.NAME`) and the admin API write it: camelCase keys,
 * `period` in seconds. `minPeriodS` is the server's floor (BATON_ALARM_MIN_PERIOD_S); the
 * manifest parser, which has no server, passes 1 and the service checks again.
 */
export function parseAlarmSpec(input: unknown, path: string, minPeriodS = 1): AlarmSpec {
  if (!isMapping(input)) throw invalid(path, 'must be a mapping of alarm settings');
  for (const k of Object.keys(input))
    if (!FIELDS.has(k)) throw invalid(`${path}.${k}`, 'is not a known field');
  const str = (k: string, re?: RegExp, what = 'must be a string'): string | undefined => {
    const v = input[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || (re && !re.test(v))) throw invalid(`${path}.${k}`, what);
    return v;
  };
  const int = (k: string, min: number, max: number, fallback: number): number => {
    const v = input[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw invalid(`${path}.${k}`, `must be a whole number from ${min} to ${max}`);
    return v;
  };
  const name = str('name', /^[^\s:/][^:/]{0,254}$/, 'must be 1-255 characters without ":" or "/"');
  if (name === undefined) throw invalid(`${path}.name`, 'is required');
  const metric = str('metric');
  if (metric === undefined || !(metric in ALARM_METRICS))
    throw invalid(`${path}.metric`, `must be one of ${Object.keys(ALARM_METRICS).join(', ')}`);
  const m = metric as AlarmMetric;
  const kind = ALARM_METRICS[m].kind;
  const fn = str('function', /^[a-zA-Z0-9_-]{1,64}$/, 'must be a function name');
  const queue = str('queue', /^[a-zA-Z0-9_-]{1,80}(\.fifo)?$/, 'must be a queue name');
  if (kind === 'gauge' && queue === undefined) throw invalid(`${path}.queue`, `is required for ${m}`);
  if (kind === 'gauge' && fn !== undefined) throw invalid(`${path}.function`, `does not apply to ${m}`);
  if (kind !== 'gauge' && queue !== undefined) throw invalid(`${path}.queue`, `does not apply to ${m}`);
  const statistic =
    str('statistic') ?? (kind === 'counter' ? 'Sum' : kind === 'gauge' ? 'Maximum' : 'Average');
  if (!statisticFits(m, statistic))
    throw invalid(
      `${path}.statistic`,
      kind === 'counter'
        ? `${m} takes Sum`
        : kind === 'gauge'
          ? `${m} takes Maximum`
          : `${m} takes Average or a percentile (p50, p99, p99.9)`,
    );
  const periodS = int('period', minPeriodS, MAX_PERIOD_S, 60);
  const evaluationPeriods = int('evaluationPeriods', 1, MAX_EVALUATION_PERIODS, 1);
  const datapointsToAlarm = int('datapointsToAlarm', 1, evaluationPeriods, evaluationPeriods);
  const comparison = str('comparison') ?? '';
  if (!COMPARISONS.includes(comparison as Comparison))
    throw invalid(`${path}.comparison`, `must be one of ${COMPARISONS.join(', ')}`);
  const threshold = input.threshold;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    throw invalid(`${path}.threshold`, 'is required: a number');
  const missing = str('treatMissingData') ?? 'missing';
  if (!MISSING.includes(missing as TreatMissingData))
    throw invalid(`${path}.treatMissingData`, `must be one of ${MISSING.join(', ')}`);
  const bus = str('bus', /^[.\-_A-Za-z0-9]{1,256}$/, 'must be a bus name') ?? 'default';
  const description = str('description');
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    metric: m,
    ...(fn !== undefined ? { function: fn } : {}),
    ...(queue !== undefined ? { queue } : {}),
    statistic,
    periodS,
    evaluationPeriods,
    datapointsToAlarm,
    comparison: comparison as Comparison,
    threshold,
    treatMissingData: missing as TreatMissingData,
    bus,
  };
}

/** An alarm as written back (API responses, `baton alarms`): the input's own field names. */
export function alarmInput(spec: AlarmSpec): Record<string, unknown> {
  const { periodS, ...rest } = spec;
  return { ...rest, period: periodS };
}
