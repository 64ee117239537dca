/**
 * Issue 7's budget for governance on the warm invoke path: warm figures may worsen by at most 10 %
 * with metering, tracing and metrics all on. Two in-process servers in the same run: one as
 * shipped (all three on), one with `BATON_METRICS=off BATON_TRACING=off BATON_METERING=off`. Each
 * round starts a fresh pair, warms an echo function on each, then invokes it WARM_INVOKES times on
 * each, in alternating order; the medians over rounds of the overhead (round trip minus handler
 * time), the round trip, and this process's CPU per invoke (the server's share) are printed side
 * by side with the ratio. The invokes go through the invoker, the path every trigger shares.
 */
import { performance } from 'node:perf_hooks';
import type { RunningServer } from '../src/server/server.ts';
import { otherLoad } from './lib/proc-cpu.ts';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const N = Number(process.env.WARM_INVOKES ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = 2000;
const payload = '{"hello":"world","n":42}';
const OFF = JSON.parse(
  process.env.GOV_OFF ?? '{"BATON_METRICS":"off","BATON_TRACING":"off","BATON_METERING":"off"}',
) as Record<string, string>;

interface Round {
  overheadP50: number;
  overheadP99: number;
  roundTripP50: number;
  cpuPerInvokeUs: number;
}

async function round(server: RunningServer): Promise<Round> {
  const overhead: number[] = [];
  const roundTrip: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    const r = await server.invoker.invoke('warm', payload);
    const rt = performance.now() - s;
    roundTrip.push(rt);
    overhead.push(rt - r.durationMs);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    overheadP50: percentile(overhead, 50) * 1000,
    overheadP99: percentile(overhead, 99) * 1000,
    roundTripP50: percentile(roundTrip, 50) * 1000,
    cpuPerInvokeUs: (cpu.user + cpu.system) / N,
  };
}

const load = otherLoad();
const rounds: { on: Round[]; off: Round[] } = { on: [], off: [] };
for (let r = 0; r < ROUNDS; r++) {
  const on = await startBaton();
  const off = await startBaton(OFF);
  for (const server of [on, off]) {
    await createTrivial(server, 'warm', { handler: 'index.echo' });
    for (let i = 0; i < WARMUP; i++) await server.invoker.invoke('warm', payload);
  }
  const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
  for (const which of order) rounds[which].push(await round(which === 'on' ? on : off));
  await on.close();
  await off.close();
}
const med = (which: 'on' | 'off', k: keyof Round) => median(rounds[which].map((x) => x[k]));
const row = (what: string, k: keyof Round) => {
  const a = med('on', k);
  const b = med('off', k);
  return [what, fmt(a, 1), fmt(b, 1), `${fmt(a / b, 3)}x`];
};
console.log(
  `Warm invocations with metering, tracing and metrics all on and all off: ${ROUNDS} rounds × ${N} sequential, medians over rounds`,
);
table([
  ['what', 'all on', 'all off', 'on / off'],
  row('overhead p50 (round trip minus handler), µs', 'overheadP50'),
  row('overhead p99, µs', 'overheadP99'),
  row('round trip p50, µs', 'roundTripP50'),
  row('Baton-process CPU per invoke, µs', 'cpuPerInvokeUs'),
]);
console.log('target (issue 7): the warm figures worsen by at most 10 % with all on');
console.log(`other processes on the machine used ${fmt(load.others(), 2)} cores meanwhile`);
