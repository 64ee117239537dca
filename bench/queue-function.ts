/**
 * Queue → function: SQS event source mappings, driven through the real `@aws-sdk/client-sqs` and
 * `@aws-sdk/client-lambda`, against `baton up` running as its own process.
 * - Latency, idle: 240 messages sent one at a time (SendMessage) to a queue whose mapping has
 *   BatchSize 10 and no batching window, each after the previous one was handled; from the SDK
 *   call, and from its 200, to the handler's start. The handler logs its start on the machine's
 *   monotonic clock (`process.hrtime`, one clock for every process on the machine) with the
 *   message body, a sequence number; the bench reads the lines back from the admin API. Peer,
 *   interleaved in the same run: the same handler invoked synchronously (RequestResponse), from
 *   the SDK call to the handler's start.
 * - Rate under a backlog: 5,000 messages sent in batches of 10 to a queue with no mapping, then a
 *   mapping (BatchSize 10) is created for a trivial function: messages/s from its creation until
 *   every message is deleted (none visible, none in flight), with the CPU per message of the Baton
 *   process, its runners, and this client (which polls the queue's counts every 10 ms).
 * QF_MESSAGES, QF_BACKLOG and BENCH_ROUNDS shorten or lengthen it.
 */
import { cpus } from 'node:os';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  InvokeCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { readLogs, startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const MESSAGES = Number(process.env.QF_MESSAGES ?? 240);
const BACKLOG = Number(process.env.QF_BACKLOG ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** SendMessageBatch calls in flight while the backlog is filled. */
const FILL_IN_FLIGHT = 8;
const LATENCY_FN = 'qf-latency';
const DRAIN_FN = 'qf-drain';
const ARN = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ms on the machine's monotonic clock, comparable across processes (see bench/async.ts). */
const wall = () => Number(process.hrtime.bigint()) / 1e6;

const load = otherLoad();
const baton = await startBatonProcess();
const lambda = baton.lambda();
const sqs = new SQSClient({
  endpoint: baton.controlUrl,
  region: 'us-east-1',
  credentials: baton.credentials,
  maxAttempts: 1,
});

const createFunction = (name: string, code: string) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Handler: 'index.handler',
      Code: { ZipFile: zipSync({ 'index.mjs': strToU8(code) }) },
    }),
  );
await createFunction(
  LATENCY_FN,
  'export const handler = async (event) => {\n' +
    '  const t = Number(process.hrtime.bigint()) / 1e6;\n' +
    "  for (const r of event.Records ?? []) console.log('T', r.body, t.toFixed(3));\n" +
    '  return t;\n' +
    '};\n',
);
await createFunction(DRAIN_FN, 'export const handler = async () => {};\n');

// --- Latency, one message at a time ---------------------------------------------------------------

const lat = await sqs.send(new CreateQueueCommand({ QueueName: 'qf-latency' }));
const latMapping = await lambda.send(
  new CreateEventSourceMappingCommand({
    FunctionName: LATENCY_FN,
    EventSourceArn: ARN('qf-latency'),
    BatchSize: 10,
  }),
);

const started = new Map<number, number>();
let duplicates = 0;
let lastLogId = 0;
async function collectLogs(): Promise<void> {
  for (const e of await readLogs(baton, LATENCY_FN, lastLogId)) {
    lastLogId = e.id;
    for (const m of e.message.matchAll(/\tINFO\tT (-?\d+) ([\d.]+)$/gm)) {
      const seq = Number(m[1]);
      if (started.has(seq) && seq >= 0) duplicates++;
      else started.set(seq, Number(m[2]));
    }
  }
}
/** Waits until the handler has started every message in `seqs`; false if it stops making progress. */
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
const invokeSync = () =>
  lambda.send(
    new InvokeCommand({
      FunctionName: LATENCY_FN,
      Payload: strToU8(JSON.stringify({ Records: [{ body: '-1' }] })),
    }),
  );

// Warm-up: the instance exists; the poller, the SDK clients and both paths are warm.
for (let i = 0; i < 30; i++) {
  await invokeSync();
  await sqs.send(new SendMessageCommand({ QueueUrl: lat.QueueUrl, MessageBody: String(-(i + 2)) }));
  await sleep(25);
}
await sleep(300);

const syncToStart: number[] = [];
let outside = 0;
const sentAt = new Map<number, { call: number; ack: number }>();
for (let i = 0; i < MESSAGES; i++) {
  const s0 = wall();
  const r = await invokeSync();
  const s1 = wall();
  const start = Number(Buffer.from(r.Payload ?? []).toString());
  if (!(start >= s0 && start <= s1)) outside++;
  syncToStart.push(start - s0);
  await sleep(10);
  const call = wall();
  await sqs.send(new SendMessageCommand({ QueueUrl: lat.QueueUrl, MessageBody: String(i) }));
  sentAt.set(i, { call, ack: wall() });
  // Long enough for the handler to run and the poller to delete it and wait again: idle.
  await sleep(25);
}
const seqs = [...sentAt.keys()];
if (!(await waitForStarts(seqs))) console.warn('some messages never reached the handler');
const fromCall = seqs.filter((s) => started.has(s)).map((s) => started.get(s)! - sentAt.get(s)!.call);
const fromAck = seqs.filter((s) => started.has(s)).map((s) => started.get(s)! - sentAt.get(s)!.ack);
const sendMs = seqs.map((s) => sentAt.get(s)!.ack - sentAt.get(s)!.call);
await lambda.send(new DeleteEventSourceMappingCommand({ UUID: latMapping.UUID }));

