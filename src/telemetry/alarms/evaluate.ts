import type { AlarmSpec, Comparison } from './spec.ts';

/** CloudWatch's alarm states; every alarm starts in INSUFFICIENT_DATA. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A state and why, as an evaluation decides it. */
export interface Decision {
  state: AlarmState;
  reason: string;
}

const WORDS: Record<Comparison, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

const show = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * The state an alarm should be in, from its latest datapoints (oldest first; `undefined` for a
 * period with no data). Pure: the evaluator calls it after each period. It follows CloudWatch's
 * "M out of N" evaluation
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html):
 * ALARM when at least `datapointsToAlarm` of the last `evaluationPeriods` breach; OK once N
 * periods are in and fewer breach; missing periods count as `treatMissingData` says (`missing`:
 * all missing is INSUFFICIENT_DATA; `ignore`: all missing keeps the state). Guarded by
 * `test/telemetry/alarms/evaluate.test.ts`.
 */
export function decide(
  spec: AlarmSpec,
  datapoints: readonly (number | undefined)[],
  current: AlarmState,
): Decision {
  const n = spec.evaluationPeriods;
  const recent = datapoints.slice(-n);
  let breaching = 0;
  let present = 0;
  const shown: string[] = [];
  for (const v of recent) {
    if (v === undefined) {
      if (spec.treatMissingData === 'breaching') breaching++;
      if (spec.treatMissingData === 'breaching' || spec.treatMissingData === 'notBreaching') present++;
      continue;
    }
    present++;
    shown.push(show(v));
    if (breaches(v, spec.comparison, spec.threshold)) breaching++;
  }
  const summary = `${breaching} out of the last ${recent.length} datapoints [${shown.join(', ')}] ${
    breaching === 1 ? 'was' : 'were'
  } ${WORDS[spec.comparison]} the threshold (${show(spec.threshold)})`;
  if (breaching >= spec.datapointsToAlarm)
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${summary} (minimum ${spec.datapointsToAlarm} datapoint${
        spec.datapointsToAlarm === 1 ? '' : 's'
      } for ALARM).`,
    };
  if (present === 0) {
    if (spec.treatMissingData === 'ignore' || recent.length === 0) return { state: current, reason: '' };
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${recent.length} datapoint${recent.length === 1 ? ' was' : 's were'} unknown.`,
    };
  }
  // Until N periods are in, fewer than M breaching does not yet prove the alarm OK.
  if (recent.length < n && current === 'INSUFFICIENT_DATA') return { state: current, reason: '' };
  return { state: 'OK', reason: `Threshold Crossed: ${summary}.` };
}
