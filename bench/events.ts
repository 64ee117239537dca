/**
 * EventBridge (event bus, PutEvents → rule → Lambda target) and EventBridge Scheduler, through the
 * real `@aws-sdk/client-eventbridge` and `@aws-sdk/client-scheduler`, against `baton up` running
 * as its own process. The bus has 100 rules; one matches (`source: bench`) and targets a function.
 * - Latency: 240 events sent one at a time (PutEvents of 1 entry); from the call and from its 200
 *   to the handler's start. The handler logs its start on the machine's monotonic clock
 *   (`process.hrtime`, one clock for every process on the machine) with the event's sequence
 *   number; the bench reads the lines back from the admin API. Peer, interleaved in the same run:
 *   the same handler invoked asynchronously (`InvocationType: 'Event'`), SDK call → handler start.
 * - Rate: 3,000 entries in PutEvents batches of 10, 16 calls in flight, until the handler has run
 *   every one; events/s and CPU per event of the Baton process and its runners. Peer: the same
 *   3,000 as Event invokes, 16 in flight. And, for scale, 30 PutEvents calls of 10 entries one at
 *   a time to Baton and to moto's server (`moto_server`), each with the same 100 rules (moto's
 *   matching rule targets one of its SQS queues: it runs no functions without Docker).
 * - Schedules: 1,000 one-time `at()` schedules spread over 60 s (about 17 due each second), each
 *   targeting a function with its own sequence number as Input; the delay from each slot's due
 *   time to the handler's start (wall clock, `Date.now()`, in both processes). Peer in the same
 *   window: a timer in this process that invokes the same function (Event) at its own due times,
 *   half a second off the schedules' so that the two do not contend.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { readLogs, startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, percentile, table } from './lib/stats.ts';

const SEQUENTIAL = Number(process.env.EVENTS_SEQUENTIAL ?? 240);
const BURST = Number(process.env.EVENTS_BURST ?? 3000);
const MOTO_CALLS = Number(process.env.MOTO_CALLS ?? 30);
const SCHEDULES = Number(process.env.EVENTS_SCHEDULES ?? 1000);
const SPREAD_S = 60;
const RULES = 100;
const IN_FLIGHT = 16;
const FN = 'events-bench';
const SCHED_FN = 'schedule-bench';
const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/bench`;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** Sequence number ranges, one per kind of delivery. */
const SEQ = {
  put: 0,
  invoke: 100_000,
  burst: 1_000_000,
  burstInvoke: 2_000_000,
  sched: 3_000_000,
  timer: 4_000_000,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ms on the machine's monotonic clock, comparable across processes. */
const mono = () => Number(process.hrtime.bigint()) / 1e6;

/** Every process this bench starts; all are stopped when it ends, however it ends. */
const spawned: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of spawned) p.kill('SIGKILL');
});

const load = otherLoad();
const baton = await startBatonProcess();
const cfg = {
  endpoint: baton.controlUrl,
  region: 'us-east-1',
  credentials: baton.credentials,
  maxAttempts: 1,
};
const lambda = baton.lambda();
const eb = new EventBridgeClient(cfg);
const scheduler = new SchedulerClient(cfg);

const HANDLER =
  'export const handler = async (e) => {\n' +
  '  const t = Number(process.hrtime.bigint()) / 1e6;\n' +
  '  const seq = e.detail ? e.detail.seq : e.seq;\n' +
  "  console.log('T', seq, t.toFixed(3), Date.now());\n" +
  '  return t;\n' +
  '};\n';
for (const FunctionName of [FN, SCHED_FN])
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName,
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: zipSync({ 'index.mjs': strToU8(HANDLER) }) },
    }),
  );

/** 100 rules on a bus: the first matches `source: bench` and targets `target`, the rest never match. */
async function putRules(client: EventBridgeClient, bus: string, target: string): Promise<void> {
  if (bus !== 'default') await client.send(new CreateEventBusCommand({ Name: bus }));
  for (let i = 0; i < RULES; i++) {
    const source = i === 0 ? 'bench' : `other-${i}`;
    await client.send(
      new PutRuleCommand({
        Name: `rule-${i}`,
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: [source], 'detail-type': ['tick'] }),
      }),
    );
    if (i === 0)
      await client.send(
        new PutTargetsCommand({ Rule: `rule-${i}`, EventBusName: bus, Targets: [{ Id: 't', Arn: target }] }),
      );
  }
}
await putRules(eb, 'bench', fnArn(FN));

// --- Handler starts, from the functions' stored log lines ---------------------------------------

