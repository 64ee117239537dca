import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { packageRoot } from '../../src/server/config.ts';

export const CLI = join(packageRoot(), 'dist', 'cli.js');

export interface ServerProcess {
  proc: ChildProcess;
  dataDir: string;
  controlUrl: string;
  gatewayUrl: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  output: () => string;
  /** Sends `fetch` to the admin API, SigV4-signed with the root credentials. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** Environment for running the CLI against this server. */
  cliEnv: NodeJS.ProcessEnv;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `baton up` as a real process on free ports and waits until it says it is running. */
export async function startServerProcess(
  opts: { dataDir?: string; env?: NodeJS.ProcessEnv; args?: string[] } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'baton-srv-'));
  const proc = spawn(
    process.execPath,
    [CLI, 'up', '--data', dataDir, '--port', '0', '--control-port', '0', ...(opts.args ?? [])],
    {
      env: { PATH: process.env.PATH, BATON_SPARE_RUNNERS: '1', BATON_LOG_LEVEL: 'warn', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const check = (): void => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const controlUrl = /control plane \(APIs, admin\):\s+(\S+)/.exec(out)![1]!;
  const gatewayUrl = /gateway \(app routes\):\s+(\S+)/.exec(out)![1]!;
  const credentials = JSON.parse(
    readFileSync(join(dataDir, 'credentials.json'), 'utf8'),
  ) as ServerProcess['credentials'];

  return {
    proc,
    dataDir,
    controlUrl,
    gatewayUrl,
    credentials,
    output: () => out,
    admin: (path, init = {}) => {
      const url = new URL(`${controlUrl}/admin/v1/${path}`);
      const method = init.method ?? 'GET';
      const body = (init.body as string | undefined) ?? '';
      const given = (init.headers as Record<string, string> | undefined) ?? {};
      const headers = signRequest(method, url, given, body, credentials, {
        region: 'us-east-1',
        service: 'baton',
        now: Date.now(),
      });
      delete headers.host;
      const sendBody = method === 'GET' || method === 'DELETE' ? undefined : body;
      return fetch(url, { ...init, method, headers, body: sendBody });
    },
    cliEnv: { PATH: process.env.PATH, BATON_ENDPOINT: controlUrl, BATON_DATA: dataDir },
    stop(signal = 'SIGINT') {
      return new Promise((resolve) => {
        // Already gone (an exit, or a kill by signal: then exitCode stays null).
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
