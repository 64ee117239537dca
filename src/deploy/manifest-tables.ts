import { BatonError } from '../core/errors.ts';
import type { KeySchema, KeyType, Projection, StreamViewType } from '../services/tables/types.ts';

/** An index the manifest declares on a table. */
export interface IndexSpec {
  name: string;
  /** Local indexes share the table's partition key and can only be made with the table. */
  local: boolean;
  key: KeySchema;
  projection: Projection;
}

/** A table the manifest declares. Tables are PAY_PER_REQUEST. */
export interface TableSpec {
  name: string;
  key: KeySchema;
  indexes: IndexSpec[];
  /** The stream's view type; null: no stream. */
  stream: StreamViewType | null;
  /** The TTL attribute (epoch seconds); null: no TTL. */
  ttl: string | null;
}

/**
 * Where a stream mapping sends the description of a batch it gave up on: a queue, a topic, a
 * name (a queue's if there is one, else a topic's) or an ARN. `path` is where it is declared.
 */
export type OnFailureSpec =
  | { kind: 'queue' | 'topic' | 'name'; name: string; path: string }
  | { kind: 'arn'; arn: string; path: string };

/** A function's `table` event: an event source mapping on the table's stream. */
export interface TableEventSpec {
  function: string;
  table: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  bisectBatchOnFunctionError: boolean;
  /** -1: until the records expire. */
  maximumRetryAttempts: number;
  /** -1: no limit but the stream's 24-hour retention. */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  onFailure: OnFailureSpec | null;
  enabled: boolean;
  /** Where the manifest declares it (`functions.f.events[0].table`). */
  path: string;
}

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKnown(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw invalid(`${path}.${k}`, 'is not a known field');
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(path, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw invalid(path, 'must be true or false');
  return v;
}

/** DynamoDB's limits: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
const NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const MAX_GSIS = 20;
const MAX_LSIS = 5;
const VIEW_TYPES: readonly StreamViewType[] = ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'];

/** `{ pk: S, sk: N }`: the partition key, then an optional sort key. */
function keyOf(v: unknown, path: string): KeySchema {
  const shape = 'must be { ATTRIBUTE: S|N|B } for the partition key, then an optional sort key';
  if (!isMapping(v)) throw invalid(path, shape);
  const entries = Object.entries(v);
  if (entries.length < 1 || entries.length > 2) throw invalid(path, shape);
  // A JavaScript object puts integer-like names first, whatever the YAML's order.
  if (entries.length === 2 && entries.some(([n]) => /^(0|[1-9]\d*)$/.test(n)))
    throw invalid(path, 'attribute names that are whole numbers lose their order in a mapping');
  const [hash, range] = entries.map(([name, type]) => {
    if (name.length === 0 || name.length > 255)
      throw invalid(`${path}.${name}`, 'attribute names are 1-255 characters');
    if (type !== 'S' && type !== 'N' && type !== 'B')
      throw invalid(`${path}.${name}`, `must be S, N or B (got ${JSON.stringify(type)})`);
    return { name, type: type as KeyType };
  });
  if (range?.name === hash!.name) throw invalid(path, 'the partition and sort keys must differ');
  return range ? { hash: hash!, range } : { hash: hash! };
}

/** `ALL` (the default), `KEYS_ONLY`, or a list of attributes (INCLUDE). */
function projectionOf(v: unknown, path: string): Projection {
  if (v === undefined || v === 'ALL') return { type: 'ALL' };
  if (v === 'KEYS_ONLY') return { type: 'KEYS_ONLY' };
  if (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string' && a.length > 0)) {
    if (new Set(v).size !== v.length) throw invalid(path, 'lists an attribute twice');
    return { type: 'INCLUDE', nonKeyAttributes: v as string[] };
  }
  throw invalid(path, 'must be ALL, KEYS_ONLY or a list of attributes to include, like [total, status]');
}

function indexesOf(v: unknown, table: KeySchema, path: string): IndexSpec[] {
  if (v === undefined || v === null) return [];
  if (!isMapping(v)) throw invalid(path, 'must be a mapping of index names to { key, local, projection }');
  const out: IndexSpec[] = [];
  for (const [name, raw] of Object.entries(v)) {
    const p = `${path}.${name}`;
    if (!NAME.test(name))
      throw invalid(p, 'index names are 3-255 letters, digits, dots, hyphens or underscores');
    if (!isMapping(raw)) throw invalid(p, 'must be a mapping like { key: { customer: S } }');
    onlyKnown(raw, ['key', 'local', 'projection'], p);
    if (raw.key === undefined) throw invalid(`${p}.key`, 'is required');
    const key = keyOf(raw.key, `${p}.key`);
    const local = raw.local === undefined ? false : bool(raw.local, `${p}.local`);
    if (local) {
      if (!table.range)
        throw invalid(`${p}.local`, 'a local index needs a table with a sort key (DynamoDB rule)');
      if (key.hash.name !== table.hash.name || key.hash.type !== table.hash.type)
        throw invalid(
          `${p}.key`,
          `a local index shares the table's partition key: start with ${table.hash.name}: ${table.hash.type}`,
        );
      if (!key.range) throw invalid(`${p}.key`, 'a local index needs a sort key of its own');
    }
    out.push({ name, local, key, projection: projectionOf(raw.projection, `${p}.projection`) });
  }
  if (out.filter((i) => !i.local).length > MAX_GSIS)
    throw invalid(path, `a table has at most ${MAX_GSIS} global indexes`);
  if (out.filter((i) => i.local).length > MAX_LSIS)
    throw invalid(path, `a table has at most ${MAX_LSIS} local indexes`);
  return out;
}

/** One type per attribute across the table's and its indexes' keys (AttributeDefinitions). */
function checkTypes(key: KeySchema, indexes: IndexSpec[], path: string): void {
  const types = new Map<string, KeyType>();
  const add = (k: KeySchema, where: string) => {
    for (const a of [k.hash, ...(k.range ? [k.range] : [])]) {
      const seen = types.get(a.name);
      if (seen !== undefined && seen !== a.type)
        throw invalid(`${where}.${a.name}`, `is ${seen} elsewhere in this table; an attribute has one type`);
      types.set(a.name, a.type);
    }
  };
  add(key, `${path}.key`);
  for (const ix of indexes) add(ix.key, `${path}.indexes.${ix.name}.key`);
}

/**
 * The manifest's `tables` section: `name: { key: { pk: S, sk: N }, indexes: { NAME: { key,
 * local, projection } }, stream: NEW_AND_OLD_IMAGES | NEW_IMAGE | OLD_IMAGE | KEYS_ONLY,
 * ttl: ATTRIBUTE }`.
 */
export function parseTables(value: unknown): TableSpec[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) throw invalid('tables', 'must be a mapping of table names to their settings');
  const out: TableSpec[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const path = `tables.${name}`;
    if (!NAME.test(name))
      throw invalid(path, 'table names are 3-255 letters, digits, dots, hyphens or underscores');
    if (!isMapping(raw))
      throw invalid(path, 'must be a mapping with at least a key, like { key: { pk: S } }');
    onlyKnown(raw, ['key', 'indexes', 'stream', 'ttl'], path);
    if (raw.key === undefined) throw invalid(`${path}.key`, 'is required, like { pk: S, sk: N }');
    const key = keyOf(raw.key, `${path}.key`);
    const indexes = indexesOf(raw.indexes, key, `${path}.indexes`);
    checkTypes(key, indexes, path);
    let stream: StreamViewType | null = null;
    if (raw.stream !== undefined && raw.stream !== null && raw.stream !== false) {
      if (!VIEW_TYPES.includes(raw.stream as StreamViewType))
        throw invalid(`${path}.stream`, `must be one of ${VIEW_TYPES.join(', ')}`);
      stream = raw.stream as StreamViewType;
    }
    let ttl: string | null = null;
    if (raw.ttl !== undefined && raw.ttl !== null) {
      if (typeof raw.ttl !== 'string' || raw.ttl.length === 0 || raw.ttl.length > 255)
        throw invalid(`${path}.ttl`, 'must name the attribute holding the expiry time (epoch seconds)');
      ttl = raw.ttl;
    }
    out.push({ name, key, indexes, stream, ttl });
  }
  return out;
}