interface Start {
  mono: number;
  wall: number;
}
const started = new Map<number, Start>();
let duplicates = 0;
const lastLogId = new Map<string, number>();
async function collectLogs(fn: string): Promise<void> {
  const events = await readLogs(baton, fn, lastLogId.get(fn) ?? 0);
  for (const e of events) {
    lastLogId.set(fn, e.id);
    for (const m of e.message.matchAll(/\tINFO\tT (-?\d+) ([\d.]+) (\d+)$/gm)) {
      const seq = Number(m[1]);
      if (started.has(seq) && seq >= 0) duplicates++;
      else started.set(seq, { mono: Number(m[2]), wall: Number(m[3]) });
    }
  }
}
/** Waits until the handler has started every event in `seqs`; false if it stops making progress. */
async function waitForStarts(fn: string, seqs: number[], patienceMs = 15_000): Promise<boolean> {
  let missing = seqs.length;
  let progressAt = Date.now();
  while (missing > 0) {
    await sleep(200);
    await collectLogs(fn);
    const now = seqs.reduce((n, s) => n + (started.has(s) ? 0 : 1), 0);
    if (now < missing) progressAt = Date.now();
    missing = now;
    if (Date.now() - progressAt > patienceMs) return false;
  }
  return true;
}

const entry = (seq: number): PutEventsRequestEntry => ({
  EventBusName: 'bench',
  Source: 'bench',
  DetailType: 'tick',
  Detail: JSON.stringify({ seq }),
});
async function putEvents(client: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<void> {
  const r = await client.send(new PutEventsCommand({ Entries: entries }));
  if (r.FailedEntryCount) throw new Error(`PutEvents: ${r.FailedEntryCount} entries failed`);
}
const invoke = (fn: string, seq: number, type: 'Event' | 'RequestResponse' = 'Event') =>
  lambda.send(
    new InvokeCommand({ FunctionName: fn, InvocationType: type, Payload: strToU8(JSON.stringify({ seq })) }),
  );

// Warm-up: instances exist, the SDK clients and both paths are warm.
for (let i = 0; i < 50; i++) {
  await putEvents(eb, [entry(-1)]);
  await invoke(FN, -1);
}
await Promise.all(Array.from({ length: 20 }, () => invoke(SCHED_FN, -1, 'RequestResponse')));
await sleep(300);

// --- 1. Latency, one at a time ------------------------------------------------------------------

const sent = new Map<number, { call: number; answered: number }>();
for (let i = 0; i < SEQUENTIAL; i++) {
  let t0 = mono();
  await putEvents(eb, [entry(SEQ.put + i)]);
  sent.set(SEQ.put + i, { call: t0, answered: mono() });
  await sleep(10);
  t0 = mono();
  const a = await invoke(FN, SEQ.invoke + i);
  if (a.StatusCode !== 202) throw new Error(`Event invoke answered ${a.StatusCode}`);
  sent.set(SEQ.invoke + i, { call: t0, answered: mono() });
  await sleep(10);
}
if (!(await waitForStarts(FN, [...sent.keys()]))) console.warn('some sequential events never ran');
const lat = (base: number, from: 'call' | 'answered') =>
  Array.from({ length: SEQUENTIAL }, (_, i) => base + i)
    .filter((s) => started.has(s))
    .map((s) => started.get(s)!.mono - sent.get(s)![from]);
const toAnswer = (base: number) =>
  Array.from({ length: SEQUENTIAL }, (_, i) => sent.get(base + i)!).map((x) => x.answered - x.call);

// --- 2. Rate ------------------------------------------------------------------------------------

interface Rate {
  perSec: number;
  acceptedPerSec: number;
  lost: number;
  serverUs: number;
  runnersUs: number;
}
async function burst(kind: 'put' | 'invoke'): Promise<Rate> {
  const base = kind === 'put' ? SEQ.burst : SEQ.burstInvoke;
  const per = kind === 'put' ? 10 : 1;
  const seqs = Array.from({ length: BURST }, (_, i) => base + i);
  const before = cpuSnapshot(baton.pid);
  const t0 = mono();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BURST) {
        const batch = seqs.slice(next, next + per);
        next += per;
        if (kind === 'put') await putEvents(eb, batch.map(entry));
        else await invoke(FN, batch[0]!);
      }
    }),
  );
  const accepted = mono();
  const ok = await waitForStarts(FN, seqs);
  const lost = ok ? 0 : seqs.filter((s) => !started.has(s)).length;
  const done = Math.max(...seqs.map((s) => started.get(s)?.mono ?? 0));
  const cpu = cpuSeconds(before, cpuSnapshot(baton.pid));
  return {
    perSec: ((BURST - lost) / (done - t0)) * 1000,
    acceptedPerSec: (BURST / (accepted - t0)) * 1000,
    lost,
    serverUs: (cpu.own * 1e6) / BURST,
    runnersUs: (cpu.children * 1e6) / BURST,
  };
}
const putRate = await burst('put');
const invokeRate = await burst('invoke');

