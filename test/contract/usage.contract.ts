import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { UsageBackend } from '../../src/governance/costs/backend.ts';
import { emptyCounts, type UsageRow } from '../../src/governance/costs/usage.ts';

/** The usage store contract: every UsageBackend implementation runs these. */
export function usageContract(make: () => Promise<UsageBackend>): void {
  const row = (day: string, fn: string, invocations: number, billedMs: number): UsageRow => ({
    day,
    app: 'shop',
    function: fn,
    ...emptyCounts(),
    invocations,
    billedMs,
    mbMs: billedMs * 128,
  });

  it('adds batches to daily totals, and a flush id counts once', async () => {
    const b = await make();
    assert.equal(await b.apply('f1', [row('2024-05-01', 'a', 2, 10), row('2024-05-02', 'a', 1, 3)]), true);
    assert.equal(await b.apply('f2', [row('2024-05-01', 'a', 1, 5)]), true);
    assert.equal(await b.apply('f1', [row('2024-05-01', 'a', 2, 10)]), false, 'a retried flush adds nothing');
    const all = await b.query({});
    assert.deepEqual(
      all.map((r) => [r.day, r.function, r.invocations, r.billedMs, r.mbMs]),
      [
        ['2024-05-01', 'a', 3, 15, 15 * 128],
        ['2024-05-02', 'a', 1, 3, 3 * 128],
      ],
    );
    assert.deepEqual(
      (await b.query({ since: '2024-05-02' })).map((r) => r.day),
      ['2024-05-02'],
    );
    assert.deepEqual(
      (await b.query({ until: '2024-05-01' })).map((r) => r.day),
      ['2024-05-01'],
    );
  });

  it('keeps budgets and remembers each alert once per month and threshold', async () => {
    const b = await make();
    await b.putBudget({ scope: 'app', name: 'shop', monthlyUsd: 5, thresholds: [80, 100], hardStop: true });
    await b.putBudget({ scope: 'app', name: 'shop', monthlyUsd: 6, thresholds: [50], hardStop: false });
    assert.deepEqual(await b.listBudgets(), [
      { scope: 'app', name: 'shop', monthlyUsd: 6, thresholds: [50], hardStop: false },
    ]);
    assert.equal(await b.markAlert('app', 'shop', '2024-05', 50), true);
    assert.equal(await b.markAlert('app', 'shop', '2024-05', 50), false);
    assert.equal(await b.markAlert('app', 'shop', '2024-06', 50), true);
    assert.equal(await b.deleteBudget('app', 'shop'), true);
    assert.equal(await b.deleteBudget('app', 'shop'), false);
    assert.deepEqual(await b.listBudgets(), []);
  });
}
