import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { decide } from '../../../src/telemetry/alarms/evaluate.ts';
import { AlarmEvaluator } from '../../../src/telemetry/alarms/evaluator.ts';
import type { AlarmChange } from '../../../src/telemetry/alarms/event.ts';
import { stateChangeEntry } from '../../../src/telemetry/alarms/event.ts';
import { datapoint, quantile, type Reading } from '../../../src/telemetry/alarms/metric-reader.ts';
import { parseAlarmSpec } from '../../../src/telemetry/alarms/spec.ts';

const errorsOver5 = parseAlarmSpec(
  {
    name: 'errors-high',
    metric: 'errors',
    function: 'fails',
    threshold: 5,
    comparison: 'GreaterThanThreshold',
  },
  'alarm',
);

/** An evaluator over a counter the test sets, on a ManualClock. */
function harness(spec = errorsOver5) {
  const clock = new ManualClock();
  let total = 0;
  const changes: AlarmChange[] = [];
  const evaluator = new AlarmEvaluator({
    clock,
    read: async (): Promise<Reading> => ({ kind: 'counter', total }),
    emit: async (c) => {
      changes.push(c);
    },
    warn: (m) => assert.fail(m),
  });
  evaluator.set(spec);
  return {
    clock,
    evaluator,
    changes,
    add: (n: number) => {
      total += n;
    },
    async period(ms = spec.periodS * 1000) {
      await evaluator.settled();
      clock.advance(ms);
      await evaluator.settled();
    },
  };
}

describe('AlarmEvaluator (ManualClock)', () => {
  it('errors > 5 in 1 minute: ALARM once, then back to OK', async () => {
    const h = harness();
    await h.evaluator.settled();
    assert.equal(h.evaluator.status('errors-high')?.state, 'INSUFFICIENT_DATA');
    h.add(3);
    await h.period();
    assert.deepEqual(
      h.changes.map((c) => c.state),
      ['OK'],
    );
    h.add(6);
    await h.period();
    h.add(9);
    await h.period(); // still breaching: no second event
    assert.deepEqual(
      h.changes.map((c) => [c.previous.state, c.state]),
      [
        ['INSUFFICIENT_DATA', 'OK'],
        ['OK', 'ALARM'],
      ],
    );
    assert.match(
      h.changes[1]!.reason,
      /1 out of the last 1 datapoints \[6\] was greater than the threshold \(5\)/,
    );
    await h.period(); // no errors in this minute
    assert.deepEqual(
      h.changes.map((c) => c.state),
      ['OK', 'ALARM', 'OK'],
    );
    assert.equal(h.changes[2]!.at - h.changes[1]!.at, 120_000);
    h.evaluator.close();
    assert.equal(h.clock.pending(), 0);
  });

  it('exactly the threshold does not breach GreaterThanThreshold', async () => {
    const h = harness();
    h.add(5);
    await h.period();
    assert.equal(h.evaluator.status('errors-high')?.state, 'OK');
    h.evaluator.close();
  });

  it('M out of N: 2 of 3 periods breaching', async () => {
    const h = harness({ ...errorsOver5, evaluationPeriods: 3, datapointsToAlarm: 2 });
    h.add(6);
    await h.period();
    assert.equal(h.evaluator.status('errors-high')?.state, 'INSUFFICIENT_DATA');
    await h.period();
    assert.equal(h.evaluator.status('errors-high')?.state, 'INSUFFICIENT_DATA');
    h.add(7);
    await h.period();
    assert.equal(h.evaluator.status('errors-high')?.state, 'ALARM');
    assert.deepEqual(h.evaluator.status('errors-high')?.datapoints, [6, 0, 7]);
    h.evaluator.close();
  });

  it('replacing an alarm with the same settings keeps its state; a removed alarm stops', async () => {
    const h = harness();
    h.add(10);
    await h.period();
    h.evaluator.set({ ...errorsOver5 });
    assert.equal(h.evaluator.status('errors-high')?.state, 'ALARM');
    h.evaluator.remove('errors-high');
    await h.period();
    assert.equal(h.changes.length, 1);
    assert.equal(h.clock.pending(), 0);
  });
});

