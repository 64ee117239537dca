import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryUsage } from '../../src/backends/memory/usage.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { isBatonError } from '../../src/core/errors.ts';
import type { FunctionRecord } from '../../src/core/function-spec.ts';
import { type BudgetAlert, BudgetKeeper, parseBudget } from '../../src/governance/costs/budgets.ts';
import { Meter } from '../../src/governance/costs/meter.ts';
import { costOf, DEFAULT_PRICES, parsePrices } from '../../src/governance/costs/prices.ts';
import { costReport } from '../../src/governance/costs/report.ts';
import { chunks64k, emptyCounts } from '../../src/governance/costs/usage.ts';
import type { InvokeTarget } from '../../src/registry/resolve.ts';
import type { InvokeResult } from '../../src/runtime/invoker.ts';

const target = (name: string, memory: number, app = 'shop'): InvokeTarget => ({
  record: { name, memory, app } as FunctionRecord,
  key: name,
  version: '$LATEST',
  invokedArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  qualifier: undefined,
});
const ran = (durationMs: number) => ({ durationMs }) as InvokeResult;
// 2024-05-31T23:59:00Z: a minute before a month (and a day) ends.
const EDGE = Date.parse('2024-05-31T23:59:00Z');

describe('metering', () => {
  it('meters invocations and GB-seconds at 1 ms, as the REPORT line bills', async () => {
    const backend = memoryUsage();
    const clock = new ManualClock(EDGE);
    const meter = new Meter(backend, clock, { flushIntervalMs: 1000 });
    // Billed: ceil(12.2)=13, ceil(0.4)=1 (the minimum), 100; at 1024 MB and 128 MB.
    meter.invoked(target('a', 1024), ran(12.2));
    meter.invoked(target('a', 1024), ran(0.4));
    meter.invoked(target('b', 128), ran(100));
    meter.gatewayRequest();
    await meter.flush();
    const report = costReport(await backend.query({}), DEFAULT_PRICES, 'function');
    const a = report.lines.find((l) => l.key === 'a')!;
    assert.equal(a.invocations, 2);
    assert.equal(a.billedMs, 14);
    assert.equal(a.gbSeconds, 0.014);
    const b = report.lines.find((l) => l.key === 'b')!;
    assert.equal(b.gbSeconds, 0.1 * 0.125);
    assert.equal(report.lines.find((l) => l.key === '(gateway)')!.gatewayRequests, 1);
    assert.equal(report.total.billedMs, 114);
    const expected = 3 * 0.2e-6 + (0.014 + 0.0125) * 0.0000166667 + 1e-6;
    assert.ok(Math.abs(report.total.cost.total - expected) < 1e-15);
  });

  it('splits usage by UTC day and retries a failed flush with the same id', async () => {
    const inner = memoryUsage();
    let fail = true;
    const ids: string[] = [];
    const backend = {
      ...inner,
      async apply(id: string, rows: Parameters<typeof inner.apply>[1]) {
        ids.push(id);
        const applied = await inner.apply(id, rows);
        // The commit happened but its answer was lost: the retry must not count it again.
        if (fail) {
          fail = false;
          throw new Error('lost answer');
        }
        return applied;
      },
    };
    const clock = new ManualClock(EDGE);
    const warnings: string[] = [];
    const meter = new Meter(backend, clock, { flushIntervalMs: 1000, warn: (m) => warnings.push(m) });
    meter.start();
    meter.invoked(target('a', 128), ran(5));
    clock.advance(60_000); // the next day (and month)
    meter.invoked(target('a', 128), ran(7));
    await meter.flush();
    await meter.close();
    assert.equal(warnings.length, 1);
    assert.equal(ids[0], ids[1], 'the retry reuses the flush id');
    const rows = await inner.query({});
    assert.deepEqual(
      rows.map((r) => [r.day, r.billedMs]),
      [
        ['2024-05-31', 5],
        ['2024-06-01', 7],
      ],
    );
  });

  it('counts service requests in 64 KB chunks', () => {
    assert.equal(chunks64k(0), 1);
    assert.equal(chunks64k(65_536), 1);
    assert.equal(chunks64k(256 * 1024), 4);
    const c = { ...emptyCounts(), queueRequests: 1_000_000, readHalfUnits: 2_000_000, writeUnits: 1_000_000 };
    const cost = costOf(c, DEFAULT_PRICES);
    assert.ok(Math.abs(cost.queues - 0.4) < 1e-12);
    assert.ok(Math.abs(cost.tables - (0.125 + 0.625)) < 1e-12);
  });
});

