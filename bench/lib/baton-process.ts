import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { signRequest } from '../../src/aws/sigv4-sign.ts';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

// The SDK warns once per process that its releases after January 2027 need Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Every process the bench starts; all are stopped when it exits, however it exits. */
const started: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

export interface BatonProcess {
  pid: number;
  controlUrl: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** A Lambda client as users configure one: the control port, root keys, no retries. */
  lambda(): LambdaClient;
  /** A SigV4-signed (service `baton`) request to the admin API; the body is JSON text. */
  admin(method: string, path: string, body?: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts `baton up` (run `npm run build` first) as its own process, on free ports, with a fresh
 * data directory and known root credentials, and waits until it says it is running. `nodeArgs`
 * go to node itself (`--cpu-prof` …: node 20 refuses those in NODE_OPTIONS).
 */
export async function startBatonProcess(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<BatonProcess> {
  const credentials = { accessKeyId: 'AKIABENCHSDK', secretAccessKey: 'bench-sdk-secret' };
  const data = mkdtempSync(join(tmpdir(), 'baton-sdk-'));
  const args = [...nodeArgs, CLI, 'up', '--port', '0', '--control-port', '0', '--data', data];
  const proc = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      BATON_ACCESS_KEY_ID: credentials.accessKeyId,
      BATON_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      BATON_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => {
    // Baton's own warnings and errors are part of what a bench reports.
    process.stderr.write(d);
    out += d.toString();
  });
  const controlUrl = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /control plane \(APIs, admin\):\s+(\S+)[\s\S]*Press Ctrl-C/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`baton up exited ${code}:\n${out}`)));
  });
  return {
    pid: proc.pid!,
    controlUrl,
    credentials,
    lambda: () =>
      new LambdaClient({ endpoint: controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }),
    admin(method, path, body = '') {
      const url = new URL(`${controlUrl}/admin/v1/${path}`);
      const { host: _host, ...headers } = signRequest(method, url, {}, body, credentials, {
        region: 'us-east-1',
        service: 'baton',
        now: Date.now(),
      });
      return fetch(url, {
        method,
        headers,
        body: method === 'GET' || method === 'DELETE' ? undefined : body,
      });
    },
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGINT');
      }),
  };
}

/** One stored log record per invocation: START, the function's lines, END and REPORT. */
export interface LogEvent {
  id: number;
  message: string;
}

/** Reads a function's stored log records after `afterId`, all pages. */
export async function readLogs(baton: BatonProcess, name: string, afterId = 0): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const query = `limit=10000${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
    const res = await baton.admin('GET', `functions/${name}/logs?${query}`);
    if (res.status !== 200) throw new Error(`logs of ${name}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { events: LogEvent[]; nextToken?: string };
    all.push(...page.events.filter((e) => e.id > afterId));
    if (!page.nextToken) return all;
    token = page.nextToken;
  }
}