/** Calls/s of `calls` PutEvents of 10 matching entries, one at a time; CPU µs per call of `pid`. */
async function sequentialCalls(client: EventBridgeClient, pid: number, calls: number, bus: string) {
  const before = cpuSnapshot(pid);
  const t0 = mono();
  const each: number[] = [];
  for (let c = 0; c < calls; c++) {
    const s = mono();
    await putEvents(
      client,
      Array.from({ length: 10 }, (_, i) => ({ ...entry(-3 - i), EventBusName: bus })),
    );
    each.push(mono() - s);
  }
  const secs = (mono() - t0) / 1000;
  const cpu = cpuSeconds(before, cpuSnapshot(pid));
  return { perSec: calls / secs, p50: percentile(each, 50), cpuMs: (cpu.own * 1000) / calls };
}
const batonCalls = await sequentialCalls(eb, baton.pid, MOTO_CALLS, 'bench');

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
let motoCalls: { perSec: number; p50: number; cpuMs: number } | undefined;
let motoDelivered = Number.NaN;
try {
  const bin = execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const proc = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  spawned.push(proc);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      break;
    } catch {
      if (i > 300 || proc.exitCode !== null) throw new Error('moto_server did not start');
      await sleep(50);
    }
  }
  const motoCfg = { ...cfg, endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const motoEb = new EventBridgeClient(motoCfg);
  const motoSqs = new SQSClient(motoCfg);
  const { QueueUrl } = await motoSqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
  await putRules(motoEb, 'default', `arn:aws:sqs:us-east-1:123456789012:bench`);
  await putEvents(motoEb, [{ ...entry(-1), EventBusName: 'default' }]);
  motoCalls = await sequentialCalls(motoEb, proc.pid!, MOTO_CALLS, 'default');
  const attrs = await motoSqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  motoDelivered = Number(attrs.Attributes?.ApproximateNumberOfMessages) - 1;
  motoEb.destroy();
  motoSqs.destroy();
  proc.kill('SIGKILL');
} catch (e) {
  console.warn(`moto_server: ${(e as Error).message}`);
}

// --- 3. Schedules -------------------------------------------------------------------------------

/** `at()` wants local wall time without a zone: this is UTC. */
const atUtc = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
const firstDue = Math.ceil((Date.now() + 20_000) / 1000) * 1000;
const due = new Map<number, number>();
for (let i = 0; i < SCHEDULES; i++) due.set(SEQ.sched + i, firstDue + (i % SPREAD_S) * 1000);
const c0 = Date.now();
const createCpu0 = cpuSnapshot(baton.pid);
{
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < SCHEDULES) {
        const seq = SEQ.sched + next++;
        await scheduler.send(
          new CreateScheduleCommand({
            Name: `s-${seq}`,
            ScheduleExpression: atUtc(due.get(seq)!),
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: { Arn: fnArn(SCHED_FN), RoleArn: ROLE, Input: JSON.stringify({ seq }) },
          }),
        );
      }
    }),
  );
}
const createMs = Date.now() - c0;
const createCpuMs = (cpuSeconds(createCpu0, cpuSnapshot(baton.pid)).own * 1000) / SCHEDULES;
if (Date.now() > firstDue) console.warn(`creating the schedules overran the first due time`);
// The peer: one timer per second, half a second after the schedules' due times.
const timers: Promise<unknown>[] = [];
for (let s = 0; s < SPREAD_S; s++) {
  const at = firstDue + s * 1000 + 500;
  const seqs = [...due.keys()].filter((q) => due.get(q) === firstDue + s * 1000).map((q) => q - SEQ.sched);
  timers.push(
    new Promise((resolve) =>
      setTimeout(
        () => {
          for (const i of seqs) due.set(SEQ.timer + i, at);
          resolve(Promise.all(seqs.map((i) => invoke(SCHED_FN, SEQ.timer + i))));
        },
        Math.max(0, at - Date.now()),
      ),
    ),
  );
}
const schedCpu0 = cpuSnapshot(baton.pid);
await sleep(Math.max(0, firstDue + SPREAD_S * 1000 - Date.now()));
await Promise.all(timers);
const schedSeqs = [...due.keys()];
if (!(await waitForStarts(SCHED_FN, schedSeqs, 10_000))) console.warn('some scheduled invocations never ran');
const schedCpu = cpuSeconds(schedCpu0, cpuSnapshot(baton.pid));
const delays = (base: number) =>
  schedSeqs
    .filter((s) => s >= base && s < base + 100_000 && started.has(s))
    .map((s) => started.get(s)!.wall - due.get(s)!);
const schedDelays = delays(SEQ.sched);
const timerDelays = delays(SEQ.timer);

const others = load.others();
lambda.destroy();
eb.destroy();
scheduler.destroy();
await baton.stop();

// --- Report -------------------------------------------------------------------------------------