describe('prices', () => {
  it('defaults to dated us-east-1 prices and takes overrides by name', () => {
    assert.match(DEFAULT_PRICES.takenAt, /^\d{4}-\d{2}-\d{2}$/);
    const p = parsePrices({ lambdaGbSecond: 0.001, takenAt: '2030-01-01' });
    assert.equal(p.lambdaGbSecond, 0.001);
    assert.equal(p.lambdaRequest, DEFAULT_PRICES.lambdaRequest);
    assert.throws(() => parsePrices({ lambdaGbSeconds: 1 }), /unknown price "lambdaGbSeconds"/);
    assert.throws(() => parsePrices({ busEvent: -1 }), /busEvent must be a number/);
  });
});

describe('budgets', () => {
  const setup = async (hardStop: boolean) => {
    const backend = memoryUsage();
    const clock = new ManualClock(Date.parse('2024-05-20T00:00:00Z'));
    // 1 USD per GB-second: 1000 ms at 1024 MB costs 1 USD (plus a negligible request).
    const prices = parsePrices({ lambdaGbSecond: 1, lambdaRequest: 0 });
    const alerts: BudgetAlert[] = [];
    const budgets = new BudgetKeeper({ backend, prices, clock, alert: async (a) => void alerts.push(a) });
    const meter = new Meter(backend, clock, { flushIntervalMs: 1000, afterFlush: () => budgets.evaluate() });
    await backend.putBudget(parseBudget('app', 'shop', { monthlyUsd: 10, hardStop }));
    const spend = async (usd: number) => {
      meter.invoked(target('a', 1024), ran(usd * 1000));
      await meter.flush();
    };
    return { clock, alerts, budgets, spend };
  };

  it('alerts once per threshold per month', async () => {
    const { clock, alerts, budgets, spend } = await setup(false);
    await spend(7);
    assert.equal(alerts.length, 0);
    await spend(1); // 80 %
    await spend(0.5);
    assert.deepEqual(
      alerts.map((a) => [a.threshold, a.month, a.spentUsd]),
      [[80, '2024-05', 8]],
    );
    await spend(3); // 115 %: the 100 % alert, once
    await spend(1);
    assert.deepEqual(
      alerts.map((a) => a.threshold),
      [80, 100],
    );
    assert.equal(alerts[1]!.stopped, false);
    budgets.admit(target('a', 1024)); // no hard stop: admitted
    clock.advance(15 * 86_400_000); // June: a new month, spend starts over
    await spend(9);
    assert.deepEqual(
      alerts.map((a) => `${a.month}:${a.threshold}`),
      ['2024-05:80', '2024-05:100', '2024-06:80'],
    );
  });

  it('hard-stops the budget scope with BudgetExceeded until the month rolls over', async () => {
    const { clock, alerts, budgets, spend } = await setup(true);
    await spend(10);
    assert.equal(alerts.at(-1)!.stopped, true);
    assert.throws(
      () => budgets.admit(target('a', 1024)),
      (e) => isBatonError(e, 'ThrottledFunction') && e.details?.reason === 'BudgetExceeded',
    );
    budgets.admit(target('other', 1024, 'elsewhere')); // another app runs
    assert.deepEqual(budgets.stops(), ['app/shop']);
    clock.advance(12 * 86_400_000); // 2024-06-01: the stop lapses with the month
    budgets.admit(target('a', 1024));
    assert.deepEqual(budgets.stops(), []);
  });

  it('refuses malformed budgets', () => {
    assert.throws(() => parseBudget('team', 'x', { monthlyUsd: 1 }), /scope/);
    assert.throws(() => parseBudget('app', 'x', { monthlyUsd: 0 }), /monthlyUsd/);
    assert.throws(() => parseBudget('app', 'x', { monthlyUsd: 1, thresholds: ['a'] }), /thresholds/);
    assert.deepEqual(
      parseBudget('function', 'f', { monthlyUsd: 2, thresholds: [100, 50] }).thresholds,
      [50, 100],
    );
  });
});
