/**
 * The cost of metrics on the warm invoke path (issue 7: warm figures may worsen by at most 10 %
 * with metering, tracing and metrics on). Two in-process servers in the same run, one with
 * `BATON_METRICS=off`; each round invokes a warm echo function WARM_INVOKES times on each, in
 * alternating order, and keeps the medians: overhead (round trip minus handler time), round trip,
 * and this process's CPU per invoke (the server's share; the instance's is its own process).
 * Printed side by side, with the ratio on/off, then what recording one invocation costs against
 * prom-client's own `labels()` children. Each round starts a fresh pair of servers; the on server
 * is scraped at the end of its round: its count must match what the round invoked.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import type { RunningServer } from '../src/server/server.ts';
import { defineFamilies } from '../src/telemetry/metrics/definitions.ts';
import { FunctionMeter } from '../src/telemetry/metrics/function-meter.ts';
import { otherLoad } from './lib/proc-cpu.ts';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const N = Number(process.env.WARM_INVOKES ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP = 2000;
const TOKEN = 'bench-metrics-token-0123456789';
const payload = '{"hello":"world","n":42}';

interface Round {
  overheadP50: number;
  overheadP99: number;
  roundTripP50: number;
  cpuPerInvokeUs: number;
  perSec: number;
}

async function round(server: RunningServer): Promise<Round> {
  const overhead: number[] = [];
  const roundTrip: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    const r = await server.invoker.invoke('warm', payload);
    const rt = performance.now() - s;
    roundTrip.push(rt);
    overhead.push(rt - r.durationMs);
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    overheadP50: percentile(overhead, 50) * 1000,
    overheadP99: percentile(overhead, 99) * 1000,
    roundTripP50: percentile(roundTrip, 50) * 1000,
    cpuPerInvokeUs: (cpu.user + cpu.system) / N,
    perSec: N / (elapsed / 1000),
  };
}

const load = otherLoad();
const rounds: { on: Round[]; off: Round[] } = { on: [], off: [] };
let counted: string | undefined;
let offStatus = 0;
for (let r = 0; r < ROUNDS; r++) {
  // A fresh pair each round: where the OS puts each server's instance process differs from pair
  // to pair, and would otherwise favour one side for the whole run.
  const on = await startBaton({ BATON_METRICS_TOKEN: TOKEN });
  const off = await startBaton({ BATON_METRICS: 'off', BATON_METRICS_TOKEN: TOKEN });
  for (const server of [on, off]) {
    await createTrivial(server, 'warm', { handler: 'index.echo' });
    for (let i = 0; i < WARMUP; i++) await server.invoker.invoke('warm', payload);
  }
  // Alternate which goes first, so drift in the machine's load falls on both alike.
  const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
  for (const which of order) rounds[which].push(await round(which === 'on' ? on : off));
  const scrape = (server: RunningServer) =>
    fetch(`${server.controlUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  counted = /^baton_function_invocations_total\{function="warm",[^}]*\} (\S+)$/m.exec(
    await (await scrape(on)).text(),
  )?.[1];
  offStatus = (await scrape(off)).status;
  await on.close();
  await off.close();
}
const othersLoad = load.others();

const med = (which: 'on' | 'off', k: keyof Round) => median(rounds[which].map((x) => x[k]));
const row = (what: string, k: keyof Round, digits: number) => {
  const a = med('on', k);
  const b = med('off', k);
  return [what, fmt(a, digits), fmt(b, digits), `${fmt(a / b, 3)}x`];
};
console.log(
  `Warm invocations with metrics on and off: ${ROUNDS} rounds × ${N} sequential, medians over rounds`,
);
table([
  ['what', 'metrics on', 'metrics off', 'on / off'],
  row('overhead p50 (round trip minus handler), µs', 'overheadP50', 1),
  row('overhead p99, µs', 'overheadP99', 1),
  row('round trip p50, µs', 'roundTripP50', 1),
  row('Baton-process CPU per invoke, µs', 'cpuPerInvokeUs', 1),
  row('sequential invokes/s', 'perSec', 0),
]);
console.log(`scraped baton_function_invocations_total{function="warm"}: ${counted} (expected ${N + WARMUP})`);
console.log(`metrics-off server answers /metrics with ${offStatus}`);
console.log(`other processes on the machine used ${fmt(othersLoad, 2)} cores meanwhile`);

// What recording one invocation costs in the meter, against prom-client's labels() children.
const meter = new FunctionMeter(defineFamilies(new Registry()));
const target = {
  record: { name: 'warm', app: 'bench', memory: 128 },
  key: 'warm',
  version: '$LATEST',
} as Parameters<FunctionMeter['invoked']>[0];
const result = { durationMs: 0.42, cold: false } as Parameters<FunctionMeter['invoked']>[1];
const registry = new Registry();
const labels = ['function', 'version', 'app'];
const pc = {
  invocations: new Counter({ name: 'a_total', help: 'a', labelNames: labels, registers: [registry] }),
  billed: new Counter({ name: 'b_total', help: 'b', labelNames: labels, registers: [registry] }),
  gbs: new Counter({ name: 'c_total', help: 'c', labelNames: labels, registers: [registry] }),
  duration: new Histogram({ name: 'd_seconds', help: 'd', labelNames: labels, registers: [registry] }),
};
const children = {
  invocations: pc.invocations.labels('warm', '$LATEST', 'bench'),
  billed: pc.billed.labels('warm', '$LATEST', 'bench'),
  gbs: pc.gbs.labels('warm', '$LATEST', 'bench'),
  duration: pc.duration.labels('warm', '$LATEST', 'bench'),
};
const time = (fn: () => void): number => {
  const M = 1_000_000;
  for (let i = 0; i < 100_000; i++) fn();
  const t = performance.now();
  for (let i = 0; i < M; i++) fn();
  return ((performance.now() - t) * 1e6) / M;
};
const ours = median([1, 2, 3].map(() => time(() => meter.invoked(target, result))));
const theirs = median(
  [1, 2, 3].map(() =>
    time(() => {
      children.invocations.inc();
      children.duration.observe(result.durationMs / 1000);
      children.billed.inc(1);
      children.gbs.inc(0.000125);
    }),
  ),
);
console.log('Recording one warm invocation (4 series), ns');
table([
  ['what', 'ns'],
  ['FunctionMeter.invoked (pre-bound plain children)', fmt(ours, 1)],
  ['baseline: prom-client labels() children, same 4 updates', fmt(theirs, 1)],
]);
