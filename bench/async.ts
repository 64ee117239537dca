/**
 * Async invocations (`InvocationType: 'Event'`) through the real `@aws-sdk/client-lambda`, against
 * `baton up` running as its own process.
 * - Latency: 240 events sent one at a time; from the 202 to the handler's start. The handler logs
 *   its start on the machine's monotonic clock (`process.hrtime`, one clock for every process on
 *   the machine, in ns) with the event's sequence number; the bench reads the lines back from the
 *   admin API. Peer, interleaved in the same run: the same handler
 *   invoked synchronously (RequestResponse), from the SDK call to the handler's start.
 * - Rate: 5,000 events, 32 SDK sends in flight, until the handler has run every one (counted in
 *   its log lines): accepted/s and completed/s, and the CPU per event of the Baton process, its
 *   runners and this client. Peer, same rounds: 5,000 RequestResponse invokes, 32 in flight.
 */
import { cpus } from 'node:os';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { readLogs, startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const SEQUENTIAL = Number(process.env.ASYNC_EVENTS ?? 240);
const BURST = Number(process.env.ASYNC_BURST ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 32;
const FN = 'async-bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * ms on the machine's monotonic clock, comparable across processes. (`performance.timeOrigin` is
 * not: it is taken at each process's start, and two processes disagree by milliseconds.)
 */
const wall = () => Number(process.hrtime.bigint()) / 1e6;

const load = otherLoad();
const baton = await startBatonProcess();
const lambda = baton.lambda();
await lambda.send(
  new CreateFunctionCommand({
    FunctionName: FN,
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/bench',
    Handler: 'index.handler',
    Code: {
      ZipFile: zipSync({
        'index.mjs': strToU8(
          'export const handler = async (event) => {\n' +
            '  const t = Number(process.hrtime.bigint()) / 1e6;\n' +
            "  console.log('T', event.seq, t.toFixed(3));\n" +
            '  return t;\n' +
            '};\n',
        ),
      }),
    },
  }),
);

/** Handler start times by sequence number, from the function's stored log lines. */
const started = new Map<number, number>();
let duplicates = 0;
let lastLogId = 0;
async function collectLogs(): Promise<void> {
  const events = await readLogs(baton, FN, lastLogId);
  for (const e of events) {
    lastLogId = e.id;
    for (const m of e.message.matchAll(/\tINFO\tT (-?\d+) ([\d.]+)$/gm)) {
      const seq = Number(m[1]);
      // Warm-up and synchronous peers log negative numbers, reused.
      if (started.has(seq) && seq >= 0) duplicates++;
      else started.set(seq, Number(m[2]));
    }
  }
}
/** Waits until the handler has started every event in `seqs`; false if it stops making progress. */
async function waitForStarts(seqs: number[]): Promise<boolean> {
  let missing = seqs.length;
  let progressAt = Date.now();
  while (missing > 0) {
    await sleep(200);
    await collectLogs();
    const now = seqs.reduce((n, s) => n + (started.has(s) ? 0 : 1), 0);
    if (now < missing) progressAt = Date.now();
    missing = now;
    if (Date.now() - progressAt > 15_000) return false;
  }
  return true;
}

const event = (seq: number, type: 'Event' | 'RequestResponse') =>
  lambda.send(
    new InvokeCommand({
      FunctionName: FN,
      InvocationType: type,
      Payload: strToU8(JSON.stringify({ seq })),
    }),
  );

// Warm-up: the instance exists, and the SDK client and both paths are warm.
for (let i = 0; i < 50; i++) {
  await event(-1, 'RequestResponse');
  await event(-1, 'Event');
}
await sleep(300);

// --- Latency, one at a time -----------------------------------------------------------------

const syncToStart: number[] = [];
const syncTotal: number[] = [];
let outside = 0;
const accepted = new Map<number, { call: number; at202: number }>();
for (let i = 0; i < SEQUENTIAL; i++) {
  const s0 = wall();
  const r = await event(-2, 'RequestResponse');
  const s1 = wall();
  const start = Number(Buffer.from(r.Payload ?? []).toString());
  // The handler starts between the call and its result, or the two clocks do not agree.
  if (!(start >= s0 && start <= s1)) outside++;
  syncToStart.push(start - s0);
  syncTotal.push(s1 - s0);
  await sleep(10);
  const a0 = wall();
  const a = await event(i, 'Event');
  if (a.StatusCode !== 202) throw new Error(`Event invoke answered ${a.StatusCode}`);
  accepted.set(i, { call: a0, at202: wall() });
  await sleep(10);
}
const seqs = [...accepted.keys()];
if (!(await waitForStarts(seqs))) console.warn('some sequential events never ran');
const to202 = seqs.map((s) => accepted.get(s)!.at202 - accepted.get(s)!.call);
const fromAccept = seqs.filter((s) => started.has(s)).map((s) => started.get(s)! - accepted.get(s)!.at202);
const callToStart = seqs.filter((s) => started.has(s)).map((s) => started.get(s)! - accepted.get(s)!.call);

// --- Rate: a burst, a bounded number of sends in flight ---------------------------------------

interface Round {
  accepted: number;
  acceptedPerSec: number;
  completedPerSec: number;
  /** ms from the last 202 to the last handler start: the backlog left when sending stopped. */
  drain: number;
  rejected: Map<string, number>;
  lost: number;
  /** CPU ms per event. */
  server: number;
  runners: number;
  client: number;
}

async function burst(round: number, type: 'Event' | 'RequestResponse'): Promise<Round> {
  const base = (round + 1) * 1_000_000 + (type === 'Event' ? 0 : 500_000);
  const at202 = new Map<number, number>();
  const rejected = new Map<string, number>();
  const before = cpuSnapshot(baton.pid);
  const c0 = process.cpuUsage();
  const t0 = wall();
  let last = t0;
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BURST) {
        const seq = base + next++;
        try {
          await event(seq, type);
          last = wall();
          at202.set(seq, last);
        } catch (e) {
          const name = (e as Error).name;
          rejected.set(name, (rejected.get(name) ?? 0) + 1);
        }
      }
    }),
  );
  const client = process.cpuUsage(c0);
  let done = last;
  let lost = 0;
  if (type === 'Event') {
    const ok = [...at202.keys()];
    if (!(await waitForStarts(ok))) lost = ok.filter((s) => !started.has(s)).length;
    for (const s of ok) done = Math.max(done, started.get(s) ?? 0);
  }
  const cpu = cpuSeconds(before, cpuSnapshot(baton.pid));
  const n = at202.size;
  return {
    accepted: n,
    acceptedPerSec: (n / (last - t0)) * 1000,
    completedPerSec: ((n - lost) / (done - t0)) * 1000,
    drain: done - last,
    rejected,
    lost,
    server: (cpu.own * 1000) / n,
    runners: (cpu.children * 1000) / n,
    client: (client.user + client.system) / 1000 / n,
  };
}

