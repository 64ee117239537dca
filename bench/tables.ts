/**
 * DynamoDB item operations through the real `@aws-sdk/client-dynamodb`, 16 calls in flight:
 * PutItem, GetItem and Query (pages of 10 items), each for BENCH_SECONDS per round. Targets, in
 * the same run and each in its own process, so that every server's CPU is read the same way (its
 * own utime + stime from /proc/<pid>/stat, all threads, before and after each phase):
 * - Baton (`baton up`, embedded SQLite);
 * - dynalite (npm, in memory; `peers/dynalite-server.mjs`);
 * - a canned-response node:http server (`peers/dynamodb-canned-server.mjs`) that answers each
 *   call with a fixed valid body: what this client reaches when the server costs nothing, its
 *   ceiling (and the cost of node:http alone, per request).
 * Items are about 200 bytes (pk, sk, a string, a number, a boolean, a small map), 100 partitions.
 * Reported: medians over BENCH_ROUNDS rounds of ops/s, p50 and p99, server CPU and this client's
 * CPU per operation; then Baton against the ceiling, against dynalite and against the targets of
 * issue 6. BENCH_BATON_NODE_ARGS passes flags to Baton's node, for profiling: `--perf-basic-prof`
 * (then `perf record -g -p <pid>`), or `--cpu-prof --cpu-prof-dir=DIR` (V8 counts much of the time
 * spent in I/O callbacks as idle: perf's view is the complete one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NODE_ARGS = process.env.BENCH_BATON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const WARM_SECONDS = 2;
const IN_FLIGHT = 16;
const PARTITIONS = 100;
/** Items written before the rounds (20 per partition): GetItem reads these, Query pages them. */
const SEED = 2000;
const PAGE = 10;
const TABLE = 'bench';

type Item = Record<string, AttributeValue>;
const pk = (i: number) => `p${String(i % PARTITIONS).padStart(3, '0')}`;
const sk = (i: number) => `s${String(i).padStart(9, '0')}`;
const item = (i: number): Item => ({
  pk: { S: pk(i) },
  sk: { S: sk(i) },
  data: { S: `order ${i} `.padEnd(100, '.') },
  n: { N: String(i * 7) },
  open: { BOOL: i % 2 === 0 },
  meta: { M: { owner: { S: 'bench' }, qty: { N: String(i % 13) } } },
});

/** Every process this bench starts; all are stopped when it ends, however it ends. */
const started: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

/** Spawns a node peer and resolves with its URL once it prints `listening <port>`. */
function startPeer(script: string, args: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(import.meta.dirname, 'peers', script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(proc);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) resolve({ proc, url: `http://127.0.0.1:${port}` });
    });
    proc.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
}

const load = otherLoad();
const baton = await startBatonProcess({}, NODE_ARGS);
if (NODE_ARGS.length > 0) console.log(`baton up: pid ${baton.pid}, node ${NODE_ARGS.join(' ')}`);
const dynalite = await startPeer('dynalite-server.mjs');
const canned = await startPeer('dynamodb-canned-server.mjs', [
  JSON.stringify({ item: item(0), page: Array.from({ length: PAGE }, (_, i) => item(i * PARTITIONS)) }),
]);

type Op = 'PutItem' | 'GetItem' | 'Query';
const OPS: Op[] = ['PutItem', 'GetItem', 'Query'];

interface Target {
  name: string;
  pid: number;
  client: DynamoDBClient;
  /** The next item PutItem writes. */
  next: number;
}

// The peers accept any signature; Baton checks it against its root credentials.
const client = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: baton.credentials, maxAttempts: 1 });
const targets: Target[] = [
  { name: 'baton (SQLite)', pid: baton.pid, client: client(baton.controlUrl), next: 0 },
  { name: 'dynalite (memory)', pid: dynalite.proc.pid!, client: client(dynalite.url), next: 0 },
  { name: 'canned node:http (ceiling)', pid: canned.proc.pid!, client: client(canned.url), next: 0 },
];

/** One call of `op`; false when the answer is not what the bench wrote (a miss, a short page). */
async function call(t: Target, op: Op): Promise<boolean> {
  if (op === 'PutItem') {
    await t.client.send(new PutItemCommand({ TableName: TABLE, Item: item(t.next++) }));
    return true;
  }
  const i = Math.floor(Math.random() * SEED);
  if (op === 'GetItem') {
    const r = await t.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk(i) }, sk: { S: sk(i) } } }),
    );
    return r.Item !== undefined;
  }
  const r = await t.client.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk(i) } },
      Limit: PAGE,
    }),
  );
  return r.Items?.length === PAGE;
}

interface Phase {
  perSec: number;
  p50: number;
  p99: number;
  /** µs of CPU per operation. */
  server: number;
  client: number;
  wrong: number;
}

