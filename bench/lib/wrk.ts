import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: string;
}

export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** Runs wrk (one thread: the load generator shares the 2 cores): a POST with a body, or a GET. */
export function wrk(
  url: string,
  opts: {
    connections: number;
    seconds: number;
    headers?: Record<string, string>;
    body?: string;
    method?: 'GET' | 'POST';
  },
): WrkResult {
  const dir = mkdtempSync(join(tmpdir(), 'baton-wrk-'));
  const script = join(dir, 'post.lua');
  const headers = Object.entries(opts.headers ?? {})
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  const request =
    opts.method === 'GET'
      ? 'wrk.method = "GET"\n'
      : `wrk.method = "POST"\nwrk.body = ${JSON.stringify(opts.body ?? '{}')}\n`;
  writeFileSync(script, `${request}${headers}\n`);
  const r = spawnSync(
    'wrk',
    ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', '-s', script, url],
    {
      encoding: 'utf8',
    },
  );
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(out)?.[0] ?? '';
  return { requestsPerSec: rps, p50ms: p50, p99ms: p99, non2xx, errors };
}
