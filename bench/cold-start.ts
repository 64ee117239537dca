/**
 * Cold start: from an invoke request to its result, for a trivial handler on an instance that
 * does not exist yet, p50/p99 over 250 cold starts. Baseline, same run: a bare `node -e 0`.
 * Each cold start takes a pre-started runner, as in steady state; between samples the bench
 * waits for the spare pool to refill (a refill is a process boot in the background).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { signRequest } from '../src/aws/sigv4-sign.ts';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, percentile, table } from './lib/stats.ts';

const N = Number(process.env.COLD_STARTS ?? 400);
const BASELINE_RUNS = 50;

const server = await startBaton({ BATON_SPARE_RUNNERS: '2' });
const cold: number[] = [];
const viaHttp: number[] = [];
const inits: number[] = [];
const creds = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' };
for (let i = 0; i < N; i++) {
  const name = `cold${i}`;
  await createTrivial(server, name);
  await server.spares.whenFull();
  const http = i % 2 === 1;
  const t0 = performance.now();
  if (http) {
    // Signed as every control-plane request must be (SigV4, service `baton`): part of the cost.
    const url = new URL(`${server.controlUrl}/admin/v1/functions/${name}/invoke`);
    const { host: _h, ...headers } = signRequest('POST', url, {}, '{}', creds, {
      region: 'us-east-1',
      service: 'baton',
      now: Date.now(),
    });
    const res = await fetch(url, { method: 'POST', body: '{}', headers });
    if ((await res.text()) !== '"ok"') throw new Error('unexpected result');
    viaHttp.push(performance.now() - t0);
  } else {
    const r = await server.invoker.invoke(name, '{}');
    const ms = performance.now() - t0;
    if (!r.cold || r.payload !== '"ok"') throw new Error(`not a cold start: ${JSON.stringify(r)}`);
    cold.push(ms);
    inits.push(r.initDurationMs ?? Number.NaN);
  }
  await server.deployer.delete(name);
}

// Without a spare: the full process boot a cold start would pay without the pre-started pool.
const noSpare: number[] = [];
const serverNoSpares = await startBaton({ BATON_SPARE_RUNNERS: '0' });
for (let i = 0; i < 20; i++) {
  await createTrivial(serverNoSpares, `boot${i}`);
  const t0 = performance.now();
  await serverNoSpares.invoker.invoke(`boot${i}`, '{}');
  noSpare.push(performance.now() - t0);
  await serverNoSpares.deployer.delete(`boot${i}`);
}

const bare: number[] = [];
for (let i = 0; i < BASELINE_RUNS; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t0);
}

console.log(
  `Cold start, trivial handler (${cold.length} in-process + ${viaHttp.length} over HTTP samples), ms`,
);
table([
  ['what', 'p50', 'p99'],
  ['baton cold start (invoker, in-process)', fmt(percentile(cold, 50)), fmt(percentile(cold, 99))],
  ['baton cold start (admin API over HTTP)', fmt(percentile(viaHttp, 50)), fmt(percentile(viaHttp, 99))],
  ['  of which module init (Init Duration)', fmt(percentile(inits, 50)), fmt(percentile(inits, 99))],
  ['baton cold start with no spare runner', fmt(percentile(noSpare, 50)), fmt(percentile(noSpare, 99))],
  ['baseline: bare `node -e 0`', fmt(percentile(bare, 50)), fmt(percentile(bare, 99))],
]);
console.log(
  `ratio bare node start / baton cold start (p50): ${fmt(percentile(bare, 50) / percentile(cold, 50), 1)}x`,
);
await server.close();
await serverNoSpares.close();
