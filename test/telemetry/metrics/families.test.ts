import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { defineFamilies } from '../../../src/telemetry/metrics/definitions.ts';
import { CounterFamily, HistogramFamily, registerFamily } from '../../../src/telemetry/metrics/families.ts';
import { parseExposition, sampleValue, typesOf } from '../../helpers/prometheus.ts';

describe('metric families with pre-bound children', () => {
  it('counts through a kept child, one series per label set, beside prom-client metrics', async () => {
    const registry = new Registry();
    const calls = registerFamily(registry, new CounterFamily('t_calls_total', 'Calls.', ['fn', 'app']));
    new Counter({ name: 't_plain_total', help: 'A prom-client counter.', registers: [registry] }).inc(2);
    const a = calls.labels('a', 'x');
    a.inc();
    a.inc(2.5);
    calls.labels('b', 'x').inc();
    assert.equal(calls.labels('a', 'x'), a, 'the same child for the same labels');
    const text = await registry.metrics();
    assert.match(text, /^# HELP t_calls_total Calls\.$/m);
    assert.equal(typesOf(text).get('t_calls_total'), 'counter');
    const s = parseExposition(text);
    assert.equal(sampleValue(s, 't_calls_total', { fn: 'a', app: 'x' }), 3.5);
    assert.equal(sampleValue(s, 't_calls_total', { fn: 'b', app: 'x' }), 1);
    assert.equal(sampleValue(s, 't_plain_total'), 2);
  });

  it('escapes label values as the text format wants them', async () => {
    const registry = new Registry();
    const c = registerFamily(registry, new CounterFamily('t_odd_total', 'Odd labels.', ['route']));
    c.labels('GET /a"b\\c\nd').inc();
    const text = await registry.metrics();
    assert.match(text, /^t_odd_total\{route="GET \/a\\"b\\\\c\\nd"\} 1$/m);
    assert.equal(sampleValue(parseExposition(text), 't_odd_total')!, 1);
    assert.deepEqual(parseExposition(text)[0]!.labels, { route: 'GET /a"b\\c\nd' });
  });

  it('puts an observation in the first bucket whose bound it does not pass, cumulatively on export', async () => {
    const registry = new Registry();
    const h = registerFamily(registry, new HistogramFamily('t_seconds', 'Time.', ['fn'], [0.01, 0.1, 1]));
    const child = h.labels('f');
    for (const v of [0.005, 0.01, 0.05, 1, 7]) child.observe(v);
    const text = await registry.metrics();
    assert.equal(typesOf(text).get('t_seconds'), 'histogram');
    const s = parseExposition(text);
    const bucket = (le: string) => sampleValue(s, 't_seconds_bucket', { fn: 'f', le });
    assert.deepEqual(
      ['0.01', '0.1', '1', '+Inf'].map(bucket),
      [2, 3, 4, 5],
      'le is inclusive: 0.01 falls in the 0.01 bucket, 7 only in +Inf',
    );
    assert.equal(sampleValue(s, 't_seconds_count', { fn: 'f' }), 5);
    assert.ok(Math.abs(sampleValue(s, 't_seconds_sum', { fn: 'f' })! - 8.065) < 1e-9);
  });

  it('refuses a wrong number of label values, and buckets that do not grow', () => {
    const c = new CounterFamily('t_total', 'T.', ['a', 'b']);
    assert.throws(() => c.labels('only-one'), /expected labels a, b/);
    assert.throws(() => new HistogramFamily('t_h', 'T.', [], [1, 1]), /buckets must grow/);
  });

  it('forgets its series on reset (prom-client resetMetrics)', async () => {
    const registry = new Registry();
    const c = registerFamily(registry, new CounterFamily('t_total', 'T.', ['a']));
    c.labels('x').inc();
    registry.resetMetrics();
    assert.equal(sampleValue(parseExposition(await registry.metrics()), 't_total'), undefined);
  });

  it('defines every platform family once, with valid names and the documented units', async () => {
    const registry = new Registry();
    const f = defineFamilies(registry);
    const names = Object.values(f).map((m) => m.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^baton_[a-z_]+$/);
    for (const m of Object.values(f)) {
      if (m instanceof CounterFamily) assert.match(m.name, /_total$/, `${m.name}: counters end in _total`);
      else assert.match(m.name, /_seconds$/, `${m.name}: histograms are in seconds`);
    }
    assert.throws(() => defineFamilies(registry), /already been registered/, 'one registry per server');
    assert.doesNotThrow(() => defineFamilies(new Registry()), 'several servers in one process');
  });
});
