/**
 * SQS API cost and throughput through the real `@aws-sdk/client-sqs` (JSON protocol): cycles of
 * SendMessageBatch (10 messages), ReceiveMessage (MaxNumberOfMessages 10) and DeleteMessageBatch
 * of what came back, 16 cycles in flight and 1 in flight, against `baton up` (embedded SQLite)
 * running as its own process. In the same run, the same client against:
 * - moto's server (`moto_server`, Python), a peer that speaks the same protocol;
 * - a canned-response node:http server (`peers/sqs-canned-server.mjs`) that answers each call with
 *   a fixed valid body: what this client reaches when the server costs nothing, its ceiling.
 * Reported: messages/s (messages deleted, each one sent, received and deleted), the server's own
 * CPU per message from /proc/<pid>/stat, and this client's CPU per message. SQS_CYCLES,
 * MOTO_CYCLES and BENCH_ROUNDS shorten or lengthen it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot, otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

/** Cycles per round with 16 in flight (10 messages each); 1 in flight runs half as many. */
const CYCLES = Number(process.env.SQS_CYCLES ?? 2000);
const MOTO_CYCLES = Number(process.env.MOTO_CYCLES ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 16;
/** The same 10 bodies in every batch (the canned peer's answers carry their digests), 100 B each. */
const BODIES = Array.from({ length: 10 }, (_, i) => `order ${i} `.padEnd(100, '.'));

/** Every process this bench starts; all are stopped when it ends, however it ends. */
const started: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Spawns a peer; resolves with its URL once `ready` finds it (in its output, or by probing). */
async function startPeer(cmd: string, args: string[], ready: (out: string) => Promise<string | undefined>) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`${cmd} exited ${proc.exitCode}`);
    const url = await ready(out);
    if (url) return { proc, url };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${cmd} did not start`);
}

const load = otherLoad();
const baton = await startBatonProcess();

const canned = await startPeer(
  process.execPath,
  [join(import.meta.dirname, 'peers', 'sqs-canned-server.mjs'), JSON.stringify(BODIES)],
  async (out) => {
    const port = /listening (\d+)/.exec(out)?.[1];
    return port && `http://127.0.0.1:${port}`;
  },
);

let moto: { proc: ChildProcess; url: string } | undefined;
try {
  const motoBin = execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim();
  const port = await freePort();
  moto = await startPeer(motoBin, ['-H', '127.0.0.1', '-p', String(port)], async () => {
    try {
      await fetch(`http://127.0.0.1:${port}/moto-api/`);
      return `http://127.0.0.1:${port}`;
    } catch {
      return undefined;
    }
  });
} catch (e) {
  console.warn(`moto_server is not available (${(e as Error).message}): pip install 'moto[server]'`);
}

interface Target {
  name: string;
  url: string;
  /** The process whose CPU is the server's: for moto, the Python process the shim execs into. */
  pid: number;
  cycles: number;
}

