/**
 * Cache get/set from inside a function: `baton.cache` in a real runner process, over its fd-3
 * channel to the host's cache (validation, namespacing, the memory backend with LRU and TTL).
 * - Latency: p50 / p99 of one operation at a time, timed inside the function; the issue's target
 *   is p50 ≤ 0.1 ms.
 * - Throughput: ops/s one at a time and with 16 in flight.
 * - Host CPU per operation: this process's CPU (it is the server) over the run.
 * Peer, same run, same workload (bench/peers/cache-workload.mjs): a bare child process with the
 * same channel, answered from a plain Map, i.e. the floor any design over this channel has.
 * CACHE_OPS and BENCH_ROUNDS shorten or lengthen it; figures are medians over the rounds.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { parseFunctionConfig } from '../src/core/function-spec.ts';
import { encodeMessage, MessageReader } from '../src/runtime/framing.ts';
import { startBaton } from './lib/runtime.ts';
import { fmt, median, table } from './lib/stats.ts';

const N = Number(process.env.CACHE_OPS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VALUE = 'v'.repeat(100);
const WORKLOAD = readFileSync(join(import.meta.dirname, 'peers', 'cache-workload.mjs'), 'utf8');

type Result = { p50?: number; p99?: number; opsPerSec: number };
type Case = { op: 'get' | 'set'; inFlight: number };
const CASES: Case[] = [
  { op: 'get', inFlight: 1 },
  { op: 'set', inFlight: 1 },
  { op: 'get', inFlight: 16 },
  { op: 'set', inFlight: 16 },
];
const label = (c: Case) => `${c.op}, ${c.inFlight === 1 ? 'one at a time' : `${c.inFlight} in flight`}`;

/** Operations per case: the workload's first set and 2,000 warm-up operations, then N. */
const ALL_OPS = 1 + 2000 + N;

/** Runs `work` and returns its result with this process's CPU µs per operation. */
async function withCpu(work: () => Promise<Result>): Promise<Result & { cpuUs: number }> {
  const before = process.cpuUsage();
  const r = await work();
  const used = process.cpuUsage(before);
  return { ...r, cpuUs: (used.user + used.system) / ALL_OPS };
}

// Baton: a function in an app of its own, its handler running the workload.
const server = await startBaton();
const code = zipSync({
  'cache-workload.mjs': strToU8(WORKLOAD),
  'index.mjs': strToU8(
    "import { measure } from './cache-workload.mjs';\nexport const handler = (e) => measure(globalThis.baton.cache, e);\n",
  ),
});
await server.deployer.create(
  'cache-bench',
  parseFunctionConfig({ handler: 'index.handler', timeout: 300, memory: 256 }, 'bench'),
  code,
);
const inFunction = (c: Case) =>
  withCpu(async () => {
    const r = await server.invoker.invoke('cache-bench', JSON.stringify({ ...c, n: N, value: VALUE }));
    if (r.functionError) throw new Error(r.payload);
    return JSON.parse(r.payload) as Result;
  });

// Peer: the same channel to a bare child, a Map behind it.
const child = spawn(process.execPath, [join(import.meta.dirname, 'peers', 'fd3-cache-client.mjs')], {
  stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
});
const channel = child.stdio[3] as Socket;
const map = new Map<string, string>();
let resultWaiter: ((r: Result) => void) | undefined;
const reader = new MessageReader((message) => {
  const m = message as { t: string; id: number; op: string; key: string; value: string; result: Result };
  if (m.t === 'result') resultWaiter?.(m.result);
  else if (m.op === 'get')
    channel.write(encodeMessage({ t: 'cache-reply', id: m.id, ok: true, value: map.get(m.key) ?? null }));
  else {
    map.set(m.key, m.value);
    channel.write(encodeMessage({ t: 'cache-reply', id: m.id, ok: true, value: null }));
  }
});
channel.on('data', (chunk: Buffer) => reader.feed(chunk));
const inPeer = (c: Case) =>
  withCpu(
    () =>
      new Promise<Result>((resolve) => {
        resultWaiter = resolve;
        channel.write(encodeMessage({ t: 'run', ...c, n: N, value: VALUE }));
      }),
  );

const baton: Record<string, (Result & { cpuUs: number })[]> = {};
const peer: Record<string, (Result & { cpuUs: number })[]> = {};
for (const c of CASES) {
  baton[label(c)] = [];
  peer[label(c)] = [];
}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CASES) {
    baton[label(c)]!.push(await inFunction(c));
    peer[label(c)]!.push(await inPeer(c));
  }
}
child.kill();
await server.close();

const med = (
  rs: (Result & { cpuUs: number })[],
  pick: (r: Result & { cpuUs: number }) => number | undefined,
) => median(rs.map(pick).filter((x): x is number => x !== undefined));
const row = (rs: (Result & { cpuUs: number })[], inFlight: number) =>
  inFlight === 1
    ? `${fmt(
        med(rs, (r) => r.p50),
        3,
      )} / ${fmt(
        med(rs, (r) => r.p99),
        3,
      )} ms; ${Math.round(med(rs, (r) => r.opsPerSec))} ops/s; ${fmt(
        med(rs, (r) => r.cpuUs),
        1,
      )} µs host CPU`
    : `${Math.round(med(rs, (r) => r.opsPerSec))} ops/s; ${fmt(
        med(rs, (r) => r.cpuUs),
        1,
      )} µs host CPU`;

console.log(
  `Cache from inside a function, ${N} ops per case, ${VALUE.length}-byte values, medians of ${ROUNDS} rounds`,
);
table([
  ['case', 'baton.cache (p50 / p99; ops/s; host CPU per op)', 'peer: bare fd-3 channel + Map'],
  ...CASES.map((c) => [label(c), row(baton[label(c)]!, c.inFlight), row(peer[label(c)]!, c.inFlight)]),
]);
const p50 = med(baton[label(CASES[0]!)]!, (r) => r.p50);
console.log(`get p50 ${fmt(p50, 3)} ms against the 0.1 ms target: ${p50 <= 0.1 ? 'met' : 'missed'}`);
