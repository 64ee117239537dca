import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSqlite } from '../../../src/backends/sqlite/database.ts';
import { sqliteTables } from '../../../src/backends/sqlite/tables.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { tableFromInput } from '../../../src/services/tables/table-input.ts';
import { TtlSweeper } from '../../../src/services/tables/ttl-sweeper.ts';
import type { Item } from '../../../src/services/tables/types.ts';

const T0 = 1_800_000_000_000;
const S0 = T0 / 1000;

async function setUp() {
  const backend = sqliteTables(openSqlite(':memory:'));
  const clock = new ManualClock(T0);
  const def = {
    ...tableFromInput(
      {
        TableName: 'sessions',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'OLD_IMAGE' },
      },
      { region: 'us-east-1', accountId: '000000000000' },
      T0,
    ),
    ttl: { attribute: 'expires', enabled: true },
  };
  await backend.createTable(def);
  const put = async (item: Item) => {
    const r = await backend.mutate(
      [{ table: def, key: { pk: item.pk! }, decide: () => ({ put: item }) }],
      T0,
    );
    assert.ok(r.ok);
  };
  const deletedFrom: string[] = [];
  const sweeper = new TtlSweeper({
    backend,
    clock,
    tables: async () => [def],
    onDeleted: (t) => deletedFrom.push(t.name),
    warn: () => undefined,
    intervalMs: 1000,
  });
  return { backend, clock, def, put, sweeper, deletedFrom };
}

describe('the TTL sweeper', () => {
  it('deletes items once their TTL has passed, on the injected clock, as service deletions', async () => {
    const { backend, clock, def, put, sweeper, deletedFrom } = await setUp();
    await put({ pk: { S: 'soon' }, expires: { N: String(S0 + 60) } });
    await put({ pk: { S: 'later' }, expires: { N: String(S0 + 3600) } });
    await put({ pk: { S: 'never' } });
    await put({ pk: { S: 'text' }, expires: { S: String(S0 - 10) } });
    assert.equal(await sweeper.sweep(), 0, 'nothing has expired yet');
    clock.advance(61_000);
    assert.equal(await sweeper.sweep(), 1);
    assert.equal(await backend.getItem(def, { pk: { S: 'soon' } }), undefined);
    assert.ok(await backend.getItem(def, { pk: { S: 'later' } }));
    assert.ok(
      await backend.getItem(def, { pk: { S: 'text' } }),
      'a TTL attribute that is not a number is ignored',
    );
    assert.deepEqual(deletedFrom, ['sessions']);
    const records = await backend.streamRecords(def.stream!.arn, 0, 100);
    const removal = records.find((r) => r.eventName === 'REMOVE');
    assert.equal(removal?.byService, true);
    assert.deepEqual(removal?.keys, { pk: { S: 'soon' } });
    assert.deepEqual(removal?.oldImage?.expires, { N: String(S0 + 60) });
    assert.ok(records.filter((r) => r.eventName === 'INSERT').every((r) => !r.byService));
  });

  it('keeps an item whose TTL was pushed back before the sweep, and sweeps on its timer', async () => {
    const { backend, clock, def, put, sweeper } = await setUp();
    await put({ pk: { S: 'a' }, expires: { N: String(S0 + 5) } });
    await put({ pk: { S: 'a' }, expires: { N: String(S0 + 7200) } });
    sweeper.start();
    clock.advance(10_000);
    await new Promise((r) => setImmediate(r));
    assert.ok(await backend.getItem(def, { pk: { S: 'a' } }));
    await put({ pk: { S: 'b' }, expires: { N: String(S0 + 12) } });
    clock.advance(3000);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(await backend.getItem(def, { pk: { S: 'b' } }), undefined, 'the periodic sweep took it');
    sweeper.close();
  });
});
