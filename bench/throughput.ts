/**
 * Throughput: 50 concurrent connections invoking a trivial function through the admin API,
 * against a bare node:http hello-world server, both driven by wrk (1 thread) in the same run.
 * Baton runs as its own process (`baton up`), as a user would run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { presignUrl, signRequest } from '../src/aws/sigv4-sign.ts';
import { fmt, median, table } from './lib/stats.ts';
import { haveWrk, type WrkResult, wrk } from './lib/wrk.ts';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROOT = join(import.meta.dirname, '..');

if (!haveWrk()) {
  console.error('wrk is not installed: apt-get install -y wrk');
  process.exit(2);
}

/** Every process this bench starts; all are stopped when it ends, however it ends. */
const started: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

function startAndWait(
  cmd: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, cmd, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(proc);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ proc, match: m });
    });
    proc.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const creds = { id: 'AKIABENCHTHROUGHPUT', secret: 'bench-throughput-secret' };
const baton = await startAndWait(
  [
    join(ROOT, 'dist', 'cli.js'),
    'up',
    '--port',
    '0',
    '--control-port',
    '0',
    '--data',
    mkdtempSync(join(tmpdir(), 'baton-tp-')),
  ],
  {
    PATH: process.env.PATH,
    BATON_ACCESS_KEY_ID: creds.id,
    BATON_SECRET_ACCESS_KEY: creds.secret,
    BATON_LOG_LEVEL: 'warn',
  },
  /control plane \(APIs, admin\):\s+(\S+)[\s\S]*Press Ctrl-C/,
);
const control = baton.match[1]!;
const signing = { accessKeyId: creds.id, secretAccessKey: creds.secret };
const scope = () => ({ region: 'us-east-1', service: 'baton', now: Date.now() });
const code = Buffer.from(
  zipSync({ 'index.mjs': strToU8("export const handler = async () => 'ok';\n") }),
).toString('base64');
const createBody = JSON.stringify({ name: 'tp', handler: 'index.handler', code });
const createUrl = new URL(`${control}/admin/v1/functions`);
const { host: _h, ...createHeaders } = signRequest('POST', createUrl, {}, createBody, signing, scope());
const created = await fetch(createUrl, { method: 'POST', headers: createHeaders, body: createBody });
if (created.status !== 201) throw new Error(await created.text());
// wrk cannot sign each request: it replays one presigned URL (SigV4 in the query), which Baton
// still verifies on every request.
const batonUrl = presignUrl('POST', new URL(`${control}/admin/v1/functions/tp/invoke`), signing, {
  ...scope(),
  expiresSeconds: 3600,
}).toString();
const statsUrl = presignUrl('GET', new URL(`${control}/admin/v1/functions/tp`), signing, {
  ...scope(),
  expiresSeconds: 3600,
});

const bare = await startAndWait(
  [join(import.meta.dirname, 'peers', 'hello-server.mjs')],
  { PATH: process.env.PATH },
  /listening (\d+)/,
);
const bareUrl = `http://127.0.0.1:${bare.match[1]}/`;
// The ceiling of the design itself: HTTP → IPC → one request at a time per child process.
const dispatch = await startAndWait(
  [join(import.meta.dirname, 'peers', 'ipc-dispatch-server.mjs')],
  { PATH: process.env.PATH, CHILDREN: String(CONNECTIONS) },
  /listening (\d+)/,
);
const dispatchUrl = `http://127.0.0.1:${dispatch.match[1]}/`;

// Warm-up: Baton scales out as the load asks.
wrk(batonUrl, { connections: CONNECTIONS, seconds: 3 });
wrk(bareUrl, { connections: CONNECTIONS, seconds: 2 });

wrk(dispatchUrl, { connections: CONNECTIONS, seconds: 2 });

const runs: { baton: WrkResult; bare: WrkResult; dispatch: WrkResult }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = wrk(bareUrl, { connections: CONNECTIONS, seconds: SECONDS });
  const d = wrk(dispatchUrl, { connections: CONNECTIONS, seconds: SECONDS });
  const t = wrk(batonUrl, { connections: CONNECTIONS, seconds: SECONDS });
  if (t.non2xx > 0 || t.errors) console.warn(`round ${i}: baton non-2xx ${t.non2xx} ${t.errors}`);
  runs.push({ baton: t, bare: b, dispatch: d });
}
// A fresh connection (node:http, no pooling): the one that created the function has gone stale.
const stats = await new Promise<{ function: { instances: { live: number } } }>((resolve, reject) => {
  const req = httpRequest(statsUrl, { agent: false }, (res) => {
    let body = '';
    res.on('data', (d: Buffer) => {
      body += d.toString();
    });
    res.on('end', () => resolve(JSON.parse(body)));
  });
  req.on('error', reject);
  req.end();
});
baton.proc.kill('SIGINT');
bare.proc.kill();
dispatch.proc.kill();

const rps = (k: 'baton' | 'bare' | 'dispatch') => median(runs.map((r) => r[k].requestsPerSec));
const lat = (k: 'baton' | 'bare' | 'dispatch', p: 'p50ms' | 'p99ms') => median(runs.map((r) => r[k][p]));
console.log(
  `Throughput: wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s, medians (load generator shares the 2 cores)`,
);
table([
  ['server', 'req/s', 'p50 ms', 'p99 ms'],
  [
    'baton: admin API invoke, trivial function',
    fmt(rps('baton'), 0),
    fmt(lat('baton', 'p50ms')),
    fmt(lat('baton', 'p99ms')),
  ],
  [
    'baseline: bare node:http hello world',
    fmt(rps('bare'), 0),
    fmt(lat('bare', 'p50ms')),
    fmt(lat('bare', 'p99ms')),
  ],
  [
    `peer: bare HTTP → IPC → ${CONNECTIONS} echo children`,
    fmt(rps('dispatch'), 0),
    fmt(lat('dispatch', 'p50ms')),
    fmt(lat('dispatch', 'p99ms')),
  ],
]);
console.log(
  `baton / bare: ${fmt((100 * rps('baton')) / rps('bare'), 1)} %   (instances serving: ${stats.function.instances.live})`,
);
console.log(`peer dispatcher / bare: ${fmt((100 * rps('dispatch')) / rps('bare'), 1)} %`);