describe('decide', () => {
  const spec = { ...errorsOver5, evaluationPeriods: 2, datapointsToAlarm: 2 };
  it('missing data: INSUFFICIENT_DATA by default, kept with ignore, breaching when told', () => {
    assert.equal(decide(spec, [undefined, undefined], 'OK').state, 'INSUFFICIENT_DATA');
    assert.equal(decide({ ...spec, treatMissingData: 'ignore' }, [undefined, undefined], 'OK').state, 'OK');
    assert.equal(decide({ ...spec, treatMissingData: 'breaching' }, [undefined, 9], 'OK').state, 'ALARM');
    assert.equal(decide({ ...spec, treatMissingData: 'notBreaching' }, [undefined, 9], 'ALARM').state, 'OK');
  });
  it('LessThanThreshold', () => {
    const low = { ...spec, comparison: 'LessThanThreshold' as const, threshold: 1 };
    assert.equal(decide(low, [0, 0], 'OK').state, 'ALARM');
    assert.equal(decide(low, [0, 1], 'ALARM').state, 'OK');
  });
});

describe('datapoints', () => {
  it('a counter gives its delta; a reset counter its new total', () => {
    assert.equal(datapoint(errorsOver5, { kind: 'counter', total: 4 }, { kind: 'counter', total: 10 }), 6);
    assert.equal(datapoint(errorsOver5, { kind: 'counter', total: 10 }, { kind: 'counter', total: 3 }), 3);
  });
  it('duration: average and p99 in milliseconds from histogram deltas; no invocations is missing', () => {
    const spec = parseAlarmSpec(
      {
        name: 'slow',
        metric: 'duration',
        statistic: 'p99',
        threshold: 500,
        comparison: 'GreaterThanThreshold',
      },
      'a',
    );
    const h = (b: [number, number][], sum: number, count: number): Reading => ({
      kind: 'histogram',
      buckets: new Map(b),
      sum,
      count,
    });
    const before = h(
      [
        [0.1, 10],
        [1, 10],
        [Number.POSITIVE_INFINITY, 10],
      ],
      0.5,
      10,
    );
    const after = h(
      [
        [0.1, 10],
        [1, 110],
        [Number.POSITIVE_INFINITY, 110],
      ],
      50.5,
      110,
    );
    // 100 new observations, all in (0.1, 1]: p99 interpolates to 0.1 + 0.9 × 0.99.
    assert.ok(Math.abs(datapoint(spec, before, after)! - (0.1 + 0.9 * 0.99) * 1000) < 1e-6);
    assert.equal(datapoint({ ...spec, statistic: 'Average' }, before, after), 500);
    assert.equal(datapoint(spec, after, after), undefined);
    assert.equal(
      quantile(
        0.5,
        new Map([
          [1, 0],
          [Number.POSITIVE_INFINITY, 4],
        ]),
        4,
      ),
      1,
    );
  });
});

describe('parseAlarmSpec', () => {
  it('refuses what does not fit, naming the field', () => {
    const base = { name: 'a', metric: 'errors', threshold: 1, comparison: 'GreaterThanThreshold' };
    assert.throws(
      () => parseAlarmSpec({ ...base, metric: 'cpu' }, 'alarms.a'),
      /alarms\.a\.metric: must be one of/,
    );
    assert.throws(() => parseAlarmSpec({ ...base, statistic: 'p99' }, 'x'), /x\.statistic: errors takes Sum/);
    assert.throws(
      () => parseAlarmSpec({ ...base, period: 5 }, 'x', 10),
      /x\.period: must be a whole number from 10/,
    );
    assert.throws(() => parseAlarmSpec({ ...base, metric: 'queue_depth' }, 'x'), /x\.queue: is required/);
    assert.throws(() => parseAlarmSpec({ ...base, datapointsToAlarm: 2 }, 'x'), /x\.datapointsToAlarm/);
    assert.throws(() => parseAlarmSpec({ ...base, extra: 1 }, 'x'), /x\.extra: is not a known field/);
  });
});

describe('stateChangeEntry', () => {
  it('is CloudWatch’s Alarm State Change event', () => {
    const entry = stateChangeEntry(
      {
        spec: errorsOver5,
        state: 'ALARM',
        reason: 'r',
        at: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
        previous: { state: 'OK', reason: 'p', at: 0 },
      },
      'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors-high',
    );
    assert.equal(entry.Source, 'aws.cloudwatch');
    assert.equal(entry.DetailType, 'CloudWatch Alarm State Change');
    assert.equal(entry.EventBusName, 'default');
    const detail = JSON.parse(entry.Detail as string);
    assert.equal(detail.alarmName, 'errors-high');
    assert.deepEqual(detail.state, {
      value: 'ALARM',
      reason: 'r',
      timestamp: '2024-01-02T03:04:05.006+0000',
    });
    assert.equal(detail.previousState.value, 'OK');
    assert.deepEqual(detail.configuration.metrics[0].metricStat, {
      metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'fails' } },
      period: 60,
      stat: 'Sum',
    });
  });
});
