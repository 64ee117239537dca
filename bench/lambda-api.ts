/**
 * The Lambda Invoke API through the real `@aws-sdk/client-lambda`, against `baton up` running as
 * its own process: cold start p50/p99 over 240 cold starts (one function each, each met by a
 * ready spare runner, as in steady state), then warm invokes, sequential and 8 in flight, with
 * the CPU each side spends per invoke: the Baton process, its runner processes (from /proc), and
 * this client process. Peer, same run: the same SDK Invoke against a bare node:http server that
 * answers `"ok"`. A cold start meets an idle machine (≥ 50 ms without work), which is slower to
 * answer than a busy one, so a warm invoke on Baton and on the peer after the same idle wait
 * stand beside it. SigV4 verification of an SDK-signed Invoke is timed in-process.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { type SignedRequest, verifySigV4 } from '../src/aws/sigv4.ts';
import { readLogs, startBatonProcess } from './lib/baton-process.ts';
import { childrenTicks, cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const COLD = Number(process.env.COLD_STARTS ?? 240);
const WARM = Number(process.env.WARM_INVOKES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 8;
const SPARES = 2;
/** Cold-start functions are deleted (and their logs read) in batches of this many. */
const BATCH = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ZIP = zipSync({ 'index.mjs': strToU8("export const handler = async () => 'ok';\n") });
const EMPTY = strToU8('{}');

const load = otherLoad();
const baton = await startBatonProcess({ BATON_SPARE_RUNNERS: String(SPARES) });
const lambda = baton.lambda();

const create = (name: string) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
    }),
  );
async function invoke(client: LambdaClient, name: string): Promise<void> {
  const r = await client.send(new InvokeCommand({ FunctionName: name, Payload: EMPTY }));
  const text = Buffer.from(r.Payload ?? []).toString();
  if (r.StatusCode !== 200 || r.FunctionError || text !== '"ok"')
    throw new Error(`${name}: ${r.StatusCode} ${r.FunctionError ?? ''} ${text}`);
}

/**
 * Waits until the server has `expected` child processes and none of them is using CPU (a spare
 * that is booting is): the state a cold start meets in steady state, a spare ready to take.
 */
async function settled(expected: number): Promise<void> {
  const deadline = Date.now() + 5000;
  let last = -1;
  let still = 0;
  while (Date.now() < deadline) {
    const { count, ticks } = childrenTicks(baton.pid);
    still = count === expected && ticks === last ? still + 1 : 0;
    last = ticks;
    if (still >= 5) return;
    await sleep(10);
  }
  console.warn(`runners did not settle: ${childrenTicks(baton.pid).count} processes, ${expected} expected`);
}

// The first invoke of a memory size boots a runner and starts the spares for that size.
await create('first');
await invoke(lambda, 'first');
await lambda.send(new DeleteFunctionCommand({ FunctionName: 'first' }));

// --- Peer: the same SDK call against a bare node:http server answering "ok" -------------------

const hello = spawn(process.execPath, [join(import.meta.dirname, 'peers', 'hello-server.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.on('exit', () => hello.kill('SIGKILL'));
const helloPort = await new Promise<string>((resolve) =>
  hello.stdout!.on('data', (d: Buffer) => {
    const m = /listening (\d+)/.exec(d.toString());
    if (m) resolve(m[1]!);
  }),
);
const peer = new LambdaClient({
  endpoint: `http://127.0.0.1:${helloPort}`,
  region: 'us-east-1',
  credentials: baton.credentials,
  maxAttempts: 1,
});
await invoke(peer, 'warm');

// --- Cold starts ----------------------------------------------------------------------------

const tCreate = performance.now();
for (let i = 0; i < COLD; i++) await create(`cold${i}`);
const createMs = (performance.now() - tCreate) / COLD;
// Contrast for each cold start: a warm invoke after the same idle time, ≥ 50 ms, on Baton and on
// the peer (an idle machine answers slower than a busy one, warm or cold).
await create('idle');
await invoke(lambda, 'idle');

const cold: number[] = [];
const idleWarm: number[] = [];
const idlePeer: number[] = [];
const inits: number[] = [];
let notCold = 0;

for (let i = 0; i < COLD; i++) {
  const live = SPARES + 1 + (i % BATCH);
  await settled(live);
  const t0 = performance.now();
  await invoke(lambda, `cold${i}`);
  cold.push(performance.now() - t0);
  await settled(live + 1);
  const t1 = performance.now();
  await invoke(lambda, 'idle');
  idleWarm.push(performance.now() - t1);
  await sleep(60);
  const t2 = performance.now();
  await invoke(peer, 'idle');
  idlePeer.push(performance.now() - t2);
  if ((i + 1) % BATCH === 0 || i === COLD - 1) {
    await sleep(300); // logs are written in batches every 200 ms
    for (let j = i - (i % BATCH); j <= i; j++) {
      const [rec] = await readLogs(baton, `cold${j}`);
      const init = /Init Duration: ([\d.]+) ms/.exec(rec?.message ?? '')?.[1];
      if (init === undefined) notCold++;
      else inits.push(Number(init));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: `cold${j}` }));
    }
  }
}
await lambda.send(new DeleteFunctionCommand({ FunctionName: 'idle' }));

// --- Warm invokes ---------------------------------------------------------------------------

interface Run {
  ms: number[];
  perSec: number;
  /** CPU ms per invoke. */
  server: number;
  runners: number;
  client: number;
}

