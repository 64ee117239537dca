import type {
  Change,
  Decision,
  MutateResult,
  Mutation,
  StoredStreamRecord,
  TableBackend,
} from '../../services/tables/backend.ts';
import { TableError } from '../../services/tables/errors.ts';
import { type EncodedKey, keyAttributes } from '../../services/tables/keys.ts';
import { streamRecord } from '../../services/tables/stream-records.ts';
import type { Item, TableDefinition } from '../../services/tables/types.ts';
import {
  CallerError,
  DefinitionCache,
  expiresAt,
  indexChanges,
  indexEntries,
  numbered,
  queryPlan,
  type ReadPlan,
  type RowKey,
  type StoredTable,
  scanPlan,
  tableKey,
  tableNotFound,
} from '../table-rows.ts';
import type { PgQuery, PostgresDatabase } from './database.ts';
import { fromJsonb, type Planned, Writes } from './table-writes.ts';

// Locks, per schema: a table's definition (shared by writers, exclusive for updateTable and
// deleteTable, so index backfills and TTL changes never race a write), and an item key (taken
// before its row is read, so two writers of one key, present or absent, run one after the other:
// a conditional put of a missing item cannot succeed twice). Each transaction takes its locks in
// one statement, tables first, each kind in ascending order, so no two can deadlock.
const LOCKS = `SELECT CASE WHEN t.shared
    THEN pg_advisory_xact_lock_shared(hashtext('baton:tables:' || current_schema()), t.k)
    ELSE pg_advisory_xact_lock(hashtext('baton:items:' || current_schema()), t.k) END
  FROM unnest($1::int[], $2::bool[]) AS t(k, shared)`;
const LOCK_TABLE = `SELECT pg_advisory_xact_lock(hashtext('baton:tables:' || current_schema()), $1)`;

// After the locks (a later statement, so it reads what committed before them): the definitions,
// and the current items, row-locked.
const READ = `WITH d AS (SELECT name, record FROM table_defs WHERE name = ANY($1::text[])),
  cur AS (SELECT t.n, i.item
    FROM unnest($2::text[], $3::int[], $4::bytea[], $5::bytea[]) WITH ORDINALITY AS t(tbl, hash, pk, sk, n)
    JOIN table_items i ON i.tbl = t.tbl AND i.hash = t.hash AND i.pk = t.pk AND i.sk = t.sk FOR UPDATE OF i)
  SELECT NULL::bigint AS n, name, record, NULL::jsonb AS item FROM d
  UNION ALL SELECT n, NULL, NULL, item FROM cur`;

/** A 32-bit lock number for a table or an item key (FNV-1a; a collision only serializes more). */
function lockNumber(name: string, key?: EncodedKey): number {
  let h = 0x811c9dc5;
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  };
  mix(Buffer.from(name));
  if (key) mix(Buffer.concat([Buffer.of(0, key.pk.length >> 8, key.pk.length & 0xff), key.pk, key.sk]));
  return h | 0;
}

const PAGE = 500;

/**
 * Tables in PostgreSQL, for nodes sharing one database. A mutate call is one transaction: locks,
 * then one read of the definitions and current items, then one statement writing items, index
 * entries and stream records together.
 */
