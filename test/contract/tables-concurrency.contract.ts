import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Mutation, TableBackend } from '../../src/services/tables/backend.ts';
import type { IndexDefinition, Item } from '../../src/services/tables/types.ts';
import { changesOf, N, put, putIfAbsent, S, streamOn, T0, tableDef } from '../helpers/tables.ts';

/**
 * Writers on separate connection pools (nodes) of one store, at once. For stores that several
 * processes share (PostgreSQL); `open(shared)` opens another node on the store named `shared`.
 */
export function tablesConcurrencyContract(
  open: (shared: string) => Promise<TableBackend>,
  newStore: () => string,
): void {
  const nodes = async (count: number) => {
    const shared = newStore();
    return Promise.all(Array.from({ length: count }, () => open(shared)));
  };

  it('lets exactly one of many concurrent conditional puts of an absent item win', async () => {
    const [a, b] = await nodes(2);
    const t = tableDef('t');
    await a!.createTable(t);
    for (let round = 0; round < 3; round++) {
      const key = { pk: S(`k${round}`), sk: S('1') };
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 ? a! : b!).mutate([putIfAbsent(t, { ...key, writer: N(i) })], T0),
        ),
      );
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, `round ${round}: one winner`);
      const stored = await a!.getItem(t, key);
      assert.deepEqual(winners[0]!.ok && winners[0]!.changes[0]!.new, stored);
      for (const r of results)
        if (!r.ok) assert.deepEqual(r.outcomes[0]!.current, stored, 'losers saw the winner’s item');
    }
  });

  it('loses no update of concurrent read-modify-writes, and numbers the stream in commit order', async () => {
    const [a, b] = await nodes(2);
    const t = tableDef('t', { stream: streamOn('t', 'NEW_IMAGE') });
    await a!.createTable(t);
    const key = { pk: S('counter'), sk: S('1') };
    const increment: Mutation = {
      table: t,
      key,
      decide: (current) => ({
        put: { ...key, n: N(Number(current?.n && 'N' in current.n ? current.n.N : 0) + 1) },
      }),
    };
    const total = 40;
    await Promise.all(Array.from({ length: total }, (_, i) => (i % 2 ? a! : b!).mutate([increment], T0 + i)));
    assert.deepEqual(await b!.getItem(t, key), { ...key, n: N(total) });
    const records = await a!.streamRecords(t.stream!.arn, 0, 1000);
    assert.deepEqual(
      records.map((r) => r.newImage?.n),
      Array.from({ length: total }, (_, i) => N(i + 1)),
      'seq order is the order the increments committed',
    );
    assert.deepEqual(
      records.map((r) => r.eventName),
      ['INSERT', ...Array.from({ length: total - 1 }, () => 'MODIFY')],
    );
  });

  it('commits an item write with its stream record, while transactions span the same items in any order', async () => {
    const [a, b] = await nodes(2);
    const t = tableDef('t', { stream: streamOn('t', 'KEYS_ONLY') });
    await a!.createTable(t);
    const keys = ['x', 'y', 'z'].map((k) => ({ pk: S(k), sk: S('1') }));
    // Every transaction writes all three keys, in a different order: none may deadlock.
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ];
    await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        (i % 2 ? a! : b!).mutate(
          orders[i % 3]!.map((k) => put(t, { ...keys[k]!, round: N(i) })),
          T0,
        ),
      ),
    );
    const records = await a!.streamRecords(t.stream!.arn, 0, 1000);
    assert.equal(records.length, 18 * 3);
    const rounds = new Set(
      (await Promise.all(keys.map((k) => a!.getItem(t, k)))).map((i) => JSON.stringify(i?.round)),
    );
    assert.equal(rounds.size, 1, 'the last transaction wrote all three keys');
  });

  it('keeps an index built while other nodes write with the old definition', async () => {
    const [a, b] = await nodes(2);
    const plain = tableDef('t');
    await a!.createTable(plain);
    const gsi: IndexDefinition = {
      name: 'byColor',
      kind: 'global',
      key: { hash: { name: 'color', type: 'S' } },
      projection: { type: 'ALL' },
      status: 'CREATING',
    };
    const item = (i: number): Item => ({ pk: S(`p${i}`), sk: S('1'), color: S('red') });
    const writes = Array.from({ length: 60 }, (_, i) => b!.mutate([put(plain, item(i))], T0).then(changesOf));
    const indexed = { ...plain, indexes: [gsi] };
    await new Promise((r) => setTimeout(r, 5));
    await a!.updateTable(indexed);
    await Promise.all(writes);
    const found = await a!.query(indexed, { index: 'byColor', hash: S('red'), forward: true, limit: 1000 });
    assert.equal(found.length, 60);
  });
}
