/**
 * Issue 7's budget for governance on the warm invoke path: the runtime's warm figures may worsen
 * by at most 10 % with metering, tracing and metrics all on. Each round runs `bench/warm.ts`'s
 * measurement twice, in fresh processes one after the other (the order alternates): once as
 * shipped (all three on), once with `BATON_METRICS=off BATON_TRACING=off BATON_METERING=off`
 * (`GOV_OFF` takes another set, e.g. '{"BATON_TRACING":"off"}' for tracing's share). A run starts
 * a server in its process, warms an echo function, then invokes it WARM_INVOKES times in sequence
 * through the invoker (the path every trigger shares) and reports the overhead (round trip minus
 * handler) p50 and p99, sequential invokes/s and its process's CPU per invoke. Printed: the medians
 * over rounds, and the median of each round's on/off ratio. Separate processes keep one server's
 * timers, instances and heap out of the other's figures.
 *
 * Two placements, each with its own table: unpinned, as `bench/warm.ts` measures the runtime
 * (where the scheduler puts each instance, beside its server or across cores, moves a run's
 * figures by up to 2x: the median of per-round ratios absorbs it), and pinned to one core with its
 * instances, where the base is smallest and steadiest, so the ratios are the strictest. BENCH_PIN
 * picks one: `off`, or a CPU number.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { otherLoad } from './lib/proc-cpu.ts';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const N = Number(process.env.WARM_INVOKES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = 3000;
const payload = '{"hello":"world","n":42}';
const ALL_OFF = '{"BATON_METRICS":"off","BATON_TRACING":"off","BATON_METERING":"off"}';

interface Run {
  overheadP50: number;
  overheadP99: number;
  invokesPerS: number;
  cpuPerInvokeUs: number;
}

/** One measured run in this process: prints its figures as JSON. */
async function measure(env: Record<string, string>): Promise<void> {
  const server = await startBaton(env);
  await createTrivial(server, 'warm', { handler: 'index.echo' });
  for (let i = 0; i < WARMUP; i++) await server.invoker.invoke('warm', payload);
  // The warm-up's log and usage flushes happen now, not in the measured window.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const overhead: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    const r = await server.invoker.invoke('warm', payload);
    overhead.push(performance.now() - s - r.durationMs);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await server.close();
  const run: Run = {
    overheadP50: percentile(overhead, 50) * 1000,
    overheadP99: percentile(overhead, 99) * 1000,
    invokesPerS: N / (wall / 1000),
    cpuPerInvokeUs: (cpu.user + cpu.system) / N,
  };
  console.log(JSON.stringify(run));
}

/** Runs `measure` in a fresh process (pinned like this one) and returns its figures. */
function child(env: Record<string, string>, pin: string): Run {
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const [cmd, ...args] = pin !== 'off' ? ['taskset', '-c', pin, ...argv] : argv;
  const run = spawnSync(cmd!, args, {
    encoding: 'utf8',
    env: { ...process.env, GOV_CHILD: JSON.stringify(env) },
    maxBuffer: 1 << 20,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`a run failed: ${run.stderr || line}`);
  return JSON.parse(line) as Run;
}

/** ROUNDS pairs of runs with `pin` ('off': unpinned), then their table. */
function compare(pin: string, off: Record<string, string>): void {
  const runs: { on: Run[]; off: Run[] } = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order) runs[which].push(child(which === 'on' ? {} : off, pin));
  }
  const row = (what: string, k: keyof Run) => {
    const ratio = median(runs.on.map((x, i) => x[k] / runs.off[i]![k]));
    const on = median(runs.on.map((x) => x[k]));
    const offMedian = median(runs.off.map((x) => x[k]));
    return [what, fmt(on, 1), fmt(offMedian, 1), `${fmt(ratio, 3)}x`];
  };
  console.log(
    pin === 'off'
      ? '\nunpinned, as bench/warm.ts measures the runtime:'
      : `\npinned to CPU ${pin} (each run and its instances): the smallest base, the strictest ratios:`,
  );
  table([
    ['what', 'all on', 'off', 'on / off (median of rounds)'],
    row('overhead p50 (round trip minus handler), µs', 'overheadP50'),
    row('overhead p99, µs', 'overheadP99'),
    row('sequential invokes/s', 'invokesPerS'),
    row('process CPU per invoke (server and bench loop), µs', 'cpuPerInvokeUs'),
  ]);
}

if (process.env.GOV_CHILD !== undefined) {
  await measure(JSON.parse(process.env.GOV_CHILD) as Record<string, string>);
} else {
  const off = JSON.parse(process.env.GOV_OFF ?? ALL_OFF) as Record<string, string>;
  const core = String(availableParallelism() - 1);
  // BENCH_PIN: 'off' (unpinned only), a CPU number (pinned only); unset: both.
  const pins =
    process.env.BENCH_PIN !== undefined
      ? [process.env.BENCH_PIN]
      : availableParallelism() > 1
        ? ['off', core]
        : ['off'];
  const load = otherLoad();
  console.log(
    `Warm invocations with metering, tracing and metrics all on and ${process.env.GOV_OFF ?? 'all off'}: ${ROUNDS} rounds × ${N} sequential invokes, a fresh process each`,
  );
  for (const pin of pins) compare(pin, off);
  console.log('\ntarget (issue 7): the warm figures worsen by at most 10 % with all on');
  console.log(`other processes on the machine used ${fmt(load.others(), 2)} cores meanwhile`);
}