console.log(
  `EventBridge through @aws-sdk/client-eventbridge, ${RULES} rules on the bus (1 matches, Lambda target), trivial handler, \`baton up\` as its own process`,
);
console.log(
  `One at a time: ${SEQUENTIAL} PutEvents of 1 entry interleaved with ${SEQUENTIAL} Event invokes, ms`,
);
table([
  ['what', 'p50', 'p99'],
  [
    'PutEvents: 200 → handler start',
    fmt(percentile(lat(SEQ.put, 'answered'), 50)),
    fmt(percentile(lat(SEQ.put, 'answered'), 99)),
  ],
  [
    'PutEvents: SDK call → 200',
    fmt(percentile(toAnswer(SEQ.put), 50)),
    fmt(percentile(toAnswer(SEQ.put), 99)),
  ],
  [
    'PutEvents: SDK call → handler start',
    fmt(percentile(lat(SEQ.put, 'call'), 50)),
    fmt(percentile(lat(SEQ.put, 'call'), 99)),
  ],
  [
    'peer: Invoke (Event), 202 → handler start',
    fmt(percentile(lat(SEQ.invoke, 'answered'), 50)),
    fmt(percentile(lat(SEQ.invoke, 'answered'), 99)),
  ],
  [
    'peer: Invoke (Event), SDK call → handler start',
    fmt(percentile(lat(SEQ.invoke, 'call'), 50)),
    fmt(percentile(lat(SEQ.invoke, 'call'), 99)),
  ],
]);
console.log(
  'target: PutEvents → handler start p50 ≤ 10 ms (below 0: the handler started before the client read the 200)',
);

console.log(
  `\nBurst: ${BURST} events, ${IN_FLIGHT} SDK calls in flight, until the handler has run every one; CPU in µs per event`,
);
table([
  ['what', 'accepted/s', 'delivered/s', 'server CPU', 'runners CPU', 'lost'],
  [
    'PutEvents, batches of 10',
    fmt(putRate.acceptedPerSec, 0),
    fmt(putRate.perSec, 0),
    fmt(putRate.serverUs, 0),
    fmt(putRate.runnersUs, 0),
    putRate.lost,
  ],
  [
    'peer: Invoke (Event), 1 per call',
    fmt(invokeRate.acceptedPerSec, 0),
    fmt(invokeRate.perSec, 0),
    fmt(invokeRate.serverUs, 0),
    fmt(invokeRate.runnersUs, 0),
    invokeRate.lost,
  ],
]);

console.log(`\n${MOTO_CALLS} PutEvents calls of 10 matching entries, one at a time, ${RULES} rules`);
table([
  ['server', 'calls/s', 'events/s', 'p50 ms per call', 'server CPU ms per call'],
  [
    'baton (Lambda target)',
    fmt(batonCalls.perSec, 0),
    fmt(batonCalls.perSec * 10, 0),
    fmt(batonCalls.p50),
    fmt(batonCalls.cpuMs),
  ],
  ...(motoCalls
    ? [
        [
          `moto_server (SQS target; ${motoDelivered} of ${MOTO_CALLS * 10} delivered)`,
          fmt(motoCalls.perSec, 1),
          fmt(motoCalls.perSec * 10, 0),
          fmt(motoCalls.p50),
          fmt(motoCalls.cpuMs),
        ],
      ]
    : []),
]);
if (motoCalls) console.log(`baton / moto, calls/s: ${fmt(batonCalls.perSec / motoCalls.perSec, 0)}×`);

console.log(
  `\nSchedules: ${SCHEDULES} one-time at() schedules due over ${SPREAD_S} s (~${Math.round(SCHEDULES / SPREAD_S)} per second), Lambda target; created in ${fmt(createMs / 1000, 1)} s (${IN_FLIGHT} in flight, ${fmt(createCpuMs)} ms server CPU each)`,
);
table([
  ['what, ms from due time to handler start', 'p50', 'p99', 'max', 'ran'],
  [
    'Scheduler at() → function',
    fmt(percentile(schedDelays, 50), 0),
    fmt(percentile(schedDelays, 99), 0),
    fmt(Math.max(...schedDelays), 0),
    `${schedDelays.length}/${SCHEDULES}`,
  ],
  [
    'peer: setTimeout in the client + Invoke (Event)',
    fmt(percentile(timerDelays, 50), 0),
    fmt(percentile(timerDelays, 99), 0),
    fmt(Math.max(...timerDelays), 0),
    `${timerDelays.length}/${SCHEDULES}`,
  ],
]);
console.log(
  `server CPU over the schedule window (both): ${fmt(schedCpu.own, 2)} s, runners ${fmt(schedCpu.children, 2)} s`,
);
console.log(`handler runs seen twice (at-least-once): ${duplicates}`);
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
