import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../src/core/clock.ts';
import { BatonError } from '../../../src/core/errors.ts';
import type { FunctionRecord } from '../../../src/core/function-spec.ts';
import type { InvokeTarget } from '../../../src/registry/resolve.ts';
import type { InvokeResult } from '../../../src/runtime/invoker.ts';
import { formatInvocationLog } from '../../../src/telemetry/logs/invocation-log.ts';
import { defineFamilies } from '../../../src/telemetry/metrics/definitions.ts';
import { FunctionMeter } from '../../../src/telemetry/metrics/function-meter.ts';
import { PlatformMetrics } from '../../../src/telemetry/metrics/index.ts';
import { record } from '../../contract/registry.contract.ts';
import { parseExposition, sampleValue } from '../../helpers/prometheus.ts';

const target = (over: Partial<FunctionRecord> = {}, version = '$LATEST'): InvokeTarget => {
  const rec = record('work', { app: 'shop', memory: 512, ...over });
  return {
    record: rec,
    key: version === '$LATEST' ? rec.name : `${rec.name}:${version}`,
    version,
    invokedArn: `arn:aws:lambda:us-east-1:000000000000:function:${rec.name}`,
    qualifier: undefined,
  };
};

const result = (durationMs: number, over: Partial<InvokeResult> = {}): InvokeResult => ({
  requestId: 'r',
  payload: '{}',
  executedVersion: '$LATEST',
  durationMs,
  cold: false,
  log: { requestId: 'r', version: '$LATEST', lines: [], durationMs, memorySizeMB: 512, maxMemoryUsedMB: 1 },
  ...over,
});

async function meter() {
  const registry = new Registry();
  const m = new FunctionMeter(defineFamilies(registry));
  const read = async () => parseExposition(await registry.metrics());
  return { m, read };
}

describe('per-function metrics from invocation results', () => {
  it('counts invocations, errors and cold starts, and records duration and init time in seconds', async () => {
    const { m, read } = await meter();
    const t = target();
    m.invoked(t, result(12.3, { cold: true, initDurationMs: 41 }));
    m.invoked(t, result(0.4));
    m.invoked(t, result(2000, { functionError: 'Unhandled' }));
    const s = await read();
    const fn = { function: 'work', version: '$LATEST', app: 'shop' };
    assert.equal(sampleValue(s, 'baton_function_invocations_total', fn), 3);
    assert.equal(sampleValue(s, 'baton_function_errors_total', fn), 1);
    assert.equal(sampleValue(s, 'baton_function_cold_starts_total', fn), 1);
    assert.equal(sampleValue(s, 'baton_function_duration_seconds_count', fn), 3);
    assert.ok(Math.abs(sampleValue(s, 'baton_function_duration_seconds_sum', fn)! - 2.0127) < 1e-9);
    assert.equal(sampleValue(s, 'baton_function_duration_seconds_bucket', { ...fn, le: '0.001' }), 1);
    assert.equal(sampleValue(s, 'baton_function_duration_seconds_bucket', { ...fn, le: '0.025' }), 2);
    assert.equal(sampleValue(s, 'baton_function_duration_seconds_bucket', { ...fn, le: '2.5' }), 3);
    assert.equal(sampleValue(s, 'baton_function_init_duration_seconds_count', fn), 1);
    assert.equal(sampleValue(s, 'baton_function_init_duration_seconds_sum', fn), 0.041);
    assert.equal(sampleValue(s, 'baton_function_throttles_total', fn), 0);
  });

  it('bills as the REPORT line does (whole ms, at least 1) and prices GB-seconds from memory', async () => {
    const { m, read } = await meter();
    const durations = [12.3, 0.4, 2000, 0];
    for (const d of durations) m.invoked(target(), result(d));
    const s = await read();
    const fn = { function: 'work' };
    const fromReports = durations
      .map((d) => formatInvocationLog(result(d).log).at(-1)!)
      .map((line) => Number(/Billed Duration: (\d+) ms/.exec(line)![1]))
      .reduce((a, b) => a + b, 0);
    assert.equal(sampleValue(s, 'baton_function_billed_milliseconds_total', fn), 13 + 1 + 2000 + 1);
    assert.equal(sampleValue(s, 'baton_function_billed_milliseconds_total', fn), fromReports);
    // 2015 ms at 512 MB = 2.015 s × 0.5 GB.
    assert.ok(Math.abs(sampleValue(s, 'baton_function_gb_seconds_total', fn)! - 1.0075) < 1e-12);
  });

  it('keeps versions apart, counts throttles (not other refusals), and rebinds when the app changes', async () => {
    const { m, read } = await meter();
    m.invoked(target({ version: '3' }, '3'), result(1));
    m.refused(target(), new BatonError('ThrottledFunction', 'Rate Exceeded.'));
    m.refused(target(), new BatonError('ThrottledAccount', 'Rate Exceeded.'));
    m.refused(target(), new BatonError('ResourceNotFound', 'gone'));
    m.invoked(target({ app: 'other' }), result(1));
    const s = await read();
    assert.equal(sampleValue(s, 'baton_function_invocations_total', { version: '3' }), 1);
    assert.equal(sampleValue(s, 'baton_function_throttles_total', { version: '$LATEST', app: 'shop' }), 2);
    assert.equal(sampleValue(s, 'baton_function_invocations_total', { version: '$LATEST', app: 'shop' }), 0);
    assert.equal(sampleValue(s, 'baton_function_invocations_total', { version: '$LATEST', app: 'other' }), 1);
    assert.equal(sampleValue(s, 'baton_function_invocations_total', { app: '' }), undefined);
  });

  it('labels a function outside any app with an empty app', async () => {
    const { m, read } = await meter();
    m.invoked(target({ app: null }), result(1));
    assert.equal(sampleValue(await read(), 'baton_function_invocations_total', { app: '' }), 1);
  });

  it('reads concurrency and provisioned utilisation from the pool at scrape time', async () => {
    const busy = { latest: 2, v1: 1 };
    const metrics = new PlatformMetrics({
      clock: new ManualClock(),
      usage: () => [
        { record: record('work', { app: 'shop' }), busy: busy.latest, provisionedBusy: 0 },
        {
          record: record('work', { app: 'shop', version: '1', provisionedConcurrency: 4 }),
          busy: busy.v1,
          provisionedBusy: busy.v1,
        },
      ],
      queues: {
        listQueues: async () => [],
        counts: async () => ({ visible: 0, inflight: 0, delayed: 0 }),
        oldestSentAt: async () => undefined,
      },
      warn: () => undefined,
    });
    const read = async () => parseExposition((await metrics.scrape()).body);
    let s = await read();
    const name = 'baton_function_concurrent_executions';
    assert.equal(sampleValue(s, name, { version: '$LATEST' }), 2);
    assert.equal(sampleValue(s, name, { version: '1' }), 1);
    const util = 'baton_function_provisioned_concurrency_utilization';
    assert.equal(sampleValue(s, util, { version: '1' }), 0.25);
    assert.equal(
      sampleValue(s, util, { version: '$LATEST' }),
      undefined,
      'only units with provisioned concurrency',
    );
    busy.latest = 0;
    busy.v1 = 4;
    s = await read();
    assert.equal(sampleValue(s, name, { version: '$LATEST' }), 0);
    assert.equal(sampleValue(s, util, { version: '1' }), 1);
  });
});
