/**
 * Warm overhead, measured at the invoker (in-process, no HTTP): the round trip of an invocation
 * on a warm instance minus the handler's own time, p50/p99, and sequential invokes/s.
 * Baseline, same run: a bare child-process IPC round trip (process.send echo).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, percentile, table } from './lib/stats.ts';

const N = Number(process.env.WARM_INVOKES ?? 20_000);

const server = await startBaton();
await createTrivial(server, 'warm', { handler: 'index.echo' });
await server.invoker.invoke('warm', '{"x":1}');
const payload = '{"hello":"world","n":42}';
for (let i = 0; i < 2000; i++) await server.invoker.invoke('warm', payload);

const overhead: number[] = [];
const roundTrip: number[] = [];
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const s = performance.now();
  const r = await server.invoker.invoke('warm', payload);
  const rt = performance.now() - s;
  roundTrip.push(rt);
  overhead.push(rt - r.durationMs);
}
const perSec = N / ((performance.now() - t0) / 1000);
await server.close();

const child = fork(join(import.meta.dirname, 'peers', 'ipc-echo.mjs'), [], { stdio: 'ignore', execArgv: [] });
const echo = (m: { payload: string }) =>
  new Promise<void>((resolve) => {
    child.once('message', () => resolve());
    child.send(m);
  });
for (let i = 0; i < 2000; i++) await echo({ payload });
const ipc: number[] = [];
for (let i = 0; i < N; i++) {
  const s = performance.now();
  await echo({ payload });
  ipc.push(performance.now() - s);
}
child.kill();

console.log(`Warm invocations, ${N} sequential, ms`);
table([
  ['what', 'p50', 'p99'],
  [
    'baton overhead (round trip minus handler time)',
    fmt(percentile(overhead, 50), 3),
    fmt(percentile(overhead, 99), 3),
  ],
  ['baton round trip', fmt(percentile(roundTrip, 50), 3), fmt(percentile(roundTrip, 99), 3)],
  ['baseline: bare child IPC round trip', fmt(percentile(ipc, 50), 3), fmt(percentile(ipc, 99), 3)],
]);
console.log(`sequential warm invokes/s: ${Math.round(perSec)}`);
console.log(`overhead / bare IPC (p50): ${fmt(percentile(overhead, 50) / percentile(ipc, 50), 2)}x`);
