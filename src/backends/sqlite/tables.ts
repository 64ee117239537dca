import { BatonError } from '../../core/errors.ts';
import type {
  Change,
  Decision,
  Mutation,
  StoredStreamRecord,
  TableBackend,
} from '../../services/tables/backend.ts';
import { TableError } from '../../services/tables/errors.ts';
import { keyAttributes } from '../../services/tables/keys.ts';
import { type NewStreamRecord, sameItem, streamRecord } from '../../services/tables/stream-records.ts';
import type { Item, TableDefinition } from '../../services/tables/types.ts';
import { itemSize } from '../../services/tables/values.ts';
import {
  CallerError,
  DefinitionCache,
  entryChanges,
  expiresAt,
  type IndexEntry,
  indexChanges,
  indexEntries,
  queryPlan,
  type ReadPlan,
  type RowKey,
  type StoredTable,
  scanPlan,
  tableKey,
  tableNotFound,
} from '../table-rows.ts';
import { type SqliteDatabase, translateSqliteError } from './database.ts';
import { groupCommit, PartialWrite } from './group-commit.ts';

/** A driver error as a Baton error; the service's own errors, and its callers', as thrown. */
function translate(e: unknown, what: string): unknown {
  if (e instanceof CallerError) return e.error;
  if (e instanceof TableError || e instanceof BatonError) return e;
  return translateSqliteError(e, what);
}

/** Runs `fn`, translating driver errors. */
function run<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translate(e, what);
  }
}

interface Planned {
  mutation: Mutation;
  table: StoredTable;
  key: RowKey;
  current: Item | undefined;
  decision: Decision;
}

const BACKFILL_PAGE = 500;

/**
 * Tables in the embedded SQLite database. Every call is one synchronous transaction, so a
 * mutation's read, its decision and its writes (item, index entries, stream records) are atomic
 * and serialized with every other write. Statements are prepared once; queries and scans are
 * prepared per shape on first use.
 */
