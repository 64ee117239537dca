/**
 * What the SQLite and PostgreSQL table backends share: the rows an item is stored as (its
 * encoded key, index entries and TTL expiry), the cache of parsed definitions, and the SQL of
 * queries and scans. Both databases compare BLOB/bytea keys bytewise (`services/tables/keys.ts`),
 * and both name their tables and columns alike, so one SQL text serves both (`?` placeholders,
 * numbered for PostgreSQL by `numbered`).
 */
import type { QueryRequest, ScanRequest } from '../services/tables/backend.ts';
import { TableError, validationError } from '../services/tables/errors.ts';
import {
  type EncodedKey,
  encodeKeyValue,
  keyHash,
  keyOf,
  prefixSuccessor,
  segmentRange,
} from '../services/tables/keys.ts';
import { parseNumber } from '../services/tables/numbers.ts';
import type {
  IndexDefinition,
  Item,
  KeyAttribute,
  StreamDefinition,
  TableDefinition,
} from '../services/tables/types.ts';

/** A stored definition, parsed once, with what writes need from it at hand. */
export interface StoredTable {
  /** Frozen: it is shared by every caller that reads the same stored record. */
  def: TableDefinition;
  /** The TTL attribute, when TTL is enabled. */
  ttl: string | undefined;
  /** The stream that takes records, when one is enabled. */
  stream: StreamDefinition | undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parsed definitions by table name. A read hands back the cached object while the stored record
 * text is the same, so the hot path neither parses nor copies a definition.
 */
export class DefinitionCache {
  readonly #byName = new Map<string, { record: string; table: StoredTable }>();

  parse(record: string): StoredTable {
    const def = deepFreeze(JSON.parse(record) as TableDefinition);
    const table: StoredTable = {
      def,
      ttl: def.ttl?.enabled ? def.ttl.attribute : undefined,
      stream: def.stream?.enabled ? def.stream : undefined,
    };
    this.#byName.set(def.name, { record, table });
    return table;
  }

  /** The cached table for `name` when `record` is still its stored text. */
  get(name: string, record: string): StoredTable {
    const cached = this.#byName.get(name);
    return cached?.record === record ? cached.table : this.parse(record);
  }

