/**
 * The writes of one PostgreSQL mutate call (items, index entries, stream records), gathered as
 * columns and sent as one statement of `unnest`s, and the JSONB form of items.
 */
import type { Change, Decision, Mutation } from '../../services/tables/backend.ts';
import { type NewStreamRecord, sameItem } from '../../services/tables/stream-records.ts';
import type { Item } from '../../services/tables/types.ts';
import { itemSize } from '../../services/tables/values.ts';
import {
  entryChanges,
  expiresAt,
  indexEntries,
  numbered,
  type RowKey,
  type StoredTable,
} from '../table-rows.ts';

// The writes of one call, as parts of one statement (only the parts it needs).
const WRITE_PARTS = {
  deletes: `DELETE FROM table_items i USING unnest(?::text[], ?::int[], ?::bytea[], ?::bytea[]) AS t(tbl, hash, pk, sk)
    WHERE i.tbl = t.tbl AND i.hash = t.hash AND i.pk = t.pk AND i.sk = t.sk`,
  puts: `INSERT INTO table_items (tbl, hash, pk, sk, size, expires_at, item)
    SELECT * FROM unnest(?::text[], ?::int[], ?::bytea[], ?::bytea[], ?::int[], ?::bigint[], ?::jsonb[])
    ON CONFLICT (tbl, hash, pk, sk) DO UPDATE
    SET size = excluded.size, expires_at = excluded.expires_at, item = excluded.item`,
  unindex: `DELETE FROM table_index_entries e
    USING unnest(?::text[], ?::text[], ?::int[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[])
      AS t(tbl, idx, hash, ipk, isk, pk, sk)
    WHERE e.tbl = t.tbl AND e.idx = t.idx AND e.hash = t.hash AND e.ipk = t.ipk AND e.isk = t.isk
      AND e.pk = t.pk AND e.sk = t.sk`,
  index: `INSERT INTO table_index_entries (tbl, idx, hash, ipk, isk, pk, sk, item_hash)
    SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::int[])`,
  // Each stream's counter row moves by its record count; its row lock orders commits.
  records: `recs AS (SELECT * FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS r(arn, record, n)),
  counts AS (SELECT arn, count(*) AS c FROM recs GROUP BY arn),
  seqs AS (INSERT INTO table_stream_seqs AS s (stream_arn, last_seq) SELECT arn, c FROM counts ORDER BY arn
    ON CONFLICT (stream_arn) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq RETURNING stream_arn, last_seq),
  streamed AS (INSERT INTO table_stream_records (stream_arn, seq, created_at, record)
    SELECT r.arn, s.last_seq - c.c + row_number() OVER (PARTITION BY r.arn ORDER BY r.n), ?, r.record
    FROM recs r JOIN seqs s ON s.stream_arn = r.arn JOIN counts c ON c.arn = r.arn)`,
};

/**
 * JSONB holds no NUL character, nor a lone surrogate: an item whose JSON escapes one is stored as
 * its JSON text in a string under this name (an item's attribute values are never strings).
 */
const WRAPPED = '$json';
const UNSTORABLE = /\\u(0000|d[89a-f])/;
export const toJsonb = (item: Item) => {
  const text = JSON.stringify(item);
  return UNSTORABLE.test(text) ? JSON.stringify({ [WRAPPED]: text }) : text;
};
export const fromJsonb = (stored: Record<string, unknown>): Item => {
  const text = stored[WRAPPED];
  return typeof text === 'string' ? (JSON.parse(text) as Item) : (stored as Item);
};

/** One mutation, read and decided. */
export interface Planned {
  mutation: Mutation;
  table: StoredTable;
  key: RowKey;
  current: Item | undefined;
  decision: Decision;
}

/** An index entry's columns: tbl, idx, hash, ipk, isk, pk, sk, item_hash. */
type EntryRow = [string, string, number, Buffer, Buffer, Buffer, Buffer, number];

/** The rows one call writes, gathered as columns for one statement of `unnest`s. */
export class Writes {
  readonly deletes: [string, number, Buffer, Buffer][] = [];
  readonly puts: [string, number, Buffer, Buffer, number, number | null, string][] = [];
  readonly removed: EntryRow[] = [];
  readonly added: EntryRow[] = [];
  readonly records: NewStreamRecord[] = [];

  /** Gathers one decision's writes; returns its change, or undefined when it changes nothing. */
  add(p: Planned): Change | undefined {
    const { table, key, current, decision } = p;
    const def = table.def;
    if ('put' in decision) {
      const item = decision.put;
      if (current !== undefined && sameItem(current, item)) return undefined;
      const size = itemSize(item);
      this.puts.push([def.name, key.hash, key.pk, key.sk, size, expiresAt(table.ttl, item), toJsonb(item)]);
      const { removed, added } = entryChanges(indexEntries(def, current), indexEntries(def, item));
      this.entries(this.removed, def.name, key, removed);
      this.entries(this.added, def.name, key, added);
      return { old: current, new: item };
    }
    if (!('delete' in decision) || current === undefined) return undefined;
    this.deletes.push([def.name, key.hash, key.pk, key.sk]);
    this.entries(this.removed, def.name, key, indexEntries(def, current));
    return { old: current, new: undefined };
  }

  entries(into: EntryRow[], name: string, key: RowKey, list: ReturnType<typeof indexEntries>): void {
    for (const e of list) into.push([name, e.idx, e.hash, e.ipk, e.isk, key.pk, key.sk, key.hash]);
  }

  /** One statement for everything gathered (undefined when there is nothing to write). */
  statement(now: number): { sql: string; params: unknown[] } | undefined {
    const parts: string[] = [];
    const params: unknown[] = [];
    const part = (sql: string, rows: unknown[][], width: number) => {
      if (rows.length === 0) return;
      parts.push(`w${parts.length} AS (${sql})`);
      for (let c = 0; c < width; c++) params.push(rows.map((r) => r[c]));
    };
    part(WRITE_PARTS.deletes, this.deletes, 4);
    part(WRITE_PARTS.puts, this.puts, 7);
    part(WRITE_PARTS.unindex, this.removed, 7);
    part(WRITE_PARTS.index, this.added, 8);
    if (this.records.length > 0) {
      parts.push(WRITE_PARTS.records);
      const arns = this.records.map((r) => r.streamArn);
      params.push(
        arns,
        this.records.map((r) => JSON.stringify(r)),
        now,
      );
    }
    if (parts.length === 0) return undefined;
    return { sql: numbered(`WITH ${parts.join(',\n')}\nSELECT 1`), params };
  }
}