/** `op` with IN_FLIGHT calls in flight, for `seconds` (or until `count` calls when given). */
async function phase(t: Target, op: Op, seconds: number, count = Number.POSITIVE_INFINITY): Promise<Phase> {
  const ms: number[] = [];
  let wrong = 0;
  let issued = 0;
  const before = cpuSnapshot(t.pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (issued < count && performance.now() < until) {
        issued++;
        const s = performance.now();
        if (!(await call(t, op))) wrong++;
        ms.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const own = cpuSeconds(before, cpuSnapshot(t.pid)).own;
  const mine = process.cpuUsage(c0);
  return {
    perSec: ms.length / elapsed,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    server: (own * 1e6) / ms.length,
    client: (mine.user + mine.system) / ms.length,
    wrong,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU a server uses per second while nothing is asked of it (timers, sweepers), in ms. */
async function idleMs(pid: number): Promise<number> {
  const before = cpuSnapshot(pid);
  await sleep(1000);
  return cpuSeconds(before, cpuSnapshot(pid)).own * 1000;
}

for (const t of targets) {
  await t.client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let i = 0; ; i++) {
    const d = await t.client.send(new DescribeTableCommand({ TableName: TABLE }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    if (i > 100) throw new Error(`${t.name}: table not ACTIVE`);
    await sleep(50);
  }
  // Warm-up: the seed items, then each path until V8 has compiled it (Baton's PutItem path still
  // recompiles some 5 s in): connections and JIT.
  await phase(t, 'PutItem', 60, SEED);
  for (const op of OPS) await phase(t, op, WARM_SECONDS);
}
const idle = await Promise.all(targets.map((t) => idleMs(t.pid)));

const results = new Map<string, Phase[]>();
const key = (t: Target, op: Op) => `${t.name}\0${op}`;
for (let r = 0; r < ROUNDS; r++)
  for (const op of OPS)
    for (const t of targets) {
      const p = await phase(t, op, SECONDS);
      if (p.wrong > 0) console.warn(`${t.name} ${op}: ${p.wrong} answers missed the item or a full page`);
      results.set(key(t, op), [...(results.get(key(t, op)) ?? []), p]);
    }

const others = load.others();
for (const t of targets) t.client.destroy();
await baton.stop();
// The peers' output pipes would keep this process alive.
for (const p of started) if (p.pid !== baton.pid) p.kill('SIGKILL');

// --- Report ---------------------------------------------------------------------------------

const med = (t: Target, op: Op, k: keyof Phase) => median(results.get(key(t, op))!.map((p) => p[k]));
console.log(
  `DynamoDB through @aws-sdk/client-dynamodb, ${IN_FLIGHT} in flight; ${ROUNDS} rounds of ${SECONDS} s per operation and server, medians`,
);
console.log(
  `items ~200 B in ${PARTITIONS} partitions; GetItem and Query (Limit ${PAGE}) read ${SEED} seeded items; CPU in µs per operation`,
);
const rows: (string | number)[][] = [
  ['operation', 'server', 'ops/s', 'p50 ms', 'p99 ms', 'server CPU µs/op', 'client CPU µs/op'],
];
for (const op of OPS)
  for (const t of targets)
    rows.push([
      op,
      t.name,
      fmt(med(t, op, 'perSec'), 0),
      fmt(med(t, op, 'p50')),
      fmt(med(t, op, 'p99')),
      fmt(med(t, op, 'server'), 1),
      fmt(med(t, op, 'client'), 1),
    ]);
table(rows);

const [b, d, c] = targets as [Target, Target, Target];
console.log('\nbaton against the ceiling, dynalite and the targets (issue 6)');
const cpuTarget = (op: Op) => (op === 'Query' ? 100 : 50);
const pass = (ok: boolean) => (ok ? 'yes' : 'NO');
const summary: (string | number)[][] = [
  [
    'operation',
    'ops/s % of ceiling (≥ 90)',
    'ops/s baton / dynalite',
    'server CPU µs (target)',
    'CPU dynalite / baton (≥ 3×)',
    'met',
  ],
];
for (const op of OPS) {
  const share = (100 * med(b, op, 'perSec')) / med(c, op, 'perSec');
  const cpu = med(b, op, 'server');
  const leaner = med(d, op, 'server') / cpu;
  summary.push([
    op,
    fmt(share, 1),
    `${fmt(med(b, op, 'perSec') / med(d, op, 'perSec'))}×`,
    `${fmt(cpu, 1)} (≤ ${cpuTarget(op)})`,
    `${fmt(leaner, 1)}×`,
    pass(share >= 90 && cpu <= cpuTarget(op) && leaner >= 3),
  ]);
}
table(summary);
console.log(
  `idle server CPU over 1 s (in 10 ms ticks), ms: ${targets.map((t, i) => `${t.name} ${fmt(idle[i]!, 0)}`).join(', ')}`,
);
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