const EVENT_FIELDS = [
  'batchSize',
  'startingPosition',
  'bisectBatchOnFunctionError',
  'maximumRetryAttempts',
  'maximumRecordAgeInSeconds',
  'reportBatchItemFailures',
  'functionResponseTypes',
  'onFailure',
  'enabled',
];

const DESTINATION = /^arn:aws[a-zA-Z-]*:(sqs|sns):[^:]+:\d{12}:[a-zA-Z0-9_.-]{1,256}$/;

function onFailureOf(v: unknown, path: string): OnFailureSpec {
  if (typeof v === 'string' && v.startsWith('arn:')) {
    if (!DESTINATION.test(v)) throw invalid(path, 'must be an SQS queue or SNS topic ARN');
    return { kind: 'arn', arn: v, path };
  }
  if (typeof v === 'string' && v.length > 0) return { kind: 'name', name: v, path };
  if (isMapping(v) && Object.keys(v).length === 1) {
    const kind = Object.keys(v)[0]!;
    if ((kind === 'queue' || kind === 'topic') && typeof v[kind] === 'string' && v[kind] !== '')
      return { kind, name: v[kind], path };
  }
  throw invalid(path, 'must be a queue or topic name, { queue: NAME }, { topic: NAME } or an ARN');
}

/**
 * A `table` event: `{ table: NAME }`, with settings beside it (`{ table: orders, batchSize: 10 }`)
 * or inside (`{ table: { name: orders, batchSize: 10 } }`). The defaults are Lambda's, but
 * `startingPosition`, which Lambda requires: TRIM_HORIZON, as the Serverless Framework has it,
 * so that nothing written between the table's creation and the mapping's is missed.
 */
