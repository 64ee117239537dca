import type { AlarmState } from './evaluate.ts';
import { ALARM_METRICS, type AlarmSpec } from './spec.ts';

/** One state change of an alarm, as the evaluator reports it. */
export interface AlarmChange {
  spec: AlarmSpec;
  state: AlarmState;
  reason: string;
  /** Milliseconds since the epoch. */
  at: number;
  previous: { state: AlarmState; reason: string; at: number };
}

/** CloudWatch writes `2019-10-02T17:04:40.985+0000`. */
const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * The PutEvents entry of a state change: source `aws.cloudwatch`, detail-type `CloudWatch Alarm
 * State Change`, the alarm's ARN as the resource, and CloudWatch's detail (alarmName, state,
 * previousState, configuration.metrics), so rules written for CloudWatch match it:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export function stateChangeEntry(change: AlarmChange, alarmArn: string): Record<string, unknown> {
  const { spec } = change;
  const [namespace, name] = ALARM_METRICS[spec.metric].cw;
  const dimensions: Record<string, string> = {};
  if (spec.function !== undefined) dimensions.FunctionName = spec.function;
  if (spec.queue !== undefined) dimensions.QueueName = spec.queue;
  const detail = {
    alarmName: spec.name,
    state: { value: change.state, reason: change.reason, timestamp: stamp(change.at) },
    previousState: {
      value: change.previous.state,
      reason: change.previous.reason,
      timestamp: stamp(change.previous.at),
    },
    configuration: {
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      metrics: [
        {
          id: 'm1',
          metricStat: {
            metric: { namespace, name, dimensions },
            period: spec.periodS,
            stat: spec.statistic,
          },
          returnData: true,
        },
      ],
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
    },
  };
  return {
    Source: 'aws.cloudwatch',
    DetailType: 'CloudWatch Alarm State Change',
    Resources: [alarmArn],
    Detail: JSON.stringify(detail),
    EventBusName: spec.bus,
  };
}