export function sqliteTables(db: SqliteDatabase): TableBackend {
  const defs = new DefinitionCache();
  const defRecord = db.prepare<[string], string>('SELECT record FROM table_defs WHERE name = ?').pluck();
  const listNames = db
    .prepare<[string, number], string>('SELECT name FROM table_defs WHERE name > ? ORDER BY name LIMIT ?')
    .pluck();
  const insDef = db.prepare<[string, string]>(
    'INSERT INTO table_defs (name, record) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const updDef = db.prepare<[string, string]>('UPDATE table_defs SET record = ? WHERE name = ?');
  const delDef = db.prepare<[string]>('DELETE FROM table_defs WHERE name = ?');
  const delItems = db.prepare<[string]>('DELETE FROM table_items WHERE tbl = ?');
  const delEntries = db.prepare<[string]>('DELETE FROM table_index_entries WHERE tbl = ?');
  const delIndex = db.prepare<[string, string]>('DELETE FROM table_index_entries WHERE tbl = ? AND idx = ?');

  const itemText = db
    .prepare<[string, number, Buffer, Buffer], string>(
      'SELECT item FROM table_items WHERE tbl = ? AND hash = ? AND pk = ? AND sk = ?',
    )
    .pluck();
  const insItem = db.prepare<[string, number, Buffer, Buffer, number, number | null, string]>(
    'INSERT INTO table_items (tbl, hash, pk, sk, size, expires_at, item) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const updItem = db.prepare<[number, number | null, string, string, number, Buffer, Buffer]>(
    'UPDATE table_items SET size = ?, expires_at = ?, item = ? WHERE tbl = ? AND hash = ? AND pk = ? AND sk = ?',
  );
  const delItem = db.prepare<[string, number, Buffer, Buffer]>(
    'DELETE FROM table_items WHERE tbl = ? AND hash = ? AND pk = ? AND sk = ?',
  );
  const insEntry = db.prepare<[string, string, number, Buffer, Buffer, Buffer, Buffer, number]>(
    'INSERT INTO table_index_entries (tbl, idx, hash, ipk, isk, pk, sk, item_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const delEntry = db.prepare<[string, string, number, Buffer, Buffer, Buffer, Buffer]>(
    `DELETE FROM table_index_entries
     WHERE tbl = ? AND idx = ? AND hash = ? AND ipk = ? AND isk = ? AND pk = ? AND sk = ?`,
  );
  type ItemRow = { hash: number; pk: Buffer; sk: Buffer; item: string };
  const firstItems = db.prepare<[string, number], ItemRow>(
    'SELECT hash, pk, sk, item FROM table_items WHERE tbl = ? ORDER BY hash, pk, sk LIMIT ?',
  );
  const nextItems = db.prepare<[string, number, Buffer, Buffer, number], ItemRow>(
    `SELECT hash, pk, sk, item FROM table_items WHERE tbl = ? AND (hash, pk, sk) > (?, ?, ?)
     ORDER BY hash, pk, sk LIMIT ?`,
  );
  const setExpiry = db.prepare<[number | null, string, number, Buffer, Buffer]>(
    'UPDATE table_items SET expires_at = ? WHERE tbl = ? AND hash = ? AND pk = ? AND sk = ?',
  );
  const expiredItems = db
    .prepare<[string, number, number], string>(
      'SELECT item FROM table_items WHERE tbl = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?',
    )
    .pluck();
  const stats = db.prepare<[string], { count: number; bytes: number }>(
    'SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM table_items WHERE tbl = ?',
  );

  const bumpSeq = db
    .prepare<[string, number], number>(
      `INSERT INTO table_stream_seqs (stream_arn, last_seq) VALUES (?, ?)
       ON CONFLICT (stream_arn) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq`,
    )
    .pluck();
  const insRecord = db.prepare<[string, number, number, string]>(
    'INSERT INTO table_stream_records (stream_arn, seq, created_at, record) VALUES (?, ?, ?, ?)',
  );
  const records = db.prepare<[string, number, number], { seq: number; record: string }>(
    'SELECT seq, record FROM table_stream_records WHERE stream_arn = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const bounds = db.prepare<[string], { first: number | null; last: number | null }>(
    'SELECT min(seq) AS first, max(seq) AS last FROM table_stream_records WHERE stream_arn = ?',
  );
  const trim = db.prepare<[number]>('DELETE FROM table_stream_records WHERE created_at < ?');
  const getMark = db
    .prepare<[string], number>('SELECT seq FROM table_stream_checkpoints WHERE consumer = ?')
    .pluck();
  const setMark = db.prepare<[string, number]>(
    `INSERT INTO table_stream_checkpoints (consumer, seq) VALUES (?, ?)
     ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq`,
  );
  const delMark = db.prepare<[string]>('DELETE FROM table_stream_checkpoints WHERE consumer = ?');

  // Queries and scans: one prepared statement per shape (index or not, bounds, cursor, direction).
  const reads = new Map<string, ReturnType<typeof db.prepare<unknown[], string>>>();
  const read = (plan: ReadPlan): Item[] => {
    let stmt = reads.get(plan.key);
    if (stmt === undefined) {
      stmt = db.prepare<unknown[], string>(plan.sql()).pluck();
      reads.set(plan.key, stmt);
    }
    return stmt.all(...plan.params).map((text) => JSON.parse(text) as Item);
  };

  /**
   * The stored definition, which writes follow for indexes, TTL and stream (not the caller's
   * copy, which may be older). `scratch` keeps it for the rest of the transaction.
   */
  const stored = (name: string, scratch?: Map<string, unknown>): StoredTable => {
    const known = scratch?.get(name) as StoredTable | undefined;
    if (known) return known;
    const record = defRecord.get(name);
    if (record === undefined) throw tableNotFound(name);
    const table = defs.get(name, record);
    scratch?.set(name, table);
    return table;
  };

  const moveEntries = (name: string, key: RowKey, old: IndexEntry[], next: IndexEntry[]) => {
    const { removed, added } = entryChanges(old, next);
    for (const e of removed) delEntry.run(name, e.idx, e.hash, e.ipk, e.isk, key.pk, key.sk);
    for (const e of added) insEntry.run(name, e.idx, e.hash, e.ipk, e.isk, key.pk, key.sk, key.hash);
  };

  /** Writes one decision; returns the change, and whether anything changed. */
  const apply = (p: Planned): { change: Change; wrote: boolean } => {
    const { table, key, current, decision } = p;
    const def = table.def;
    if ('put' in decision) {
      const item = decision.put;
      if (current !== undefined && sameItem(current, item))
        return { change: { old: current, new: item }, wrote: false };
      const text = JSON.stringify(item);
      const size = itemSize(item);
      const expiry = expiresAt(table.ttl, item);
      if (current === undefined) insItem.run(def.name, key.hash, key.pk, key.sk, size, expiry, text);
      else updItem.run(size, expiry, text, def.name, key.hash, key.pk, key.sk);
      moveEntries(def.name, key, indexEntries(def, current), indexEntries(def, item));
      return { change: { old: current, new: item }, wrote: true };
    }
    if ('delete' in decision) {
      if (current === undefined) return { change: { old: undefined, new: undefined }, wrote: false };
      delItem.run(def.name, key.hash, key.pk, key.sk);
      moveEntries(def.name, key, indexEntries(def, current), []);
      return { change: { old: current, new: undefined }, wrote: true };
    }
    return { change: { old: current, new: current }, wrote: false };
  };

  const appendRecords = (pending: NewStreamRecord[]) => {
    const byStream = new Map<string, NewStreamRecord[]>();
    for (const r of pending) byStream.set(r.streamArn, [...(byStream.get(r.streamArn) ?? []), r]);
    for (const [arn, list] of byStream) {
      let seq = bumpSeq.get(arn, list.length)! - list.length;
      for (const r of list) insRecord.run(arn, ++seq, r.createdAt, JSON.stringify(r));
    }
  };

  /** A mutate call, in the caller's transaction: reads and decisions first, then the writes. */
  const mutate = (
    { mutations, now }: { mutations: Mutation[]; now: number },
    scratch: Map<string, unknown>,
  ) => {
    const planned: Planned[] = [];
    let cancelled = false;
    for (const mutation of mutations) {
      const table = stored(mutation.table.name, scratch);
      const key = tableKey(table.def, mutation.key);
      const text = itemText.get(table.def.name, key.hash, key.pk, key.sk);
      const current = text === undefined ? undefined : (JSON.parse(text) as Item);
      let decision: Decision;
      try {
        decision = mutation.decide(current);
      } catch (e) {
        throw new CallerError(e);
      }
      if ('cancel' in decision) cancelled = true;
      planned.push({ mutation, table, key, current, decision });
    }
    if (cancelled)
      return {
        ok: false,
        outcomes: planned.map((p) => ({ current: p.current, decision: p.decision })),
      } as const;
    try {
      const changes: Change[] = [];
      const pending: NewStreamRecord[] = [];
      for (const p of planned) {
        const { change, wrote } = apply(p);
        changes.push(change);
        const { stream } = p.table;
        if (wrote && stream)
          pending.push(
            streamRecord(stream, { ...change, keys: p.mutation.key, byService: p.mutation.byService }, now),
          );
      }
      if (pending.length > 0) appendRecords(pending);
      return { ok: true, changes } as const;
    } catch (e) {
      throw new PartialWrite(e);
    }
  };
  const mutateGrouped = groupCommit(db, mutate, (e) => translate(e, 'write items'));

  /** Calls `fn` with every item of a table, a page at a time (statements may run in between). */
  const eachItem = (name: string, fn: (row: ItemRow, item: Item) => void) => {
    let page = firstItems.all(name, BACKFILL_PAGE);
    while (page.length > 0) {
      for (const row of page) fn(row, JSON.parse(row.item) as Item);
      if (page.length < BACKFILL_PAGE) break;
      const last = page[page.length - 1]!;
      page = nextItems.all(name, last.hash, last.pk, last.sk, BACKFILL_PAGE);
    }
  };

  const updateTable = db.transaction((def: TableDefinition) => {
    const old = stored(def.name).def;
    updDef.run(JSON.stringify(def), def.name);
    const { added, removed } = indexChanges(old.indexes, def.indexes);
    for (const index of removed) delIndex.run(def.name, index.name);
    const ttl = def.ttl?.enabled ? def.ttl.attribute : undefined;
    const ttlChanged = ttl !== (old.ttl?.enabled ? old.ttl.attribute : undefined);
    if (added.length === 0 && !ttlChanged) return;
    const target = { ...def, indexes: added };
    eachItem(def.name, (row, item) => {
      for (const e of indexEntries(target, item))
        insEntry.run(def.name, e.idx, e.hash, e.ipk, e.isk, row.pk, row.sk, row.hash);
      if (ttlChanged) setExpiry.run(expiresAt(ttl, item), def.name, row.hash, row.pk, row.sk);
    });
  });

  const deleteTable = db.transaction((name: string) => {
    delItems.run(name);
    delEntries.run(name);
    defs.forget(name);
    return delDef.run(name).changes > 0;
  });

  return {
    async createTable(def) {
      return run('create table', () => insDef.run(def.name, JSON.stringify(def)).changes > 0);
    },
    async getTable(name) {
      const record = run('get table', () => defRecord.get(name));
      return record === undefined ? undefined : defs.get(name, record).def;
    },
    async listTables(start, limit) {
      return run('list tables', () => listNames.all(start ?? '', limit));
    },
    async updateTable(def) {
      run('update table', () => updateTable(def));
    },
    async deleteTable(name) {
      return run('delete table', () => deleteTable(name));
    },
    async getItem(table, key) {
      const k = tableKey(table, key);
      const text = run('get item', () => itemText.get(table.name, k.hash, k.pk, k.sk));
      return text === undefined ? undefined : (JSON.parse(text) as Item);
    },
    async mutate(mutations, now) {
      if (mutations.length === 0) return { ok: true, changes: [] };
      return mutateGrouped({ mutations, now });
    },
    async query(table, request) {
      return run('query', () => read(queryPlan(table, request)));
    },
    async scan(table, request) {
      return run('scan', () => read(scanPlan(table, request)));
    },
    async stats(table) {
      return run('table stats', () => stats.get(table.name)!);
    },
    async expired(table, nowSeconds, limit) {
      const texts = run('expired items', () => expiredItems.all(table.name, nowSeconds, limit));
      return texts.map((text) => keyAttributes(table.key, JSON.parse(text) as Item));
    },
    async streamRecords(streamArn, afterSeq, limit) {
      return run('read stream', () => records.all(streamArn, afterSeq, limit)).map(
        (r) => ({ seq: r.seq, ...JSON.parse(r.record) }) as StoredStreamRecord,
      );
    },
    async streamBounds(streamArn) {
      const b = run('stream bounds', () => bounds.get(streamArn)!);
      return b.first === null || b.last === null ? undefined : { first: b.first, last: b.last };
    },
    async trimStreams(before) {
      return run('trim streams', () => trim.run(before).changes);
    },
    async getCheckpoint(consumer) {
      return run('get checkpoint', () => getMark.get(consumer));
    },
    async setCheckpoint(consumer, seq) {
      run('set checkpoint', () => setMark.run(consumer, seq));
    },
    async deleteCheckpoint(consumer) {
      run('delete checkpoint', () => delMark.run(consumer));
    },
  };
}
