/**
 * The public gateway: GET /hello on an HTTP route (payload 2.0, a trivial function, no auth),
 * against a bare node:http hello-world and against the bare HTTP → IPC → child dispatcher, all
 * driven by wrk (1 thread, 50 connections) in the same run. Baton runs as its own process
 * (`baton up`) with its default log level, so the access log is written (to /dev/null).
 * BENCH_SECONDS and BENCH_ROUNDS shorten or lengthen it; BATON_LOG_LEVEL=warn turns the access
 * log off.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { pino } from 'pino';
import { signRequest } from '../src/aws/sigv4-sign.ts';
import { systemClock } from '../src/core/clock.ts';
import type { FunctionRecord } from '../src/core/function-spec.ts';
import { Gateway } from '../src/gateway/gateway.ts';
import { fmt, median, table } from './lib/stats.ts';
import { haveWrk, type WrkResult, wrk } from './lib/wrk.ts';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOG_LEVEL = process.env.BATON_LOG_LEVEL ?? 'info';
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
    const proc = spawn(process.execPath, cmd, { env, stdio: ['ignore', 'pipe', 'ignore'] });
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

const creds = { accessKeyId: 'AKIABENCHGATEWAY0000', secretAccessKey: 'bench-gateway-secret' };
const baton = await startAndWait(
  [
    join(ROOT, 'dist', 'cli.js'),
    'up',
    '--port',
    '0',
    '--control-port',
    '0',
    '--data',
    mkdtempSync(join(tmpdir(), 'baton-gw-')),
  ],
  {
    PATH: process.env.PATH,
    BATON_ACCESS_KEY_ID: creds.accessKeyId,
    BATON_SECRET_ACCESS_KEY: creds.secretAccessKey,
    BATON_LOG_LEVEL: LOG_LEVEL,
  },
  /gateway \(app routes\):\s+(\S+)\s+control plane \(APIs, admin\):\s+(\S+)[\s\S]*Press Ctrl-C/,
);
const gateway = baton.match[1]!;
const control = baton.match[2]!;

// The app: one function, one route, deployed as `baton deploy` would ship it.
const app = zipSync({
  'baton.yaml': strToU8(
    'app: bench\nfunctions:\n  hello:\n    handler: index.handler\n    events:\n      - http: GET /hello\n',
  ),
  'index.mjs': strToU8("export const handler = async () => 'ok';\n"),
});
const deployUrl = new URL(`${control}/admin/v1/deploy?app=bench`);
const { host: _h, ...deployHeaders } = signRequest(
  'POST',
  deployUrl,
  { 'content-type': 'application/zip' },
  Buffer.from(app),
  creds,
  { region: 'us-east-1', service: 'baton', now: Date.now() },
);
const deployed = await fetch(deployUrl, { method: 'POST', headers: deployHeaders, body: app });
if (deployed.status !== 200) throw new Error(await deployed.text());
const batonUrl = `${gateway}/hello`;
const check = await fetch(batonUrl);
if (check.status !== 200 || (await check.text()) !== 'ok') throw new Error(`GET /hello: ${check.status}`);

const bare = await startAndWait(
  [join(import.meta.dirname, 'peers', 'hello-server.mjs')],
  { PATH: process.env.PATH },
  /listening (\d+)/,
);
const bareUrl = `http://127.0.0.1:${bare.match[1]}/`;
const dispatch = await startAndWait(
  [join(import.meta.dirname, 'peers', 'ipc-dispatch-server.mjs')],
  { PATH: process.env.PATH, CHILDREN: String(CONNECTIONS) },
  /listening (\d+)/,
);
const dispatchUrl = `http://127.0.0.1:${dispatch.match[1]}/`;

const load = (url: string, seconds: number): WrkResult =>
  wrk(url, { connections: CONNECTIONS, seconds, method: 'GET' });

// Warm-up: Baton scales out as the load asks.
load(batonUrl, 3);
load(bareUrl, 2);
load(dispatchUrl, 2);

/** CPU seconds (user + system) the Baton process itself has used: its instances not counted. */
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function batonCpuSeconds(): number {
  const stat = readFileSync(`/proc/${baton.proc.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond;
}
const cpuPerRequestUs: number[] = [];

const runs: { baton: WrkResult; bare: WrkResult; dispatch: WrkResult }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = load(bareUrl, SECONDS);
  const d = load(dispatchUrl, SECONDS);
  const cpuBefore = batonCpuSeconds();
  const t = load(batonUrl, SECONDS);
  cpuPerRequestUs.push(((batonCpuSeconds() - cpuBefore) * 1e6) / (t.requestsPerSec * SECONDS));
  if (t.non2xx > 0 || t.errors) console.warn(`round ${i}: baton non-2xx ${t.non2xx} ${t.errors}`);
  runs.push({ baton: t, bare: b, dispatch: d });
}
baton.proc.kill('SIGINT');
bare.proc.kill();
dispatch.proc.kill();

type Who = 'baton' | 'bare' | 'dispatch';
const rps = (k: Who) => median(runs.map((r) => r[k].requestsPerSec));
const lat = (k: Who, p: 'p50ms' | 'p99ms') => median(runs.map((r) => r[k][p]));
console.log(
  `Gateway: GET /hello, wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s, medians (load generator shares the cores); Baton log level ${LOG_LEVEL}`,
);
table([
  ['server', 'req/s', 'p50 ms', 'p99 ms'],
  [
    'baton gateway: route → payload 2.0 event → function → response',
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
  `baton gateway / bare: ${fmt((100 * rps('baton')) / rps('bare'), 1)} %   (target: ≥ 50 %, p99 ≤ 3 ms)`,
);
console.log(`peer dispatcher / bare: ${fmt((100 * rps('dispatch')) / rps('bare'), 1)} %`);
console.log(`baton gateway / peer dispatcher: ${fmt((100 * rps('baton')) / rps('dispatch'), 1)} %`);
console.log(
  `baton process CPU per request (gateway, invoker, pool; its instances not counted): ${fmt(median(cpuPerRequestUs), 1)} µs`,
);

/**
 * The gateway's own work per request, in this process, without node:http or an instance: the
 * listener is called with a stand-in request and response, and the function is a stub that only
 * serialises the event (as the instance channel would).
 */
async function gatewayWorkUs(level: string): Promise<number> {
  const rec = {
    name: 'hello',
    timeout: 3,
    routes: [{ route: 'GET /hello', payload: '2.0' }],
  } as FunctionRecord;
  const g = new Gateway({
    routes: { list: () => [rec], onChange: () => {} },
    invoke: async (_name, event) => {
      JSON.stringify(event);
      return { payload: '"ok"' };
    },
    clock: systemClock,
    log: pino({ level }, pino.destination({ dest: '/dev/null', sync: false, minLength: 8192 })),
    api: { accountId: '000000000000', apiId: 'abcdefghij' },
  });
  const req = {
    url: '/hello?name=Ada',
    method: 'GET',
    rawHeaders: ['Host', '127.0.0.1:4747', 'User-Agent', 'wrk/4.2.0', 'Accept', '*/*'],
    socket: { remoteAddress: '127.0.0.1' },
    httpVersion: '1.1',
  };
  let ended = 0;
  const res = { headersSent: false, writeHead() {}, end: () => ended++, once() {} };
  const run = async (n: number) => {
    ended = 0;
    for (let i = 0; i < n; i++) {
      g.listener(req as never, res as never);
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    while (ended < n) await new Promise((r) => setImmediate(r));
  };
  await run(20_000);
  const t = process.hrtime.bigint();
  await run(200_000);
  return Number(process.hrtime.bigint() - t) / 200_000 / 1000;
}
console.log(
  `gateway's own work per request, in process (no node:http, no instance): ${fmt(await gatewayWorkUs('info'), 1)} µs with the access log, ${fmt(await gatewayWorkUs('warn'), 1)} µs without`,
);
