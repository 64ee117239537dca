import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LogBackend } from '../../src/telemetry/logs/backend.ts';

/** The log store contract: every LogBackend implementation runs these. */
export function logsContract(make: () => Promise<LogBackend>): void {
  const rec = (fn: string, ts: number, message: string) => ({ function: fn, ts, requestId: 'r', message });

  it('returns a function’s records in order, by time window and after an id', async () => {
    const b = await make();
    await b.append([
      rec('a', 100, 'one'),
      rec('b', 150, 'other'),
      rec('a', 200, 'two'),
      rec('a', 300, 'three'),
    ]);
    assert.deepEqual(
      (await b.query({ function: 'a' })).map((r) => r.message),
      ['one', 'two', 'three'],
    );
    assert.deepEqual(
      (await b.query({ function: 'a', since: 200 })).map((r) => r.message),
      ['two', 'three'],
    );
    const all = await b.query({ function: 'a' });
    assert.deepEqual(
      (await b.query({ function: 'a', afterId: all[0]!.id })).map((r) => r.message),
      ['two', 'three'],
    );
    assert.deepEqual(
      (await b.query({ function: 'a', limit: 2 })).map((r) => r.message),
      ['two', 'three'],
      'a limit keeps the newest',
    );
    assert.ok(all[1]!.id > all[0]!.id);
  });

  it('keeps every record of a large batch, in order', async () => {
    const b = await make();
    const batch = Array.from({ length: 150 }, (_, i) => rec('big', 1000 + i, `m${i}`));
    await b.append(batch);
    const got = await b.query({ function: 'big', limit: 1000 });
    assert.deepEqual(
      got.map((r) => r.message),
      batch.map((r) => r.message),
    );
    assert.deepEqual(
      got.map((r) => r.ts),
      batch.map((r) => r.ts),
    );
  });

  it('purges records older than a time and deletes a function’s records', async () => {
    const b = await make();
    await b.append([rec('a', 100, 'old'), rec('a', 500, 'new'), rec('c', 50, 'c-old')]);
    assert.equal(await b.purgeBefore(200), 2);
    assert.deepEqual(
      (await b.query({ function: 'a' })).map((r) => r.message),
      ['new'],
    );
    await b.deleteFunction('a');
    assert.deepEqual(await b.query({ function: 'a' }), []);
  });
}
