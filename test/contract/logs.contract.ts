import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LogBackend } from '../../src/telemetry/logs/backend.ts';
import { filterLogs, SCAN_BUDGET } from '../../src/telemetry/logs/filter-logs.ts';

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
      ['one', 'two'],
      'a limit keeps the oldest: the next page starts after the last id',
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

  it('narrows by time range, request id and case-sensitive terms, all together', async () => {
    const b = await make();
    const r = (ts: number, requestId: string, message: string) => ({ function: 'f', ts, requestId, message });
    await b.append([
      r(100, 'r1', 'START\nERROR boom\nEND'),
      r(200, 'r2', 'START\nall good\nEND'),
      r(300, 'r3', 'START\nERROR again\nEND'),
      r(400, 'r4', 'START\nerror lower\nEND'),
      { function: 'g', ts: 250, requestId: 'r2', message: 'ERROR elsewhere' },
    ]);
    const ids = async (q: Omit<Parameters<LogBackend['query']>[0], 'function'>) =>
      (await b.query({ function: 'f', ...q })).map((x) => x.requestId);
    assert.deepEqual(await ids({ since: 200, until: 300 }), ['r2', 'r3'], 'both ends are inclusive');
    assert.deepEqual(await ids({ until: 150 }), ['r1']);
    assert.deepEqual(await ids({ requestId: 'r2' }), ['r2'], 'another function’s r2 is not ours');
    assert.deepEqual(await ids({ requestId: 'nope' }), []);
    assert.deepEqual(await ids({ contains: ['ERROR'] }), ['r1', 'r3'], 'terms are case-sensitive');
    assert.deepEqual(await ids({ contains: ['ERROR', 'again'] }), ['r3'], 'every term must occur');
    assert.deepEqual(await ids({ contains: ['ERROR'], since: 150 }), ['r3']);
    const all = await b.query({ function: 'f' });
    assert.deepEqual(await ids({ afterId: all[0]!.id, contains: ['ERROR'], limit: 1 }), ['r3']);
  });

  it('pages through a filter pattern’s matches with nextToken', async () => {
    const b = await make();
    const batch = Array.from({ length: 40 }, (_, i) => ({
      function: 'p',
      ts: 1000 + i,
      requestId: `r${i}`,
      message: `START RequestId: r${i}\n2024-01-01T00:00:00.000Z\tr${i}\t${i % 3 === 0 ? 'ERROR' : 'INFO'}\tline ${i}\nEND RequestId: r${i}`,
    }));
    await b.append(batch);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await filterLogs(b, { function: 'p', filterPattern: 'ERROR', limit: 4, nextToken: token });
      for (const e of page.events) {
        assert.doesNotMatch(e.message, /START|END/, 'only the matching events of an invocation');
        seen.push(e.requestId!);
      }
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(
      seen,
      batch.filter((_, i) => i % 3 === 0).map((r) => r.requestId),
    );
    assert.equal(pages, 4, '14 matches in pages of 4');
    const json = await filterLogs(b, { function: 'p', filterPattern: '{ $.level = "ERROR" }' });
    assert.deepEqual(json.events, [], 'text lines are not JSON events');
    const windowed = await filterLogs(b, {
      function: 'p',
      startTime: 1010,
      endTime: 1020,
      filterPattern: 'INFO -ERROR',
    });
    assert.equal(windowed.events.length, 11 - 3, 'r10…r20 less the 3 errors among them');
    assert.match(windowed.events[0]!.message, /^2024-01-01T00:00:00\.000Z\tr10\tINFO\tline 10$/);
    assert.equal(windowed.nextToken, undefined);
    const later = await filterLogs(b, {
      function: 'p',
      nextToken: windowed.nextForwardToken,
      startTime: 1010,
    });
    assert.deepEqual(
      later.events.map((e) => e.requestId),
      batch.slice(21).map((r) => r.requestId),
      'the forward token resumes where the last page stopped',
    );
  });

  it('answers a patterned query after its scan budget, with a token to go on', async () => {
    const b = await make();
    const miss = Array.from({ length: SCAN_BUDGET + 5 }, (_, i) => rec('s', i, `INFO ${i}`));
    await b.append([...miss, rec('s', SCAN_BUDGET + 10, 'ERROR at last')]);
    const first = await filterLogs(b, { function: 's', filterPattern: '?ERROR ?WARN' });
    assert.deepEqual(first.events, []);
    assert.ok(first.nextToken, 'more may match');
    const second = await filterLogs(b, {
      function: 's',
      filterPattern: '?ERROR ?WARN',
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      second.events.map((e) => e.message),
      ['ERROR at last'],
    );
    assert.equal(second.nextToken, undefined);
  });

  it('purges one function by its own retention, the others by the default', async () => {
    const b = await make();
    await b.append([
      rec('keep', 100, 'kept long'),
      rec('short', 100, 'short old'),
      rec('short', 900, 'short new'),
    ]);
    await b.append([rec('other', 100, 'other old'), rec('other', 900, 'other new')]);
    assert.equal(await b.purgeBefore(500, { except: ['keep'] }), 2, 'short old and other old');
    assert.equal(await b.purgeBefore(950, { only: 'short' }), 1);
    const left = async (fn: string) => (await b.query({ function: fn })).map((r) => r.message);
    assert.deepEqual(await left('keep'), ['kept long']);
    assert.deepEqual(await left('short'), []);
    assert.deepEqual(await left('other'), ['other new']);
  });
}
