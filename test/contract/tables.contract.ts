import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { TableBackend } from '../../src/services/tables/backend.ts';
import { isTableError } from '../../src/services/tables/errors.ts';
import type { Item } from '../../src/services/tables/types.ts';
import { itemSize } from '../../src/services/tables/values.ts';
import { changesOf, del, N, put, putIfAbsent, S, streamOn, T0, tableDef } from '../helpers/tables.ts';
import { tableReadsContract } from './tables-reads.contract.ts';

const it1 = (pk: string, sk: string, more: Item = {}): Item => ({ pk: S(pk), sk: S(sk), ...more });

/** The table store's contract: every TableBackend implementation runs these. */
export function tablesContract(make: () => Promise<TableBackend>): void {
  it('creates, gets, lists in pages, updates and deletes tables', async () => {
    const b = await make();
    const names = ['orders', 'Users', 'a-b', 'a.b', 'a_b', 'zeta'];
    for (const n of names) assert.equal(await b.createTable(tableDef(n)), true);
    assert.equal(await b.createTable(tableDef('orders', { tags: { x: 'y' } })), false, 'the name is taken');
    assert.deepEqual(await b.getTable('orders'), tableDef('orders'));
    assert.equal(await b.getTable('nope'), undefined);

    const sorted = [...names].sort();
    const pages: string[][] = [];
    let start: string | undefined;
    for (;;) {
      const page = await b.listTables(start, 4);
      if (page.length === 0) break;
      pages.push(page);
      start = page[page.length - 1];
    }
    assert.deepEqual(pages, [sorted.slice(0, 4), sorted.slice(4)]);
    assert.deepEqual(await b.listTables('a_b', 100), sorted.slice(sorted.indexOf('a_b') + 1));

    const updated = tableDef('orders', { tags: { team: 'x' }, provisioned: { read: 5, write: 5 } });
    await b.updateTable(updated);
    assert.deepEqual(await b.getTable('orders'), updated);

    const t = tableDef('orders');
    changesOf(await b.mutate([put(t, it1('a', '1'))], T0));
    assert.equal(await b.deleteTable('orders'), true);
    assert.equal(await b.deleteTable('orders'), false);
    assert.equal(await b.getTable('orders'), undefined);
    await b.createTable(t);
    assert.equal(
      await b.getItem(t, { pk: S('a'), sk: S('1') }),
      undefined,
      'a new table of the same name is empty',
    );
    assert.deepEqual(await b.stats(t), { count: 0, bytes: 0 });
  });

  it('puts, gets, keeps and deletes items, returning each change', async () => {
    const b = await make();
    const t = tableDef('t');
    const h = tableDef('h', { key: { hash: { name: 'id', type: 'N' } } });
    await b.createTable(t);
    await b.createTable(h);
    const a = it1('a', '1', { v: N(1), list: { L: [S('x'), { M: { deep: { BOOL: true } } }] } });
    assert.deepEqual(changesOf(await b.mutate([put(t, a)], T0)), [{ old: undefined, new: a }]);
    assert.deepEqual(await b.getItem(t, { pk: S('a'), sk: S('1') }), a);
    assert.equal(await b.getItem(t, { pk: S('a'), sk: S('2') }), undefined);

    const a2 = it1('a', '1', { v: N(2) });
    assert.deepEqual(changesOf(await b.mutate([put(t, a2)], T0)), [{ old: a, new: a2 }]);
    // Any string survives storage: NUL characters (which JSONB refuses), and names like a wrapper's.
    const odd = it1('odd\u0000', '1', {
      nul: S('a\u0000b'),
      $json: { M: { s: S('\u0000') } },
      e: S('\u{1F600}'),
    });
    changesOf(await b.mutate([put(t, odd)], T0));
    assert.deepEqual(await b.getItem(t, { pk: S('odd\u0000'), sk: S('1') }), odd);
    const keep = { table: t, key: { pk: S('a'), sk: S('1') }, decide: () => ({ keep: true }) as const };
    assert.deepEqual(changesOf(await b.mutate([keep], T0)), [{ old: a2, new: a2 }]);

    // A number key: 1, 1.0 and 1E0 are one key.
    changesOf(await b.mutate([put(h, { id: N('1.0'), v: S('one') })], T0));
    assert.deepEqual(await b.getItem(h, { id: N('1') }), { id: N('1.0'), v: S('one') });
    assert.deepEqual(changesOf(await b.mutate([del(h, { id: N('1E0') })], T0)), [
      { old: { id: N('1.0'), v: S('one') }, new: undefined },
    ]);
    assert.deepEqual(changesOf(await b.mutate([del(h, { id: N(1) })], T0)), [
      { old: undefined, new: undefined },
    ]);
    assert.equal(await b.getItem(h, { id: N(1) }), undefined);
    await assert.rejects(b.getItem(t, { pk: S('a') }), (e) => isTableError(e, 'ValidationException'));
  });

  it('writes all mutations of a call or none: one cancel writes nothing', async () => {
    const b = await make();
    const t = tableDef('t', { stream: streamOn('t', 'NEW_AND_OLD_IMAGES') });
    await b.createTable(t);
    const before = it1('x', '0', { v: N(0) });
    changesOf(await b.mutate([put(t, before)], T0));
    const seen: (Item | undefined)[] = [];
    const result = await b.mutate(
      [
        put(t, it1('x', '1')),
        {
          table: t,
          key: { pk: S('x'), sk: S('0') },
          decide: (c) => {
            seen.push(c);
            return { put: it1('x', '0', { v: N(9) }) };
          },
        },
        putIfAbsent(t, it1('x', '2')),
        putIfAbsent(t, before),
      ],
      T0,
    );
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.outcomes, [
      { current: undefined, decision: { put: it1('x', '1') } },
      { current: before, decision: { put: it1('x', '0', { v: N(9) }) } },
      { current: undefined, decision: { put: it1('x', '2') } },
      { current: before, decision: { cancel: 'exists' } },
    ]);
    assert.deepEqual(seen, [before]);
    assert.equal(await b.getItem(t, { pk: S('x'), sk: S('1') }), undefined);
    assert.deepEqual(await b.getItem(t, { pk: S('x'), sk: S('0') }), before);
    assert.equal((await b.streamRecords(t.stream!.arn, 0, 10)).length, 1, 'no stream record either');

    const ok = await b.mutate(
      [put(t, it1('x', '1')), putIfAbsent(t, it1('x', '2')), del(t, { pk: S('x'), sk: S('0') })],
      T0,
    );
    assert.deepEqual(changesOf(ok), [
      { old: undefined, new: it1('x', '1') },
      { old: undefined, new: it1('x', '2') },
      { old: before, new: undefined },
    ]);
    assert.deepEqual((await b.stats(t)).count, 2);
  });

  it('lets an error thrown by decide reach the caller, writing nothing', async () => {
    const b = await make();
    const t = tableDef('t');
    await b.createTable(t);
    const boom = new RangeError('decide failed');
    const failing = {
      table: t,
      key: { pk: S('a'), sk: S('2') },
      decide: () => {
        throw boom;
      },
    };
    await assert.rejects(b.mutate([put(t, it1('a', '1')), failing], T0), (e) => e === boom);
    assert.equal(await b.getItem(t, { pk: S('a'), sk: S('1') }), undefined);
    await b.deleteTable('t');
    await assert.rejects(b.mutate([put(t, it1('a', '1'))], T0), (e) =>
      isTableError(e, 'ResourceNotFoundException'),
    );
  });

  it('keeps concurrent calls apart: each is all-or-nothing, and they apply one after another', async () => {
    const b = await make();
    const t = tableDef('t', { stream: streamOn('t', 'KEYS_ONLY') });
    await b.createTable(t);
    const boom = new Error('decide failed');
    const failing = {
      table: t,
      key: { pk: S('f'), sk: S('2') },
      decide: () => {
        throw boom;
      },
    };
    const settled = await Promise.allSettled([
      ...Array.from({ length: 5 }, (_, i) => b.mutate([putIfAbsent(t, it1('race', '1', { w: N(i) }))], T0)),
      b.mutate([put(t, it1('f', '1')), failing], T0),
      ...Array.from({ length: 4 }, (_, i) => b.mutate([put(t, it1('own', String(i)))], T0)),
    ]);
    const results = settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
    assert.equal(results.slice(0, 5).filter((r) => r.ok).length, 1, 'one conditional put wins');
    assert.equal(results[5], boom);
    assert.ok(results.slice(6).every((r) => r.ok));
    assert.equal(await b.getItem(t, { pk: S('f'), sk: S('1') }), undefined, 'the failed call wrote nothing');
    assert.deepEqual(await b.stats(t).then((s) => s.count), 5);
    const seqs = (await b.streamRecords(t.stream!.arn, 0, 100)).map((r) => r.seq);
    assert.equal(seqs.length, 5);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
    );
  });

  it('counts items and their bytes', async () => {
    const b = await make();
    const t = tableDef('t');
    await b.createTable(t);
    const items = [it1('a', '1', { v: S('x'.repeat(100)) }), it1('a', '2', { n: N('-1.5') }), it1('b', '1')];
    changesOf(
      await b.mutate(
        items.map((i) => put(t, i)),
        T0,
      ),
    );
    const bytes = items.reduce((sum, i) => sum + itemSize(i), 0);
    assert.deepEqual(await b.stats(t), { count: 3, bytes });
    changesOf(await b.mutate([put(t, it1('a', '1'))], T0));
    assert.deepEqual(await b.stats(t), {
      count: 3,
      bytes: bytes - itemSize(items[0]!) + itemSize(it1('a', '1')),
    });
  });

  it('finds expired items by their TTL attribute, following TTL as it is enabled and changed', async () => {
    const b = await make();
    const now = 1_700_000_000;
    const plain = tableDef('t');
    await b.createTable(plain);
    const items = [
      it1('a', 'past', { exp: N(now - 100) }),
      it1('a', 'now', { exp: N(`${now}.75`) }),
      it1('a', 'future', { exp: N(now + 100) }),
      it1('b', 'string', { exp: S(String(now - 100)) }),
      it1('b', 'none'),
      it1('b', 'huge', { exp: N('1E+100') }),
      it1('c', 'other', { gone: N(now - 5) }),
    ];
    changesOf(
      await b.mutate(
        items.map((i) => put(plain, i)),
        T0,
      ),
    );
    assert.deepEqual(await b.expired(plain, now, 10), [], 'TTL is off');

    const ttl = { ...plain, ttl: { attribute: 'exp', enabled: true } };
    await b.updateTable(ttl);
    const keys = (...sks: string[]) => sks.map((sk) => ({ pk: S(sk === 'other' ? 'c' : 'a'), sk: S(sk) }));
    assert.deepEqual(await b.expired(ttl, now, 10), keys('past', 'now'));
    assert.deepEqual(await b.expired(ttl, now, 1), keys('past'));
    assert.deepEqual(await b.expired(ttl, now - 101, 10), []);

    // Writes follow the stored TTL setting, even from a caller holding the old definition.
    changesOf(await b.mutate([put(plain, it1('a', 'late', { exp: N(now - 1000) }))], T0));
    assert.deepEqual(await b.expired(ttl, now, 10), keys('late', 'past', 'now'));
    changesOf(await b.mutate([put(ttl, it1('a', 'late', { exp: N(now + 1000) }))], T0));
    assert.deepEqual(await b.expired(ttl, now, 10), keys('past', 'now'));

    const moved = { ...plain, ttl: { attribute: 'gone', enabled: true } };
    await b.updateTable(moved);
    assert.deepEqual(await b.expired(moved, now, 10), keys('other'));
    const off = { ...plain, ttl: { attribute: 'gone', enabled: false } };
    await b.updateTable(off);
    assert.deepEqual(await b.expired(off, now + 10_000, 10), []);
  });

  it('writes stream records with the mutations, per view type, in sequence', async () => {
    const b = await make();
    const t = tableDef('t', { stream: streamOn('t', 'NEW_AND_OLD_IMAGES') });
    const k = tableDef('k', { stream: streamOn('k', 'KEYS_ONLY') });
    const off = tableDef('off', { stream: streamOn('off', 'NEW_IMAGE', false) });
    for (const def of [t, k, off]) await b.createTable(def);
    const arn = t.stream!.arn;
    assert.equal(await b.streamBounds(arn), undefined);

    const a1 = it1('a', '1', { v: N(1) });
    const a2 = it1('a', '1', { v: N(2) });
    const key = { pk: S('a'), sk: S('1') };
    changesOf(await b.mutate([put(t, a1), put(k, a1), put(off, a1)], T0));
    changesOf(await b.mutate([put(t, it1('a', '1', { v: N('1.0') }))], T0 + 1)); // no change: no record
    changesOf(await b.mutate([put(t, a2)], T0 + 2));
    changesOf(await b.mutate([del(t, key)], T0 + 3));
    changesOf(await b.mutate([del(t, key)], T0 + 4)); // nothing to delete: no record
    changesOf(await b.mutate([put(t, a1), put(t, it1('b', '1'))], T0 + 5));
    changesOf(await b.mutate([del(t, key, true)], T0 + 6));

    const got = await b.streamRecords(arn, 0, 100);
    assert.deepEqual(
      got.map((r) => [r.eventName, r.createdAt, r.oldImage, r.newImage, r.byService]),
      [
        ['INSERT', T0, undefined, a1, undefined],
        ['MODIFY', T0 + 2, a1, a2, undefined],
        ['REMOVE', T0 + 3, a2, undefined, undefined],
        ['INSERT', T0 + 5, undefined, a1, undefined],
        ['INSERT', T0 + 5, undefined, it1('b', '1'), undefined],
        ['REMOVE', T0 + 6, a1, undefined, true],
      ],
    );
    for (const r of got) assert.equal(r.streamArn, arn);
    assert.deepEqual(got[1]!.keys, key);
    assert.equal(got[1]!.sizeBytes, itemSize(key) + itemSize(a1) + itemSize(a2));
    const seqs = got.map((r) => r.seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seqs increase: ${seqs}`);
    assert.deepEqual(await b.streamBounds(arn), { first: seqs[0], last: seqs[5] });
    assert.deepEqual(await b.streamRecords(arn, seqs[1]!, 2), got.slice(2, 4));

    const keysOnly = await b.streamRecords(k.stream!.arn, 0, 10);
    assert.deepEqual(
      keysOnly.map((r) => [r.eventName, r.keys, 'newImage' in r, 'oldImage' in r, r.sizeBytes]),
      [['INSERT', key, false, false, itemSize(key)]],
    );
    assert.deepEqual(await b.streamRecords(off.stream!.arn, 0, 10), [], 'a disabled stream takes no records');

    // Trimming drops old records; seqs keep growing past them.
    assert.equal(await b.trimStreams(T0 + 3), 3, 'two of t, one of k');
    assert.deepEqual(await b.streamBounds(arn), { first: seqs[2], last: seqs[5] });
    assert.equal(await b.trimStreams(T0 + 100), 4);
    assert.equal(await b.streamBounds(arn), undefined);
    changesOf(await b.mutate([put(t, a2)], T0 + 200));
    const [next] = await b.streamRecords(arn, 0, 10);
    assert.ok(next!.seq > seqs[5]!, 'a trimmed stream does not reuse seqs');

    // Records outlive their table (AWS keeps a deleted table's stream readable for 24 hours).
    await b.deleteTable('t');
    assert.equal((await b.streamRecords(arn, 0, 10)).length, 1);
  });

  it("keeps stream readers' checkpoints", async () => {
    const b = await make();
    assert.equal(await b.getCheckpoint('mapping-1'), undefined);
    await b.setCheckpoint('mapping-1', 7);
    await b.setCheckpoint('mapping-2', 1);
    assert.equal(await b.getCheckpoint('mapping-1'), 7);
    await b.setCheckpoint('mapping-1', 12);
    assert.equal(await b.getCheckpoint('mapping-1'), 12);
    await b.deleteCheckpoint('mapping-1');
    await b.deleteCheckpoint('nobody');
    assert.equal(await b.getCheckpoint('mapping-1'), undefined);
    assert.equal(await b.getCheckpoint('mapping-2'), 1);
  });

  tableReadsContract(make);
}
