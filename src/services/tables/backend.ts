/**
 * Where tables live: definitions, items, index entries, stream records and idempotency tokens.
 * Implementations: `src/backends/sqlite/tables.ts` and `src/backends/postgres/tables.ts`; one
 * contract suite (`test/contract/tables.contract.ts`) runs against both.
 *
 * The backend knows nothing of expressions. Writes go through `mutate`: for each key it loads the
 * current item and asks a pure `decide` callback what to do, all inside one transaction, so
 * conditions, transactions and stream records are atomic. Keys are ordered as DynamoDB orders
 * them, through the byte encoding in `keys.ts`.
 */
import type { AttributeValue, Item, TableDefinition } from './types.ts';

/** What a mutation does with the item it found (undefined when there was none). */
export type Decision =
  /** Write this item (a put or an update), replacing whatever was there. */
  | { put: Item }
  /** Delete the item (a no-op when there was none). */
  | { delete: true }
  /** Leave it as it is (a condition check, or an update that changes nothing). */
  | { keep: true }
  /** Cancel the whole call: nothing of it is written. `reason` is handed back as given. */
  | { cancel: unknown };

export interface Mutation {
  table: TableDefinition;
  /** The primary key attributes (and only those). */
  key: Item;
  /** Pure and synchronous: may run more than once if the backend retries the transaction. */
  decide(current: Item | undefined): Decision;
  /** TTL deletions: the stream record names the service as the deleter. */
  byService?: boolean;
}

/** One mutation's outcome: the item before and after (undefined when absent). */
export interface Change {
  old: Item | undefined;
  new: Item | undefined;
}

export type MutateResult =
  | { ok: true; changes: Change[] }
  /** Some decision cancelled: nothing was written. One entry per mutation, in order. */
  | { ok: false; outcomes: { current: Item | undefined; decision: Decision }[] };

/** A condition on the sort key of a query. Values have the sort key's type. */
export type RangeCondition =
  | { op: '=' | '<' | '<=' | '>' | '>='; value: AttributeValue }
  | { op: 'between'; low: AttributeValue; high: AttributeValue }
  | { op: 'begins_with'; value: AttributeValue };

export interface QueryRequest {
  /** Query an index instead of the table. */
  index?: string;
  hash: AttributeValue;
  range?: RangeCondition;
  /** Ascending sort-key order when true (ScanIndexForward). */
  forward: boolean;
  /** Resume after this item's position: its table key, plus the index key for an index. */
  after?: Item;
  /** Most items to return. */
  limit: number;
}

export interface ScanRequest {
  index?: string;
  /** Parallel scan: this segment of `totalSegments` (0 of 1 for a plain scan). */
  segment: number;
  totalSegments: number;
  after?: Item;
  limit: number;
}

/** One stream record as stored, in the order the writes committed. */
export interface StoredStreamRecord {
  /** Increasing within a stream; the wire's SequenceNumber is this, zero-padded to 21 digits. */
  seq: number;
  streamArn: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: Item;
  newImage?: Item;
  oldImage?: Item;
  /** Epoch ms of the write. */
  createdAt: number;
  /** Bytes of keys and images, as AWS reports SizeBytes. */
  sizeBytes: number;
  /** A TTL deletion: AWS's userIdentity `{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }`. */
  byService?: boolean;
}

export interface TableBackend {
  /** False when a table of that name exists. */
  createTable(def: TableDefinition): Promise<boolean>;
  getTable(name: string): Promise<TableDefinition | undefined>;
  /** Table names in ascending order, after `start` (exclusive), at most `limit`. */
  listTables(start: string | undefined, limit: number): Promise<string[]>;
  /**
   * Stores a changed definition. When an index is added, its entries are built from the items
   * there; when one is removed, its entries go.
   */
  updateTable(def: TableDefinition): Promise<void>;
  /** Deletes the table with its items and index entries (its stream records stay readable). */
  deleteTable(name: string): Promise<boolean>;

  getItem(table: TableDefinition, key: Item): Promise<Item | undefined>;
  /** Runs the mutations in one transaction (see `Mutation`), writing stream records with them. */
  mutate(mutations: Mutation[], now: number): Promise<MutateResult>;
  /** Items in key order (index key, then table key, for an index); base items, whole. */
  query(table: TableDefinition, request: QueryRequest): Promise<Item[]>;
  /** Items of one scan segment, in the backend's stable scan order. */
  scan(table: TableDefinition, request: ScanRequest): Promise<Item[]>;
  /** How many items the table holds, and their total size in bytes. */
  stats(table: TableDefinition): Promise<{ count: number; bytes: number }>;

  /** Keys of items whose TTL attribute (epoch seconds) is at or before `nowSeconds`. */
  expired(table: TableDefinition, nowSeconds: number, limit: number): Promise<Item[]>;

  /** Stream records with `seq > afterSeq`, oldest first. */
  streamRecords(streamArn: string, afterSeq: number, limit: number): Promise<StoredStreamRecord[]>;
  /** The first and last sequence numbers a stream holds (undefined when it holds none). */
  streamBounds(streamArn: string): Promise<{ first: number; last: number } | undefined>;
  /** Drops stream records written before `before` (epoch ms): AWS keeps them 24 hours. */
  trimStreams(before: number): Promise<number>;

  /** A stream reader's checkpoint (an event source mapping's UUID): the last seq it is done with. */
  getCheckpoint(consumer: string): Promise<number | undefined>;
  setCheckpoint(consumer: string, seq: number): Promise<void>;
  deleteCheckpoint(consumer: string): Promise<void>;
}