// --- Rate under a backlog ----------------------------------------------------------------------

interface Round {
  perSec: number;
  fillPerSec: number;
  /** CPU µs per message, while the mapping drained the backlog. */
  server: number;
  runners: number;
  client: number;
}

const BODY = 'x'.repeat(100);
async function drain(round: number): Promise<Round> {
  const name = `qf-backlog-${round}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  let next = 0;
  const f0 = performance.now();
  await Promise.all(
    Array.from({ length: FILL_IN_FLIGHT }, async () => {
      while (next < BACKLOG) {
        const n = Math.min(10, BACKLOG - next);
        next += n;
        const r = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: BODY })),
          }),
        );
        if (r.Successful?.length !== n) throw new Error(`fill: ${JSON.stringify(r.Failed)}`);
      }
    }),
  );
  const fillPerSec = BACKLOG / ((performance.now() - f0) / 1000);
  const before = cpuSnapshot(baton.pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const mapping = await lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: DRAIN_FN, EventSourceArn: ARN(name), BatchSize: 10 }),
  );
  for (;;) {
    const a = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (
      a.Attributes?.ApproximateNumberOfMessages === '0' &&
      a.Attributes.ApproximateNumberOfMessagesNotVisible === '0'
    )
      break;
    if (performance.now() - t0 > 120_000)
      throw new Error(`backlog not drained: ${JSON.stringify(a.Attributes)}`);
    await sleep(10);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(c0);
  const cpu = cpuSeconds(before, cpuSnapshot(baton.pid));
  await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
  return {
    perSec: BACKLOG / elapsed,
    fillPerSec,
    server: (cpu.own * 1e6) / BACKLOG,
    runners: (cpu.children * 1e6) / BACKLOG,
    client: (client.user + client.system) / BACKLOG,
  };
}

const rounds: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rounds.push(await drain(r));
  await sleep(500);
}
const instances = (
  (await (await baton.admin('GET', `functions/${DRAIN_FN}`)).json()) as {
    function: { instances: { live: number } };
  }
).function.instances.live;
const others = load.others();
lambda.destroy();
sqs.destroy();
await baton.stop();

// --- Report ---------------------------------------------------------------------------------

console.log('Queue → function: SQS event source mappings, `baton up` as its own process');
console.log(
  `One at a time, idle: ${MESSAGES} SendMessage (mapping BatchSize 10, no batching window), interleaved with ${MESSAGES} RequestResponse invokes, ms`,
);
table([
  ['what', 'p50', 'p99'],
  ['SendMessage call → handler start', fmt(percentile(fromCall, 50)), fmt(percentile(fromCall, 99))],
  ["SendMessage's 200 → handler start", fmt(percentile(fromAck, 50)), fmt(percentile(fromAck, 99))],
  ['SendMessage call → 200', fmt(percentile(sendMs, 50)), fmt(percentile(sendMs, 99))],
  [
    'peer: RequestResponse, SDK call → handler start',
    fmt(percentile(syncToStart, 50)),
    fmt(percentile(syncToStart, 99)),
  ],
]);
if (outside > 0)
  console.warn(`${outside} synchronous handler starts fell outside their call: clocks disagree`);
console.log('target: SendMessage → handler start p50 ≤ 10 ms when idle');
console.log(
  `\nBacklog: ${BACKLOG} messages (100 B), then a mapping with BatchSize 10 on a trivial function; ${ROUNDS} rounds, medians; CPU in µs per message`,
);
const med = (k: keyof Round) => median(rounds.map((r) => r[k]));
table([
  ['what', 'msgs/s', 'server CPU', 'runners CPU', 'client CPU'],
  [
    'drain: mapping created → all deleted',
    fmt(med('perSec'), 0),
    fmt(med('server'), 1),
    fmt(med('runners'), 1),
    fmt(med('client'), 1),
  ],
  ['fill: SendMessageBatch, 8 in flight', fmt(med('fillPerSec'), 0), '', '', ''],
]);
console.log(
  `drain msgs/s by round: ${rounds.map((r) => fmt(r.perSec, 0)).join(', ')} (round 1 also starts the instances)`,
);
console.log(`handler runs seen twice: ${duplicates}; instances of ${DRAIN_FN} at the end: ${instances}`);
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