export function parseTableEvent(fn: string, ev: Record<string, unknown>, path: string): TableEventSpec {
  let o: Record<string, unknown>;
  let p: string;
  let table: unknown;
  if (isMapping(ev.table)) {
    onlyKnown(ev, ['table'], path);
    o = ev.table;
    p = `${path}.table`;
    onlyKnown(o, ['name', ...EVENT_FIELDS], p);
    table = o.name;
    if (typeof table !== 'string' || table.length === 0) throw invalid(`${p}.name`, 'must name a table');
  } else {
    o = ev;
    p = path;
    onlyKnown(o, ['table', ...EVENT_FIELDS], p);
    table = o.table;
    if (typeof table !== 'string' || table.length === 0)
      throw invalid(`${p}.table`, 'must name a table, or be { name: TABLE, ...settings }');
  }
  const position = o.startingPosition ?? 'TRIM_HORIZON';
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST')
    throw invalid(`${p}.startingPosition`, 'must be TRIM_HORIZON or LATEST');
  const age =
    o.maximumRecordAgeInSeconds === undefined
      ? -1
      : int(o.maximumRecordAgeInSeconds, `${p}.maximumRecordAgeInSeconds`, -1, 604_800);
  if (age !== -1 && age < 60)
    throw invalid(`${p}.maximumRecordAgeInSeconds`, 'must be -1 (no limit) or from 60 to 604800');
  const types = o.functionResponseTypes ?? [];
  if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))
    throw invalid(`${p}.functionResponseTypes`, 'may only hold ReportBatchItemFailures');
  const report =
    o.reportBatchItemFailures === undefined
      ? types.length > 0
      : bool(o.reportBatchItemFailures, `${p}.reportBatchItemFailures`);
  return {
    function: fn,
    table: table as string,
    batchSize: o.batchSize === undefined ? 100 : int(o.batchSize, `${p}.batchSize`, 1, 10_000),
    startingPosition: position,
    bisectBatchOnFunctionError:
      o.bisectBatchOnFunctionError === undefined
        ? false
        : bool(o.bisectBatchOnFunctionError, `${p}.bisectBatchOnFunctionError`),
    maximumRetryAttempts:
      o.maximumRetryAttempts === undefined
        ? -1
        : int(o.maximumRetryAttempts, `${p}.maximumRetryAttempts`, -1, 10_000),
    maximumRecordAgeSeconds: age,
    reportBatchItemFailures: report,
    onFailure: o.onFailure === undefined ? null : onFailureOf(o.onFailure, `${p}.onFailure`),
    enabled: o.enabled === undefined ? true : bool(o.enabled, `${p}.enabled`),
    path: `${path}.table`,
  };
}

/**
 * What the manifest alone can tell of its `table` events: one per function and table, and a
 * stream on each table the manifest declares. Other tables are checked by the deploy.
 */
export function checkTableEvents(tables: TableSpec[], events: TableEventSpec[]): void {
  const seen = new Set<string>();
  for (const ev of events) {
    const key = `${ev.function}\0${ev.table}`;
    if (seen.has(key))
      throw invalid(ev.path, `function ${ev.function} already has an event on table ${ev.table}`);
    seen.add(key);
    const spec = tables.find((t) => t.name === ev.table);
    if (spec && spec.stream === null)
      throw invalid(
        ev.path,
        `table ${ev.table} has no stream: add stream: NEW_AND_OLD_IMAGES (or another view type) under tables.${ev.table}`,
      );
  }
}