export function postgresTables(db: PostgresDatabase): TableBackend {
  const defs = new DefinitionCache();
  const texts = new Map<string, string>();
  const read = async (plan: ReadPlan) => {
    let sql = texts.get(plan.key);
    if (sql === undefined) {
      sql = numbered(plan.sql());
      texts.set(plan.key, sql);
    }
    const { rows } = await db.query<{ item: Record<string, unknown> }>('read items', sql, plan.params);
    return rows.map((r) => fromJsonb(r.item));
  };

  /** A transaction whose own errors (and its callers') come out as thrown, not as driver failures. */
  async function tx<T>(what: string, fn: (q: PgQuery) => Promise<T>): Promise<T> {
    let own: { error: unknown } | undefined;
    try {
      return await db.transaction(what, async (q) => {
        try {
          return await fn(q);
        } catch (e) {
          if (e instanceof CallerError) own = { error: e.error };
          else if (e instanceof TableError) own = { error: e };
          throw e;
        }
      });
    } catch (e) {
      throw own ? own.error : e;
    }
  }

  async function mutate(q: PgQuery, mutations: Mutation[], now: number): Promise<MutateResult> {
    const names = [...new Set(mutations.map((m) => m.table.name))];
    const keys = mutations.map((m) => tableKey(m.table, m.key));
    const tableLocks = [...new Set(names.map((n) => lockNumber(n)))].sort((a, b) => a - b);
    const keyLocks = [...new Set(mutations.map((m, i) => lockNumber(m.table.name, keys[i])))].sort(
      (a, b) => a - b,
    );
    await q(LOCKS, [
      [...tableLocks, ...keyLocks],
      [...tableLocks.map(() => true), ...keyLocks.map(() => false)],
    ]);
    const { rows } = await q<{
      n: number | null;
      name: string;
      record: string;
      item: Record<string, unknown>;
    }>(READ, [
      names,
      mutations.map((m) => m.table.name),
      keys.map((k) => k.hash),
      keys.map((k) => k.pk),
      keys.map((k) => k.sk),
    ]);
    const tables = new Map<string, StoredTable>();
    const current: (Item | undefined)[] = [];
    for (const r of rows)
      if (r.n === null) tables.set(r.name, defs.get(r.name, r.record));
      else current[r.n - 1] = fromJsonb(r.item);

    const planned: Planned[] = [];
    let cancelled = false;
    for (const [i, mutation] of mutations.entries()) {
      const table = tables.get(mutation.table.name);
      if (table === undefined) throw tableNotFound(mutation.table.name);
      let decision: Decision;
      try {
        decision = mutation.decide(current[i]);
      } catch (e) {
        throw new CallerError(e);
      }
      if ('cancel' in decision) cancelled = true;
      planned.push({ mutation, table, key: keys[i]!, current: current[i], decision });
    }
    if (cancelled)
      return { ok: false, outcomes: planned.map((p) => ({ current: p.current, decision: p.decision })) };

    const w = new Writes();
    const changes: Change[] = [];
    for (const p of planned) {
      const change = w.add(p);
      changes.push(change ?? { old: p.current, new: 'put' in p.decision ? p.decision.put : p.current });
      const stream = p.table.stream;
      if (change && stream)
        w.records.push(
          streamRecord(stream, { ...change, keys: p.mutation.key, byService: p.mutation.byService }, now),
        );
    }
    const statement = w.statement(now);
    if (statement) await q(statement.sql, statement.params);
    return { ok: true, changes };
  }

  /** Pages through a table's items in key order, under the caller's transaction. */
  async function eachPage(
    q: PgQuery,
    name: string,
    fn: (rows: (RowKey & { item: Item })[]) => Promise<void>,
  ) {
    type Row = RowKey & { item: Record<string, unknown> };
    let last: RowKey | undefined;
    for (;;) {
      const { rows } = await q<Row>(
        `SELECT hash, pk, sk, item FROM table_items WHERE tbl = $1
         ${last ? 'AND (hash, pk, sk) > ($2, $3, $4)' : ''} ORDER BY hash, pk, sk LIMIT ${PAGE}`,
        last ? [name, last.hash, last.pk, last.sk] : [name],
      );
      if (rows.length === 0) return;
      await fn(rows.map((r) => ({ hash: r.hash, pk: r.pk, sk: r.sk, item: fromJsonb(r.item) })));
      if (rows.length < PAGE) return;
      last = rows[rows.length - 1]!;
    }
  }

  async function updateTable(q: PgQuery, def: TableDefinition): Promise<void> {
    await q(LOCK_TABLE, [lockNumber(def.name)]);
    const { rows } = await q<{ record: string }>('SELECT record FROM table_defs WHERE name = $1 FOR UPDATE', [
      def.name,
    ]);
    if (rows.length === 0) throw tableNotFound(def.name);
    const old = defs.get(def.name, rows[0]!.record).def;
    await q('UPDATE table_defs SET record = $1 WHERE name = $2', [JSON.stringify(def), def.name]);
    const { added, removed } = indexChanges(old.indexes, def.indexes);
    if (removed.length > 0)
      await q('DELETE FROM table_index_entries WHERE tbl = $1 AND idx = ANY($2::text[])', [
        def.name,
        removed.map((i) => i.name),
      ]);
    const ttl = def.ttl?.enabled ? def.ttl.attribute : undefined;
    const ttlChanged = ttl !== (old.ttl?.enabled ? old.ttl.attribute : undefined);
    if (added.length === 0 && !ttlChanged) return;
    const target = { ...def, indexes: added };
    await eachPage(q, def.name, async (page) => {
      const w = new Writes();
      for (const r of page) w.entries(w.added, def.name, r, indexEntries(target, r.item));
      const entries = w.statement(0);
      if (entries) await q(entries.sql, entries.params);
      if (ttlChanged)
        await q(
          `UPDATE table_items i SET expires_at = t.e
           FROM unnest($2::int[], $3::bytea[], $4::bytea[], $5::bigint[]) AS t(hash, pk, sk, e)
           WHERE i.tbl = $1 AND i.hash = t.hash AND i.pk = t.pk AND i.sk = t.sk`,
          [
            def.name,
            page.map((r) => r.hash),
            page.map((r) => r.pk),
            page.map((r) => r.sk),
            page.map((r) => expiresAt(ttl, r.item)),
          ],
        );
    });
  }

  return {
    async createTable(def) {
      const r = await db.query(
        'create table',
        'INSERT INTO table_defs (name, record) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
        [def.name, JSON.stringify(def)],
      );
      return r.rowCount > 0;
    },
    async getTable(name) {
      const { rows } = await db.query<{ record: string }>(
        'get table',
        'SELECT record FROM table_defs WHERE name = $1',
        [name],
      );
      return rows[0] ? defs.get(name, rows[0].record).def : undefined;
    },
    async listTables(start, limit) {
      const { rows } = await db.query<{ name: string }>(
        'list tables',
        'SELECT name FROM table_defs WHERE name > $1 ORDER BY name LIMIT $2',
        [start ?? '', limit],
      );
      return rows.map((r) => r.name);
    },
    async updateTable(def) {
      await tx('update table', (q) => updateTable(q, def));
    },
    async deleteTable(name) {
      return tx('delete table', async (q) => {
        await q(LOCK_TABLE, [lockNumber(name)]);
        await q('DELETE FROM table_items WHERE tbl = $1', [name]);
        await q('DELETE FROM table_index_entries WHERE tbl = $1', [name]);
        defs.forget(name);
        return (await q('DELETE FROM table_defs WHERE name = $1', [name])).rowCount > 0;
      });
    },
    async getItem(table, key) {
      const k = tableKey(table, key);
      const { rows } = await db.query<{ item: Record<string, unknown> }>(
        'get item',
        'SELECT item FROM table_items WHERE tbl = $1 AND hash = $2 AND pk = $3 AND sk = $4',
        [table.name, k.hash, k.pk, k.sk],
      );
      return rows[0] ? fromJsonb(rows[0].item) : undefined;
    },
    async mutate(mutations, now) {
      if (mutations.length === 0) return { ok: true, changes: [] };
      return tx('write items', (q) => mutate(q, mutations, now));
    },
    async query(table, request) {
      return read(queryPlan(table, request));
    },
    async scan(table, request) {
      return read(scanPlan(table, request));
    },
    async stats(table) {
      const { rows } = await db.query<{ count: number; bytes: number }>(
        'table stats',
        'SELECT count(*) AS count, coalesce(sum(size), 0)::bigint AS bytes FROM table_items WHERE tbl = $1',
        [table.name],
      );
      return rows[0]!;
    },
    async expired(table, nowSeconds, limit) {
      const { rows } = await db.query<{ item: Record<string, unknown> }>(
        'expired items',
        'SELECT item FROM table_items WHERE tbl = $1 AND expires_at <= $2 ORDER BY expires_at LIMIT $3',
        [table.name, nowSeconds, limit],
      );
      return rows.map((r) => keyAttributes(table.key, fromJsonb(r.item)));
    },
    async streamRecords(streamArn, afterSeq, limit) {
      const { rows } = await db.query<{ seq: number; record: string }>(
        'read stream',
        'SELECT seq, record FROM table_stream_records WHERE stream_arn = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [streamArn, afterSeq, limit],
      );
      return rows.map((r) => ({ seq: r.seq, ...JSON.parse(r.record) }) as StoredStreamRecord);
    },
    async streamBounds(streamArn) {
      const { rows } = await db.query<{ first: number | null; last: number | null }>(
        'stream bounds',
        'SELECT min(seq) AS first, max(seq) AS last FROM table_stream_records WHERE stream_arn = $1',
        [streamArn],
      );
      const b = rows[0]!;
      return b.first === null || b.last === null ? undefined : { first: b.first, last: b.last };
    },
    async trimStreams(before) {
      return (
        await db.query('trim streams', 'DELETE FROM table_stream_records WHERE created_at < $1', [before])
      ).rowCount;
    },
    async getCheckpoint(consumer) {
      const { rows } = await db.query<{ seq: number }>(
        'get checkpoint',
        'SELECT seq FROM table_stream_checkpoints WHERE consumer = $1',
        [consumer],
      );
      return rows[0]?.seq;
    },
    async setCheckpoint(consumer, seq) {
      await db.query(
        'set checkpoint',
        `INSERT INTO table_stream_checkpoints (consumer, seq) VALUES ($1, $2)
         ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq`,
        [consumer, seq],
      );
    },
    async deleteCheckpoint(consumer) {
      await db.query('delete checkpoint', 'DELETE FROM table_stream_checkpoints WHERE consumer = $1', [
        consumer,
      ]);
    },
  };
}