  forget(name: string): void {
    this.#byName.delete(name);
  }
}

/** An error thrown by a caller's `decide`, carried through the transaction to reach it as thrown. */
export class CallerError {
  constructor(readonly error: unknown) {}
}

/** The table is gone (deleted while a request was on its way). */
export function tableNotFound(name: string): TableError {
  return new TableError(
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${name} not found`,
  );
}

/**
 * An item's key as its row holds it: the encoded keys, and the partition key's hash. Rows are
 * keyed (table, hash, pk, sk): the hash is a function of pk, so the key is as unique as
 * (table, pk, sk), and one B-tree serves point reads, queries and scans in segment order.
 */
export interface RowKey extends EncodedKey {
  hash: number;
}

/** A key given by a caller (GetItem, a mutation): it must have the table's key attributes and types. */
export function tableKey(def: TableDefinition, key: Item): RowKey {
  const encoded = keyOf(def, key);
  if (encoded === undefined) throw validationError('The provided key element does not match the schema');
  return { pk: encoded.pk, sk: encoded.sk, hash: keyHash(encoded.pk) };
}

export function findIndex(def: TableDefinition, name: string): IndexDefinition {
  const index = def.indexes.find((i) => i.name === name);
  if (index === undefined) throw validationError(`The table does not have the specified index: ${name}`);
  return index;
}

/** Past this (about 2.8 million years from 1970), an expiry is as good as none. */
const MAX_EXPIRY = 1e14;

/**
 * The epoch second an item expires at under TTL attribute `ttl`: the whole part of its number
 * (TTL ignores an attribute of another type, or a number far out of range), else null.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 */
export function expiresAt(ttl: string | undefined, item: Item): number | null {
  if (ttl === undefined) return null;
  const value = item[ttl];
  if (value === undefined || !('N' in value)) return null;
  const d = parseNumber(value.N);
  const whole = d.digits.length + d.exponent;
  if (d.digits === '' || whole <= 0) return 0;
  if (whole > 15) return null;
  const seconds = Number(d.exponent >= 0 ? d.digits + '0'.repeat(d.exponent) : d.digits.slice(0, whole));
  if (seconds > MAX_EXPIRY) return null;
  return d.negative ? -seconds : seconds;
}

/** One row of `table_index_entries`: an item's place in one index. */
export interface IndexEntry {
  idx: string;
  ipk: Buffer;
  isk: Buffer;
  hash: number;
}

/** The index entries of `item`: one per index whose key attributes it has, with their types. */
export function indexEntries(def: TableDefinition, item: Item | undefined): IndexEntry[] {
  if (item === undefined || def.indexes.length === 0) return [];
  const out: IndexEntry[] = [];
  for (const index of def.indexes) {
    const k = keyOf(index, item);
    if (k !== undefined) out.push({ idx: index.name, ipk: k.pk, isk: k.sk, hash: keyHash(k.pk) });
  }
  return out;
}

const sameEntry = (a: IndexEntry, b: IndexEntry) =>
  a.idx === b.idx && a.ipk.equals(b.ipk) && a.isk.equals(b.isk);

/** The entries to delete and to insert when an item changes from `old` to `next` entries. */
export function entryChanges(
  old: IndexEntry[],
  next: IndexEntry[],
): { removed: IndexEntry[]; added: IndexEntry[] } {
  if (old.length === 0 || next.length === 0) return { removed: old, added: next };
  return {
    removed: old.filter((e) => !next.some((n) => sameEntry(e, n))),
    added: next.filter((n) => !old.some((e) => sameEntry(e, n))),
  };
}

/** Indexes to build and to drop: by name, and an index whose key changed is both. */
export function indexChanges(
  old: IndexDefinition[],
  next: IndexDefinition[],
): { added: IndexDefinition[]; removed: IndexDefinition[] } {
  const sameAttr = (a: KeyAttribute | undefined, b: KeyAttribute | undefined) =>
    a === undefined || b === undefined ? a === b : a.name === b.name && a.type === b.type;
  const same = (a: IndexDefinition, b: IndexDefinition | undefined) =>
    b !== undefined && sameAttr(a.key.hash, b.key.hash) && sameAttr(a.key.range, b.key.range);
  return {
    added: next.filter(
      (i) =>
        !same(
          i,
          old.find((o) => o.name === i.name),
        ),
    ),
    removed: old.filter(
      (o) =>
        !same(
          o,
          next.find((i) => i.name === o.name),
        ),
    ),
  };
}

/** One SQL read: `key` names its shape (for a statement cache), `sql()` builds the text. */
export interface ReadPlan {
  key: string;
  params: unknown[];
  sql(): string;
}

const ITEMS_OF_ENTRIES =
  'SELECT i.item FROM table_index_entries e JOIN table_items i ' +
  'ON i.tbl = e.tbl AND i.hash = e.item_hash AND i.pk = e.pk AND i.sk = e.sk';

type Side = { op: string; value: Buffer } | undefined;

/**
 * Of a range bound and a resume position (a tuple whose head is the bound's column), the one
 * that starts the walk later. SQLite walks an index range from one bound per side only, so the
 * SQL keeps just that one: it is exact, since the other then admits every row this one does.
 */
function tighter(bound: Side, cursorHead: Buffer, forward: boolean): 'bound' | 'cursor' {
  if (bound === undefined) return 'cursor';
  const order = cursorHead.compare(bound.value);
  if (order === 0) return bound.op.length === 2 ? 'cursor' : 'bound';
  return order > 0 === forward ? 'cursor' : 'bound';
}

const invalidStart = () => validationError('The provided starting key is invalid');

/** A Query: a partition's items in sort-key order, or an index's in (index sort key, table key) order. */
export function queryPlan(def: TableDefinition, req: QueryRequest): ReadPlan {
  const index = req.index === undefined ? undefined : findIndex(def, req.index);
  const schema = (index ?? def).key;
  const pk = encodeKeyValue(schema.hash.type, req.hash);
  if (pk === undefined)
    throw validationError(
      'One or more parameter values were invalid: Condition parameter type does not match schema type',
    );
  let low: Side;
  let high: Side;
  const range = req.range;
  if (range !== undefined) {
    const type = schema.range?.type;
    const enc = (v: Parameters<typeof encodeKeyValue>[1]) => {
      const b = type === undefined ? undefined : encodeKeyValue(type, v);
      if (b === undefined)
        throw validationError(
          'One or more parameter values were invalid: Condition parameter type does not match schema type',
        );
      return b;
    };
    if (range.op === 'between') {
      low = { op: '>=', value: enc(range.low) };
      high = { op: '<=', value: enc(range.high) };
    } else if (range.op === 'begins_with') {
      const prefix = enc(range.value);
      low = { op: '>=', value: prefix };
      const end = prefixSuccessor(prefix);
      if (end !== undefined) high = { op: '<', value: end };
    } else if (range.op === '=') {
      const v = enc(range.value);
      low = { op: '>=', value: v };
      high = { op: '<=', value: v };
    } else if (range.op[0] === '<') high = { op: range.op, value: enc(range.value) };
    else low = { op: range.op, value: enc(range.value) };
  }

  const columns = index ? ['e.isk', 'e.pk', 'e.sk'] : ['sk'];
  let cursor: Buffer[] | undefined;
  if (req.after !== undefined) {
    const t = keyOf(def, req.after);
    const i = index ? keyOf(index, req.after) : undefined;
    if (t === undefined || (index && i === undefined)) throw invalidStart();
    cursor = i ? [i.sk, t.pk, t.sk] : [t.sk];
    if (tighter(req.forward ? low : high, cursor[0]!, req.forward) === 'cursor') {
      if (req.forward) low = undefined;
      else high = undefined;
    } else cursor = undefined;
  }

  const params: unknown[] = index ? [def.name, index.name, keyHash(pk), pk] : [def.name, keyHash(pk), pk];
  let where = index
    ? 'e.tbl = ? AND e.idx = ? AND e.hash = ? AND e.ipk = ?'
    : 'tbl = ? AND hash = ? AND pk = ?';
  if (low) {
    where += ` AND ${columns[0]} ${low.op} ?`;
    params.push(low.value);
  }
  if (high) {
    where += ` AND ${columns[0]} ${high.op} ?`;
    params.push(high.value);
  }
  if (cursor) {
    where += ` AND (${columns.join(', ')}) ${req.forward ? '>' : '<'} (${columns.map(() => '?').join(', ')})`;
    params.push(...cursor);
  }
  params.push(req.limit);
  const direction = req.forward ? '' : ' DESC';
  return {
    key: `q${index ? 'i' : 't'}${low?.op ?? ''}|${high?.op ?? ''}|${cursor ? 'c' : ''}${direction}`,
    params,
    sql: () =>
      `${index ? ITEMS_OF_ENTRIES : 'SELECT item FROM table_items'} WHERE ${where} ` +
      `ORDER BY ${columns.map((c) => c + direction).join(', ')} LIMIT ?`,
  };
}

/**
 * A Scan segment: items in (hash, partition key, sort key) order within the segment's hash range;
 * for an index, its entries in (hash, index key, table key) order.
 */
export function scanPlan(def: TableDefinition, req: ScanRequest): ReadPlan {
  const index = req.index === undefined ? undefined : findIndex(def, req.index);
  const { low, high } = segmentRange(req.segment, req.totalSegments);
  const columns = index ? ['e.hash', 'e.ipk', 'e.isk', 'e.pk', 'e.sk'] : ['hash', 'pk', 'sk'];
  let cursor: unknown[] | undefined;
  if (req.after !== undefined) {
    const t = keyOf(def, req.after);
    const i = index ? keyOf(index, req.after) : undefined;
    if (t === undefined || (index && i === undefined)) throw invalidStart();
    cursor = i ? [keyHash(i.pk), i.pk, i.sk, t.pk, t.sk] : [keyHash(t.pk), t.pk, t.sk];
    // A position before the segment resumes nothing: the segment starts at its low hash.
    if ((cursor[0] as number) < low) cursor = undefined;
  }
  const params: unknown[] = index ? [def.name, index.name] : [def.name];
  let where = index ? 'e.tbl = ? AND e.idx = ?' : 'tbl = ?';
  if (cursor) {
    where += ` AND (${columns.join(', ')}) > (${columns.map(() => '?').join(', ')})`;
    params.push(...cursor);
  } else {
    where += ` AND ${columns[0]} >= ?`;
    params.push(low);
  }
  where += ` AND ${columns[0]} < ?`;
  params.push(high, req.limit);
  return {
    key: `s${index ? 'i' : 't'}${cursor ? 'c' : ''}`,
    params,
    sql: () =>
      `${index ? ITEMS_OF_ENTRIES : 'SELECT item FROM table_items'} WHERE ${where} ORDER BY ${columns.join(', ')} LIMIT ?`,
  };
}

/** SQL with `?` placeholders rewritten as PostgreSQL's `$1`, `$2` … */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