/** The process a pyenv shim ends as: the shim execs, so it keeps its pid; checked, not assumed. */
function describePid(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

const motoProcess = moto && describePid(moto.proc.pid!);

interface Run {
  perSec: number;
  /** µs of CPU per message. */
  server: number;
  client: number;
  cycleMs: number[];
  short: number;
}

async function run(
  sqs: SQSClient,
  QueueUrl: string,
  target: Target,
  inFlight: number,
  cycles: number,
): Promise<Run> {
  const cycleMs: number[] = [];
  let deleted = 0;
  let short = 0;
  let next = 0;
  const entries = BODIES.map((MessageBody, i) => ({ Id: String(i), MessageBody }));
  const before = cpuSnapshot(target.pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < cycles) {
        next++;
        const s = performance.now();
        const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
        if ((sent.Successful?.length ?? 0) !== 10)
          throw new Error(`${target.name}: send ${JSON.stringify(sent.Failed)}`);
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        const msgs = got.Messages ?? [];
        if (msgs.length < 10) short++;
        if (msgs.length > 0) {
          const del = await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
          deleted += del.Successful?.length ?? 0;
        }
        cycleMs.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(c0);
  const cpu = cpuSeconds(before, cpuSnapshot(target.pid));
  return {
    perSec: deleted / elapsed,
    server: ((cpu.own + cpu.children) * 1e6) / deleted,
    client: (client.user + client.system) / deleted,
    cycleMs,
    short,
  };
}

const targets: Target[] = [
  { name: 'baton', url: baton.controlUrl, pid: baton.pid, cycles: CYCLES },
  { name: 'canned node:http (client ceiling)', url: canned.url, pid: canned.proc.pid!, cycles: CYCLES },
  ...(moto ? [{ name: 'moto_server', url: moto.url, pid: moto.proc.pid!, cycles: MOTO_CYCLES }] : []),
];

const results = new Map<string, { par: Run[]; seq: Run[] }>();
for (const t of targets) {
  // The peers accept any signature; Baton checks it against its root credentials.
  const sqs = new SQSClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: baton.credentials,
    maxAttempts: 1,
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
  // Warm-up: connections, JIT, the queue's pages.
  await run(sqs, QueueUrl!, t, IN_FLIGHT, Math.max(20, Math.floor(t.cycles / 10)));
  const par: Run[] = [];
  const seq: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    par.push(await run(sqs, QueueUrl!, t, IN_FLIGHT, t.cycles));
    seq.push(await run(sqs, QueueUrl!, t, 1, Math.max(20, Math.floor(t.cycles / 2))));
  }
  results.set(t.name, { par, seq });
  sqs.destroy();
}
const others = load.others();
await baton.stop();
// The peers' output pipes would keep this process alive.
for (const p of started) p.kill('SIGKILL');

// --- Report ---------------------------------------------------------------------------------

const med = (runs: Run[], k: 'perSec' | 'server' | 'client') => median(runs.map((r) => r[k]));
console.log(
  `SQS through @aws-sdk/client-sqs (JSON protocol): SendMessageBatch 10 × 100 B, ReceiveMessage 10, DeleteMessageBatch; ${ROUNDS} rounds, medians`,
);
console.log(
  `cycles per round: ${CYCLES} with ${IN_FLIGHT} in flight, ${Math.floor(CYCLES / 2)} with 1 (moto: ${MOTO_CYCLES} and ${Math.floor(MOTO_CYCLES / 2)}); CPU in µs per message`,
);
if (motoProcess) console.log(`moto's server process: ${motoProcess}`);
const rows: (string | number)[][] = [
  ['server', 'in flight', 'msgs/s', 'server CPU µs/msg', 'client CPU µs/msg', 'cycle p50 ms', 'cycle p99 ms'],
];
for (const t of targets) {
  const r = results.get(t.name)!;
  for (const [label, runs] of [
    [String(IN_FLIGHT), r.par],
    ['1', r.seq],
  ] as const) {
    const ms = runs.flatMap((x) => x.cycleMs);
    rows.push([
      t.name,
      label,
      fmt(med(runs, 'perSec'), 0),
      fmt(med(runs, 'server'), 1),
      fmt(med(runs, 'client'), 1),
      fmt(percentile(ms, 50)),
      fmt(percentile(ms, 99)),
    ]);
  }
}
table(rows);

const b = results.get('baton')!;
const c = results.get(targets[1]!.name)!;
const m = moto ? results.get('moto_server') : undefined;
const ratio = (x: number, y: number, digits = 1) => fmt(x / y, digits);
console.log(
  `baton / client ceiling (canned): ${fmt((100 * med(b.par, 'perSec')) / med(c.par, 'perSec'), 1)} % at ${IN_FLIGHT} in flight, ${fmt((100 * med(b.seq, 'perSec')) / med(c.seq, 'perSec'), 1)} % at 1   (target ≥ 90 %)`,
);
if (m)
  console.log(
    `baton / moto, msgs/s: ${ratio(med(b.par, 'perSec'), med(m.par, 'perSec'))}× at ${IN_FLIGHT} in flight, ${ratio(med(b.seq, 'perSec'), med(m.seq, 'perSec'))}× at 1   (target ≥ 10×);  server CPU per message: moto / baton ${ratio(med(m.par, 'server'), med(b.par, 'server'))}×`,
  );
console.log(
  `baton server CPU per message: ${fmt(med(b.par, 'server'), 1)} µs at ${IN_FLIGHT} in flight, ${fmt(med(b.seq, 'server'), 1)} µs at 1   (target ≤ 30 µs, embedded storage)`,
);
const short = [...results.values()].flatMap((r) => [...r.par, ...r.seq]).reduce((n, x) => n + x.short, 0);
if (short > 0) console.log(`receives that returned fewer than 10 messages (all servers): ${short}`);
console.log(
  `other processes on this machine used ${fmt(others, 2)} of its ${cpus().length} cores during the run`,
);
