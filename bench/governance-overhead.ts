/**
 * Issue 7's budget for governance on the warm invoke path: warm figures may worsen by at most 10 %
 * with metering, tracing and metrics all on. Two in-process servers in the same run: one as
 * shipped (all three on), one with `BATON_METRICS=off BATON_TRACING=off BATON_METERING=off`
 * (`GOV_OFF` takes another set, e.g. '{"BATON_TRACING":"off"}' for tracing's share). Each round
 * starts a fresh pair and warms an echo function on each; it times WARM_INVOKES invokes on each in
 * alternating blocks of 250, so the machine's drift hits both alike, then measures this process's
 * CPU (the servers' share) over one window per server. Printed: the medians over rounds of the
 * runtime's warm figures (`bench/warm.ts`: overhead p50 and p99, sequential invokes/s), the round
 * trip, and CPU per invoke, side by side with the ratio. The invokes go through the invoker, the
 * path every trigger shares. The run pins itself to one core (BENCH_PIN=off: not): unpinned,
 * where the scheduler puts each instance moves a run's figures by up to 2x, far more than
 * governance does; pinned, the base is smallest, so the ratios are the strictest.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RunningServer } from '../src/server/server.ts';
import { otherLoad } from './lib/proc-cpu.ts';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

// Pinned to one core (the last), with the instances it starts: unpinned, where the scheduler puts
// each instance (beside this process or across cores) moves a run's figures by 2x, far more than
// governance does. BENCH_PIN=off runs unpinned.
if (process.env.BENCH_PIN === undefined && availableParallelism() > 1) {
  const cpu = String(availableParallelism() - 1);
  const run = spawnSync(
    'taskset',
    ['-c', cpu, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PIN: cpu },
    },
  );
  if (run.error === undefined) process.exit(run.status ?? 1);
  console.log(`taskset is not available (${run.error.message}): running unpinned`);
}

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
  invokesPerS: number;
  cpuPerInvokeUs: number;
}

const BLOCK = 250;

/**
 * Times `N` invokes on each server in alternating blocks of BLOCK, so drift hits both alike;
 * then measures CPU over one window of `N` invokes per server (this machine's CPU accounting is
 * too coarse for short blocks: it catches up in bursts every few milliseconds).
 */
async function round(on: RunningServer, off: RunningServer, r: number): Promise<{ on: Round; off: Round }> {
  const acc = {
    on: { overhead: [] as number[], roundTrip: [] as number[], cpu: 0 },
    off: { overhead: [] as number[], roundTrip: [] as number[], cpu: 0 },
  };
  const server = (which: 'on' | 'off') => (which === 'on' ? on : off);
  for (let b = 0; b < N / BLOCK; b++) {
    const order = b % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order) {
      const a = acc[which];
      for (let i = 0; i < BLOCK; i++) {
        const s = performance.now();
        const res = await server(which).invoker.invoke('warm', payload);
        const rt = performance.now() - s;
        a.roundTrip.push(rt);
        a.overhead.push(rt - res.durationMs);
      }
    }
  }
  for (const which of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i++) await server(which).invoker.invoke('warm', payload);
    const cpu = process.cpuUsage(cpu0);
    acc[which].cpu = cpu.user + cpu.system;
  }
  const summary = (a: (typeof acc)['on']): Round => ({
    overheadP50: percentile(a.overhead, 50) * 1000,
    overheadP99: percentile(a.overhead, 99) * 1000,
    roundTripP50: percentile(a.roundTrip, 50) * 1000,
    // Sequential: one invoke at a time, so the rate is the inverse of the mean round trip.
    invokesPerS: a.roundTrip.length / (a.roundTrip.reduce((x, y) => x + y, 0) / 1000),
    cpuPerInvokeUs: a.cpu / N,
  });
  return { on: summary(acc.on), off: summary(acc.off) };
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
  const both = await round(on, off, r);
  rounds.on.push(both.on);
  rounds.off.push(both.off);
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
  row('sequential invokes/s', 'invokesPerS'),
  row('Baton-process CPU per invoke, µs', 'cpuPerInvokeUs'),
]);
console.log('target (issue 7): the warm figures worsen by at most 10 % with all on');
console.log(
  process.env.BENCH_PIN === 'off' || process.env.BENCH_PIN === undefined
    ? 'unpinned'
    : `pinned to CPU ${process.env.BENCH_PIN} (this process and its instances)`,
);
console.log(`other processes on the machine used ${fmt(load.others(), 2)} cores meanwhile`);
