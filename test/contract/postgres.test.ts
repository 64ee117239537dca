import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { openPostgres, type PostgresDatabase } from '../../src/backends/postgres/database.ts';
import { postgresQueues } from '../../src/backends/postgres/queues.ts';
import { postgresTables } from '../../src/backends/postgres/tables.ts';
import { isBatonError } from '../../src/core/errors.ts';
import type { QueueBackend } from '../../src/services/queues/backend.ts';
import { dropSchema, requirePostgres, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.ts';
import { queuesContract } from './queues.contract.ts';
import { tablesContract } from './tables.contract.ts';
import { tablesConcurrencyContract } from './tables-concurrency.contract.ts';

const T0 = 1_700_000_000_000;

// Each test gets its own schema (search_path on the pool), dropped after it: parallel test files
// and reruns never see each other's rows.
const opened: { db: PostgresDatabase; schema: string }[] = [];
async function fresh(schema = testSchemaName()): Promise<PostgresDatabase> {
  const db = await openPostgres({ url: TEST_POSTGRES_URL, schema, maxConnections: 4 });
  opened.push({ db, schema });
  return db;
}
async function cleanUp(): Promise<void> {
  const all = opened.splice(0);
  // A test may have closed its pool already.
  await Promise.all(all.map((o) => o.db.close().catch(() => {})));
  for (const schema of new Set(all.map((o) => o.schema))) await dropSchema(schema);
}

describe('postgres queue backend', () => {
  before(requirePostgres);
  afterEach(cleanUp);
  after(cleanUp);

  queuesContract(async () => postgresQueues(await fresh()));

  it('migrates once when nodes start together, and again is a no-op', async () => {
    const schema = testSchemaName();
    const [a, b] = await Promise.all([fresh(schema), fresh(schema)]);
    const versions = await a.query<{ version: number }>('versions', 'SELECT version FROM baton_migrations');
    assert.deepEqual(
      versions.rows.map((r) => r.version),
      [1, 2],
    );
    await postgresQueues(a).createQueue({
      name: 'shared',
      fifo: false,
      attributes: {},
      tags: {},
      createdAt: T0,
      lastModified: T0,
    });
    const c = await fresh(schema);
    assert.deepEqual(
      (await postgresQueues(c).listQueues()).map((q) => q.name),
      ['shared'],
      'every node sees one store',
    );
    assert.ok(b);
  });

  it('keeps FIFO groups in order with one message in flight, across nodes receiving at once', async () => {
    const schema = testSchemaName();
    const nodes: QueueBackend[] = [postgresQueues(await fresh(schema)), postgresQueues(await fresh(schema))];
    const q = nodes[0]!;
    await q.createQueue({
      name: 'q.fifo',
      fifo: true,
      attributes: {},
      tags: {},
      createdAt: T0,
      lastModified: T0,
    });
    const groups = ['A', 'B', 'C'];
    const perGroup = 8;
    await q.send(
      'q.fifo',
      Array.from({ length: perGroup * groups.length }, (_, i) => {
        const g = groups[i % groups.length]!;
        return {
          id: `${g}-${i}`,
          body: `${g}:${Math.floor(i / groups.length)}`,
          meta: '{}',
          groupId: g,
          dedupId: String(i),
          visibleAt: T0,
        };
      }),
      T0,
      { windowMs: 300_000, perGroup: false },
    );
    // In rounds: six receivers at once (no delete in between, so the store's state is exact),
    // then the deletes. Each group may go to one receiver per round, oldest message first.
    const seen = new Map<string, number[]>();
    let n = 0;
    for (let round = 0; round < 40 && n < perGroup * groups.length; round++) {
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) =>
          nodes[i % 2]!.receive('q.fifo', {
            now: T0,
            max: 1 + (i % 3),
            visibilityMs: 600_000,
            fifo: true,
            nonce: () => `r${Math.random()}`,
          }),
        ),
      );
      const owner = new Map<string, number>();
      results.forEach((got, i) => {
        for (const m of got) {
          const g = m.groupId!;
          assert.equal(owner.get(g) ?? i, i, `group ${g} handed to two receivers at once`);
          owner.set(g, i);
          seen.set(g, [...(seen.get(g) ?? []), Number(m.body.split(':')[1])]);
        }
      });
      for (const m of results.flat()) {
        assert.equal(await nodes[0]!.deleteMessage('q.fifo', m.id, m.receipt), 'deleted');
        n++;
      }
    }
    for (const g of groups)
      assert.deepEqual(
        seen.get(g),
        Array.from({ length: perGroup }, (_, i) => i),
        `group ${g} in order, each once`,
      );
  });

  it('turns driver errors into BackendFailure, keeping the cause', async () => {
    const db = await fresh();
    const queues = postgresQueues(db);
    await assert.rejects(db.query('bad statement', 'SELECT * FROM no_such_table'), (e) => {
      assert.ok(isBatonError(e, 'BackendFailure'));
      assert.match(e.message, /^bad statement: postgres 42P01: /);
      assert.equal((e.cause as { code?: string }).code, '42P01');
      return true;
    });
    await db.close();
    await assert.rejects(queues.getQueue('q'), (e) => isBatonError(e, 'BackendFailure'));
    await assert.rejects(
      openPostgres({ url: 'postgres://postgres@127.0.0.1:1/test' }),
      (e) => isBatonError(e, 'BackendFailure') && /ECONNREFUSED/.test(e.message),
    );
  });
});

describe('postgres table backend', () => {
  before(requirePostgres);
  afterEach(cleanUp);
  after(cleanUp);

  tablesContract(async () => postgresTables(await fresh()));
  tablesConcurrencyContract(async (schema) => postgresTables(await fresh(schema)), testSchemaName);
});