/** `n` invokes, `inFlight` at a time; CPU per invoke of `serverPid` and its children. */
async function run(send: () => Promise<void>, n: number, inFlight: number, serverPid: number): Promise<Run> {
  const ms: number[] = [];
  const before = cpuSnapshot(serverPid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        await send();
        ms.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const client = process.cpuUsage(client0);
  const cpu = cpuSeconds(before, cpuSnapshot(serverPid));
  return {
    ms,
    perSec: n / (elapsed / 1000),
    server: (cpu.own * 1000) / n,
    runners: (cpu.children * 1000) / n,
    client: (client.user + client.system) / 1000 / n,
  };
}

async function rounds(send: () => Promise<void>, inFlight: number, serverPid: number): Promise<Run[]> {
  for (let i = 0; i < 500; i++) await send();
  const out: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) out.push(await run(send, WARM, inFlight, serverPid));
  return out;
}

await create('warm');
const warmSeq = await rounds(() => invoke(lambda, 'warm'), 1, baton.pid);
const warmPar = await rounds(() => invoke(lambda, 'warm'), IN_FLIGHT, baton.pid);
const instances = (
  (await (await baton.admin('GET', 'functions/warm')).json()) as {
    function: { instances: { live: number } };
  }
).function.instances.live;

const peerSeq = await rounds(() => invoke(peer, 'warm'), 1, hello.pid!);
const peerPar = await rounds(() => invoke(peer, 'warm'), IN_FLIGHT, hello.pid!);
hello.kill();
peer.destroy();

// --- SigV4: verifying a request exactly as the SDK signs an Invoke ----------------------------

const captured = await new Promise<SignedRequest>((resolve) => {
  const capture = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [rawPath = '', rawQuery = ''] = (req.url ?? '').split('?');
      resolve({
        method: req.method ?? 'POST',
        rawPath,
        rawQuery,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('"ok"');
    });
  });
  capture.listen(0, '127.0.0.1', () => {
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${(capture.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: baton.credentials,
      maxAttempts: 1,
    });
    void invoke(client, 'warm').finally(() => {
      client.destroy();
      capture.close();
    });
  });
});
const secretFor = () => baton.credentials.secretAccessKey;
const verifyUs: number[] = [];
for (let r = 0; r < 7; r++) {
  const n = 20_000;
  const now = Date.now();
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const v = verifySigV4(captured, secretFor, now, 'lambda');
    if (!v.ok) throw new Error(v.message);
  }
  verifyUs.push(((performance.now() - t) / n) * 1000);
}
const sigv4Us = median(verifyUs.slice(2));

const others = load.others();
lambda.destroy();
await baton.stop();

// --- Report ---------------------------------------------------------------------------------

const all = (runs: Run[]) => runs.flatMap((r) => r.ms);
const med = (runs: Run[], k: 'perSec' | 'server' | 'runners' | 'client') => median(runs.map((r) => r[k]));
console.log(
  `Lambda Invoke API through @aws-sdk/client-lambda, trivial handler, \`baton up\` as its own process (${SPARES} spare runners)`,
);
console.log(
  `cold: ${cold.length} cold starts, one function each; warm: ${ROUNDS} rounds of ${WARM} invokes; CPU figures are medians of the rounds`,
);
const latency = (label: string, ms: number[]) => [
  label,
  fmt(percentile(ms, 50)),
  fmt(percentile(ms, 99)),
  ...['', '', '', ''],
];
table([
  ['what', 'p50 ms', 'p99 ms', 'invokes/s', 'server CPU ms/inv', 'runners CPU', 'client CPU'],
  latency('baton cold start, SDK call → result', cold),
  latency('  of which module init (Init Duration)', inits),
  latency('baton warm, after the same idle wait', idleWarm),
  latency('peer: bare node:http "ok", after idle', idlePeer),
  ...(
    [
      ['baton warm, sequential', warmSeq],
      [`baton warm, ${IN_FLIGHT} in flight`, warmPar],
      ['peer: bare node:http "ok", sequential', peerSeq],
      [`peer: bare node:http "ok", ${IN_FLIGHT} in flight`, peerPar],
    ] as const
  ).map(([label, runs]) => [
    label,
    fmt(percentile(all(runs), 50)),
    fmt(percentile(all(runs), 99)),
    fmt(med(runs, 'perSec'), 0),
    fmt(med(runs, 'server'), 3),
    fmt(med(runs, 'runners'), 3),
    fmt(med(runs, 'client'), 3),
  ]),
]);
console.log(`SigV4 verification of an SDK-signed Invoke, in-process: ${fmt(sigv4Us, 1)} µs per request`);
console.log(
  `  = ${fmt((100 * sigv4Us) / 1000 / med(warmSeq, 'server'), 1)} % of the server's CPU per sequential warm invoke`,
);
console.log(
  `cold / warm p50: ${fmt(percentile(cold, 50) / percentile(all(warmSeq), 50), 1)}x;  CreateFunction: ${fmt(createMs)} ms each;  warm instances after ${IN_FLIGHT} in flight: ${instances}`,
);
if (notCold > 0) console.warn(`${notCold} of the "cold" invokes logged no Init Duration`);
console.log(
  `cold start minus the peer's round trip after the same idle wait (p50): ${fmt(percentile(cold, 50) - percentile(idlePeer, 50))} ms`,
);
console.log('target: cold start p50 ≤ 5 ms through the SDK');
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
