import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Event {
  id: number;
  ts: number;
  requestId: string;
  message: string;
}
interface Page {
  events: Event[];
  nextToken?: string;
  nextForwardToken: string;
}

const MANIFEST = `app: logsapp
functions:
  textfn:
    handler: src/fn.handler
    logRetentionDays: 14
  jsonfn:
    handler: src/fn.handler
    logging: { format: JSON, applicationLogLevel: DEBUG }
`;
const SOURCE = `export const handler = async (event) => {
  if (event.level === 'error') console.error('payment failed for', event.id);
  else if (event.level === 'warn') console.warn('slow request', event.id);
  else console.log('order placed', event.id);
  console.debug({ order: event.id, total: event.total ?? 0 });
  return { id: event.id };
};
`;
const LEVELS = ['info', 'error', 'info', 'warn', 'error', 'info'];

// The filters end to end: the manifest's log settings, the admin API's FilterLogEvents-style
// query, and `baton logs` with its flags, against a real server process.
describe('function log queries through the admin API and the CLI', () => {
  let s: ServerProcess;
  const rids: Record<string, string[]> = { textfn: [], jsonfn: [] };
  const query = async (fn: string, params: Record<string, string>) => {
    const res = await s.admin(`functions/${fn}/logs?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as Page & { __type?: string; message?: string } };
  };
  const page = async (fn: string, params: Record<string, string>) => {
    const r = await query(fn, params);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const invoke = async (fn: string, event: unknown) => {
    const res = await s.admin(`functions/${fn}/invoke`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(res.status, 200);
    rids[fn]!.push(res.headers.get('x-amz-request-id')!);
  };

  before(async () => {
    s = await startServerProcess();
    const dir = join(mkdtempSync(join(tmpdir(), 'baton-logs-')), 'logsapp');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'baton.yaml'), MANIFEST);
    writeFileSync(join(dir, 'src', 'fn.mjs'), SOURCE);
    const deployed = await runCli(['deploy', dir], s.cliEnv);
    assert.equal(deployed.code, 0, deployed.stderr);
    for (const fn of ['textfn', 'jsonfn'])
      for (const [i, level] of LEVELS.entries()) await invoke(fn, { id: i, level, total: i * 10 });
  });
  after(async () => {
    await s.stop();
  });

  it('stores the manifest’s log settings with the function, and the admin API changes them', async () => {
    const get = async (fn: string) =>
      ((await (await s.admin(`functions/${fn}`)).json()) as { function: Record<string, unknown> }).function;
    assert.equal((await get('textfn')).logRetentionDays, 14);
    assert.deepEqual((await get('textfn')).logging, { format: 'Text' });
    assert.deepEqual((await get('jsonfn')).logging, {
      format: 'JSON',
      applicationLogLevel: 'DEBUG',
      systemLogLevel: 'INFO',
    });
    assert.equal((await get('jsonfn')).logRetentionDays, null, 'the platform default applies');
    const put = (body: unknown) => s.admin('functions/textfn', { method: 'PUT', body: JSON.stringify(body) });
    assert.equal((await put({ logRetentionDays: 5 })).status, 200);
    assert.equal((await get('textfn')).logRetentionDays, 5);
    const bad = await put({ logRetentionDays: 6 });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /logRetentionDays: must be one of/);
  });

  it('matches text terms event by event, returning only the matching lines', async () => {
    const errors = await page('textfn', { filterPattern: 'ERROR' });
    assert.deepEqual(
      errors.events.map((e) => e.requestId),
      [rids.textfn![1], rids.textfn![4]],
    );
    assert.match(errors.events[0]!.message, /^\S+Z\t\S+\tERROR\tpayment failed for 1$/);
    assert.equal(errors.nextToken, undefined);
    const either = await page('textfn', { filterPattern: '?ERROR ?WARN' });
    assert.equal(either.events.length, 3);
    const phrase = await page('textfn', { filterPattern: '"order placed" -"placed 5"' });
    assert.deepEqual(
      phrase.events.map((e) => e.message.split('\t').at(-1)),
      ['order placed 0', 'order placed 2'],
    );
    const bad = await query('textfn', { filterPattern: '{ $.level = }' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.__type, 'InvalidParameterValueException');
    assert.equal((await query('textfn', { nextToken: 'garbage' })).status, 400);
  });

  it('matches JSON conditions on JSON-format functions', async () => {
    const errors = await page('jsonfn', { filterPattern: '{ $.level = "ERROR" }' });
    assert.equal(errors.events.length, 2);
    const record = JSON.parse(errors.events[0]!.message) as Record<string, unknown>;
    assert.equal(record.message, 'payment failed for 1');
    assert.equal(record.requestId, rids.jsonfn![1]);
    const big = await page('jsonfn', { filterPattern: '{ $.message.total >= 30 && $.level = "DEBUG" }' });
    assert.deepEqual(
      big.events.map((e) => (JSON.parse(e.message) as { message: { order: number } }).message.order),
      [3, 4, 5],
    );
    const reports = await page('jsonfn', { filterPattern: '{ $.type = "platform.report" }' });
    assert.equal(reports.events.length, LEVELS.length);
  });

  it('finds one invocation by request id, pages with limit and nextToken, and honours the time range', async () => {
    const one = await page('textfn', { requestId: rids.textfn![3]! });
    assert.equal(one.events.length, 1);
    assert.match(
      one.events[0]!.message,
      /^START RequestId: \S+ Version: \$LATEST\n[\s\S]*\nREPORT RequestId: /,
    );
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await page('textfn', { limit: '2', ...(token ? { nextToken: token } : {}) });
      seen.push(...p.events.map((e) => e.requestId));
      token = p.nextToken;
      pages++;
    } while (token);
    assert.deepEqual(seen, rids.textfn);
    assert.ok(pages >= 3);
    const all = (await page('textfn', {})).events;
    const [from, to] = [all[2]!.ts, all[3]!.ts];
    const window = await page('textfn', { startTime: String(from), endTime: String(to) });
    assert.deepEqual(
      window.events.map((e) => e.requestId),
      all.filter((e) => e.ts >= from && e.ts <= to).map((e) => e.requestId),
    );
    assert.ok(window.events.some((e) => e.requestId === rids.textfn![2]));
    assert.equal((await query('textfn', { startTime: '10', endTime: '5' })).status, 400);
  });

  it('baton logs takes --filter, --request-id, --since and --until', async () => {
    const errors = await runCli(['logs', 'textfn', '--filter', 'ERROR'], s.cliEnv);
    assert.equal(errors.code, 0, errors.stderr);
    const lines = errors.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /\tERROR\tpayment failed for [14]$/);
    const excluded = await runCli(['logs', 'textfn', '--filter=-order -RequestId'], s.cliEnv);
    assert.equal(excluded.stdout.trimEnd().split('\n').length, 3, 'the error and warn lines');
    const one = await runCli(['logs', 'textfn', '--request-id', rids.textfn![4]!], s.cliEnv);
    assert.match(one.stdout, new RegExp(`^START RequestId: ${rids.textfn![4]} `));
    assert.doesNotMatch(one.stdout, new RegExp(rids.textfn![3]!));
    const json = await runCli(
      ['logs', 'jsonfn', '--filter', '{ $.level = "WARN" }', '--since', '1h'],
      s.cliEnv,
    );
    assert.equal((JSON.parse(json.stdout) as { message: string }).message, 'slow request 3');
    const old = await runCli(
      ['logs', 'textfn', '--since', '1999-12-01T00:00:00Z', '--until', '2000-01-01T00:00:00Z'],
      s.cliEnv,
    );
    assert.equal(old.code, 0, old.stderr);
    assert.equal(old.stdout, '', 'nothing was logged before 2000');
    const bad = await runCli(['logs', 'textfn', '--until', 'yesterday-ish'], s.cliEnv);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--until: "yesterday-ish" is not a duration/);
    const badPattern = await runCli(['logs', 'textfn', '--filter', '[a, b]'], s.cliEnv);
    assert.notEqual(badPattern.code, 0);
    assert.match(badPattern.stderr, /filterPattern: space-delimited patterns/);
  });

  it('baton logs --follow --filter prints only the new matching lines', async () => {
    const follower = spawn(process.execPath, [CLI, 'logs', 'textfn', '--follow', '--filter', 'WARN'], {
      env: s.cliEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!out.includes('slow request 3') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /slow request 3/, 'what was there already');
      await invoke('textfn', { id: 'late-info', level: 'info' });
      await invoke('textfn', { id: 'late-warn', level: 'warn' });
      while (!out.includes('late-warn') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        out
          .trimEnd()
          .split('\n')
          .map((l) => l.split('\t').at(-1)),
        ['slow request 3', 'slow request late-warn'],
      );
    } finally {
      follower.kill();
    }
  });
});
