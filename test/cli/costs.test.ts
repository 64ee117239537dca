import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Line {
  key: string;
  invocations: number;
  billedMs: number;
  gbSeconds: number;
  gatewayRequests: number;
  cost: { total: number };
}

describe('costs and budgets against a running server', () => {
  let s: ServerProcess;
  const N = 6;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-costs-'));
    const prices = join(dir, 'prices.json');
    // A dear GB-second, so a handful of invocations spends a budget.
    writeFileSync(prices, JSON.stringify({ lambdaGbSecond: 10, takenAt: '2030-01-01' }));
    s = await startServerProcess({ env: { BATON_PRICES: prices, BATON_USAGE_FLUSH_MS: '50' } });
    const app = join(dir, 'testapp');
    cpSync(join(FIXTURES, 'app'), app, { recursive: true });
    const d = await runCli(['deploy', app], s.cliEnv);
    assert.equal(d.code, 0, d.stderr);
  });
  after(async () => {
    await s.stop();
  });

  it('meters billed ms equal to the sum of the REPORT lines, and gateway requests', async () => {
    for (let i = 0; i < N; i++) {
      const r = await runCli(['invoke', 'greet', '--data', `{"name":"n${i}"}`], s.cliEnv);
      assert.equal(r.code, 0, r.stderr);
    }
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${s.gatewayUrl}/greet`)).status, 200);
    // The log sink flushes every 200 ms.
    let reported: number[] = [];
    for (let t = 0; t < 50 && reported.length < N + 3; t++) {
      await new Promise((r) => setTimeout(r, 100));
      const logs = (await (await s.admin('functions/greet/logs')).json()) as {
        events: { message: string }[];
      };
      reported = logs.events
        .map((e) => /Billed Duration: (\d+) ms/.exec(e.message)?.[1])
        .filter((v): v is string => v !== undefined)
        .map(Number);
    }
    assert.equal(reported.length, N + 3);
    const res = await s.admin('costs?by=function');
    assert.equal(res.status, 200);
    const report = (await res.json()) as { lines: Line[]; prices: { takenAt: string } };
    const greet = report.lines.find((l) => l.key === 'greet')!;
    assert.equal(greet.invocations, N + 3);
    assert.equal(
      greet.billedMs,
      reported.reduce((a, b) => a + b, 0),
    );
    assert.equal(greet.gbSeconds, (greet.billedMs * 128) / 1024 / 1000);
    assert.equal(report.lines.find((l) => l.key === '(gateway)')!.gatewayRequests, 3);
    assert.equal(report.prices.takenAt, '2030-01-01');

    const cli = await runCli(['costs', '--by', 'app', '--since', '1d'], s.cliEnv);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^APP +INVOCATIONS/);
    assert.match(cli.stdout, new RegExp(`\\ntestapp +${N + 3} +${greet.billedMs} `));
    assert.match(cli.stdout, /prices: custom, taken 2030-01-01/);
    const bad = await runCli(['costs', '--by', 'week'], s.cliEnv);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /InvalidParameterValueException: by: must be function, app or day/);
  });

  it('throttles a function whose budget is spent, with BudgetExceeded', async () => {
    const set = await runCli(['budgets', 'set', 'function', 'greet', '0.000001', '--hard-stop'], s.cliEnv);
    assert.equal(set.code, 0, set.stderr);
    const list = await runCli(['budgets'], s.cliEnv);
    assert.match(list.stdout, /function +greet +0\.000001 +80,100 +yes/);
    const res = await s.admin('functions/greet/invoke', { method: 'POST', body: '{}' });
    assert.equal(res.status, 429);
    const body = (await res.json()) as { __type: string; Reason: string; message: string };
    assert.equal(body.__type, 'TooManyRequestsException');
    assert.equal(body.Reason, 'BudgetExceeded');
    assert.match(body.message, /budget of function greet is spent/);
    assert.equal((await fetch(`${s.gatewayUrl}/greet`)).status, 429);
    // Another function of the app is not in the budget's scope.
    const adder = await s.admin('functions/adder/invoke', { method: 'POST', body: '{"a":1,"b":2}' });
    assert.equal(adder.status, 200);
    const del = await runCli(['budgets', 'delete', 'function', 'greet'], s.cliEnv);
    assert.equal(del.code, 0, del.stderr);
    const again = await s.admin('functions/greet/invoke', { method: 'POST', body: '{}' });
    assert.equal(again.status, 200);
  });
});