const async: Round[] = [];
const sync: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  async.push(await burst(r, 'Event'));
  sync.push(await burst(r, 'RequestResponse'));
}
const instances = (
  (await (await baton.admin('GET', `functions/${FN}`)).json()) as {
    function: { instances: { live: number } };
  }
).function.instances.live;
const others = load.others();
lambda.destroy();
await baton.stop();

// --- Report ---------------------------------------------------------------------------------

console.log(
  `Async invocations through @aws-sdk/client-lambda, trivial handler, \`baton up\` as its own process`,
);
console.log(`One at a time: ${SEQUENTIAL} Event invokes interleaved with ${SEQUENTIAL} RequestResponse, ms`);
table([
  ['what', 'p50', 'p99'],
  ['Event: 202 → handler start', fmt(percentile(fromAccept, 50)), fmt(percentile(fromAccept, 99))],
  ['Event: SDK call → 202', fmt(percentile(to202, 50)), fmt(percentile(to202, 99))],
  ['Event: SDK call → handler start', fmt(percentile(callToStart, 50)), fmt(percentile(callToStart, 99))],
  [
    'peer: RequestResponse, SDK call → handler start',
    fmt(percentile(syncToStart, 50)),
    fmt(percentile(syncToStart, 99)),
  ],
  [
    'peer: RequestResponse, SDK call → result',
    fmt(percentile(syncTotal, 50)),
    fmt(percentile(syncTotal, 99)),
  ],
]);
if (outside > 0)
  console.warn(`${outside} synchronous handler starts fell outside their call: clocks disagree`);
console.log(
  'target: Event, 202 → handler start p50 ≤ 5 ms (below 0: the handler started before the client read the 202)',
);

const med = (rounds: Round[], k: 'acceptedPerSec' | 'completedPerSec' | 'server' | 'runners' | 'client') =>
  median(rounds.map((r) => r[k]));
console.log(
  `\nBurst: ${BURST} invokes, ${IN_FLIGHT} SDK sends in flight, ${ROUNDS} rounds, medians; CPU in ms per invoke`,
);
table([
  ['what', 'accepted/s', 'completed/s', 'server CPU', 'runners CPU', 'client CPU'],
  [
    'Event (accepted = 202, completed = handler ran)',
    fmt(med(async, 'acceptedPerSec'), 0),
    fmt(med(async, 'completedPerSec'), 0),
    fmt(med(async, 'server'), 3),
    fmt(med(async, 'runners'), 3),
    fmt(med(async, 'client'), 3),
  ],
  [
    'peer: RequestResponse',
    fmt(med(sync, 'acceptedPerSec'), 0),
    fmt(med(sync, 'completedPerSec'), 0),
    fmt(med(sync, 'server'), 3),
    fmt(med(sync, 'runners'), 3),
    fmt(med(sync, 'client'), 3),
  ],
]);
console.log(
  `Event: from the last 202 to the last handler start (backlog when sending stops): ${fmt(median(async.map((r) => r.drain)), 0)} ms`,
);
for (const [what, rounds] of [
  ['Event', async],
  ['RequestResponse', sync],
] as const) {
  const rejected = new Map<string, number>();
  for (const r of rounds) for (const [k, v] of r.rejected) rejected.set(k, (rejected.get(k) ?? 0) + v);
  const lost = rounds.reduce((n, r) => n + r.lost, 0);
  if (rejected.size > 0 || lost > 0)
    console.warn(
      `${what}: rejected ${JSON.stringify(Object.fromEntries(rejected))}; accepted but never ran: ${lost}`,
    );
}
console.log(`handler runs seen twice (at-least-once): ${duplicates}; instances at the end: ${instances}`);
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
