/**
 * Query and Scan: pages of at most `Limit` items and 1 MB read, then FilterExpression, then
 * ProjectionExpression or Select, with LastEvaluatedKey to resume.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
import type { QueryRequest, RangeCondition, ScanRequest } from './backend.ts';
import { capacityModeOf, consumed, readUnits } from './capacity.ts';
import { constraint } from './constraints.ts';
import type { TableContext } from './context.ts';
import { validationError } from './errors.ts';
import {
  attributeNames,
  type Condition,
  evaluateCondition,
  type KeyCondition,
  type Path,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  project,
} from './expressions/index.ts';
import { expressionOf, isObj, refuseLegacy, tableNameOf, typeTag } from './item-input.ts';
import { contextOf } from './item-ops.ts';
import type { AttributeValue, IndexDefinition, Item, KeySchema, TableDefinition } from './types.ts';
import { compareValues, itemSize, validateItem, valuesEqual } from './values.ts';

type Obj = Record<string, unknown>;

/** A page stops once this much has been read (before filtering). */
export const PAGE_BYTES = 1024 * 1024;
/** Items fetched from the backend at a time. */
const CHUNK = 128;

type Select = 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';

interface ReadPlan {
  table: TableDefinition;
  index: IndexDefinition | undefined;
  filter: Condition | undefined;
  paths: readonly Path[] | undefined;
  select: Select;
  limit: number | undefined;
  after: Item | undefined;
  consistent: boolean;
}

function indexOf(table: TableDefinition, name: unknown): IndexDefinition | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string') throw constraint(name, 'indexName', 'Member must be a string');
  const ix = table.indexes.find((i) => i.name === name);
  if (!ix) throw validationError(`The table does not have the specified index: ${name}`);
  return ix;
}

function limitOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw constraint(value, 'limit', 'Member must have value greater than or equal to 1');
  return value;
}

function selectOf(input: Obj, index: IndexDefinition | undefined, hasProjection: boolean): Select {
  const s = input.Select ?? (hasProjection ? 'SPECIFIC_ATTRIBUTES' : undefined);
  if (s === undefined) return index ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
  if (
    s !== 'ALL_ATTRIBUTES' &&
    s !== 'ALL_PROJECTED_ATTRIBUTES' &&
    s !== 'SPECIFIC_ATTRIBUTES' &&
    s !== 'COUNT'
  )
    throw constraint(
      s,
      'select',
      'Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]',
    );
  if (hasProjection && s !== 'SPECIFIC_ATTRIBUTES')
    throw validationError(
      `Cannot specify the ProjectionExpression when choosing to get ${s === 'COUNT' ? 'COUNT' : s}`,
    );
  if (s === 'SPECIFIC_ATTRIBUTES' && !hasProjection)
    throw validationError('SPECIFIC_ATTRIBUTES requires a ProjectionExpression');
  if (s === 'ALL_PROJECTED_ATTRIBUTES' && !index)
    throw validationError('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  // A local index fetches what it lacks from the table; a global one cannot.
  if (s === 'ALL_ATTRIBUTES' && index?.kind === 'global' && index.projection.type !== 'ALL')
    throw validationError(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`,
    );
  return s;
}

/** The attributes of an item the index holds: its projection. */
function inIndex(table: TableDefinition, index: IndexDefinition, item: Item): Item {
  if (index.projection.type === 'ALL') return item;
  const out: Item = {};
  const names = [table.key.hash.name, index.key.hash.name];
  if (table.key.range) names.push(table.key.range.name);
  if (index.key.range) names.push(index.key.range.name);
  if (index.projection.nonKeyAttributes) names.push(...index.projection.nonKeyAttributes);
  for (const n of names) if (item[n] !== undefined) out[n] = item[n]!;
  return out;
}

function keyNames(table: TableDefinition, index: IndexDefinition | undefined): string[] {
  const names = [table.key.hash.name];
  if (table.key.range) names.push(table.key.range.name);
  if (index) {
    names.push(index.key.hash.name);
    if (index.key.range) names.push(index.key.range.name);
  }
  return [...new Set(names)];
}

/** LastEvaluatedKey: the table key, plus the index key when reading an index. */
function positionOf(table: TableDefinition, index: IndexDefinition | undefined, item: Item): Item {
  const out: Item = {};
  for (const n of keyNames(table, index)) if (item[n] !== undefined) out[n] = item[n]!;
  return out;
}

function startKeyOf(
  value: unknown,
  table: TableDefinition,
  index: IndexDefinition | undefined,
  kind: 'query' | 'scan',
): Item | undefined {
  if (value === undefined) return undefined;
  if (!isObj(value)) throw constraint(value, 'exclusiveStartKey', 'Member must be a map');
  const key = validateItem(value);
  const schemas: KeySchema[] = index ? [table.key, index.key] : [table.key];
  // Exactly the key attributes, as LastEvaluatedKey holds them (AWS words it by operation).
  if (Object.keys(key).length !== keyNames(table, index).length)
    throw validationError(
      kind === 'query' || index
        ? 'The provided starting key is invalid'
        : 'The provided starting key is invalid: The provided key element does not match the schema',
    );
  for (const s of schemas)
    for (const attr of s.range ? [s.hash, s.range] : [s.hash]) {
      const v = key[attr.name];
      if (v === undefined || typeTag(v) !== attr.type)
        throw validationError(
          'The provided starting key is invalid: The provided key element does not match the schema',
        );
    }
  return key;
}

async function readPages(
  plan: ReadPlan,
  fetch: (after: Item | undefined, limit: number) => Promise<Item[]>,
): Promise<Obj> {
  const { table, index, filter, paths, select, limit } = plan;
  const items: Item[] = [];
  let count = 0;
  let scanned = 0;
  let bytes = 0;
  let after = plan.after;
  let last: Item | undefined;
  let more = false;
  outer: for (;;) {
    const want = limit === undefined ? CHUNK : Math.min(CHUNK, limit - scanned);
    const chunk = await fetch(after, want);
    for (const stored of chunk) {
      const projected = index ? inIndex(table, index, stored) : stored;
      // A local index reads attributes it does not hold from the table, for the filter, the
      // projection and ALL_ATTRIBUTES; a global index has only what it projects.
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.Projections
      const item = index?.kind === 'local' ? stored : projected;
      scanned++;
      bytes += itemSize(projected);
      last = stored;
      if (!filter || evaluateCondition(filter, item)) {
        count++;
        if (select !== 'COUNT')
          items.push(paths ? project(item, paths) : select === 'ALL_ATTRIBUTES' ? item : projected);
      }
      if ((limit !== undefined && scanned >= limit) || bytes >= PAGE_BYTES) {
        more = true;
        break outer;
      }
    }
    if (chunk.length < want) break;
    after = last;
  }
  return {
    ...(select === 'COUNT' ? {} : { Items: items }),
    Count: count,
    ScannedCount: scanned,
    ...(more && last ? { LastEvaluatedKey: positionOf(table, index, last) } : {}),
    bytes,
  };
}

function commonPlan(
  kind: 'query' | 'scan',
  input: Obj,
  table: TableDefinition,
  index: IndexDefinition | undefined,
  filter: Condition | undefined,
  paths: readonly Path[] | undefined,
): ReadPlan {
  const consistent = input.ConsistentRead === true;
  if (consistent && index?.kind === 'global')
    throw validationError('Consistent reads are not supported on global secondary indexes');
  return {
    table,
    index,
    filter,
    paths,
    select: selectOf(input, index, paths !== undefined),
    limit: limitOf(input.Limit),
    after: startKeyOf(input.ExclusiveStartKey, table, index, kind),
    consistent,
  };
}

function finish(input: Obj, plan: ReadPlan, page: Obj): Obj {
  const { bytes, ...out } = page as Obj & { bytes: number };
  const c = consumed(
    capacityModeOf(input.ReturnConsumedCapacity),
    plan.table.name,
    readUnits(bytes, plan.consistent),
    'read',
  );
  return c ? { ...out, ConsumedCapacity: c } : out;
}

/**
 * A Query's FilterExpression may not name the key attributes of the table or index queried:
 * those belong in the KeyConditionExpression.
 */
function filterOnKeys(filter: Condition, schema: KeySchema): void {
  const names = attributeNames(filter);
  for (const attr of schema.range ? [schema.hash, schema.range] : [schema.hash])
    if (names.has(attr.name))
      throw validationError(
        `Filter Expression can only contain non-primary key attributes: Primary key attribute: ${attr.name}`,
      );
}

/** Whether a sort key value satisfies the query's sort key condition. */
function rangeMatches(cond: RangeCondition, v: AttributeValue): boolean {
  if (cond.op === 'between') {
    const low = compareValues(v, cond.low);
    const high = compareValues(v, cond.high);
    return low !== undefined && high !== undefined && low >= 0 && high <= 0;
  }
  if (cond.op === 'begins_with') {
    if ('S' in v && 'S' in cond.value) return v.S.startsWith(cond.value.S);
    if (!('B' in v) || !('B' in cond.value)) return false;
    const whole = Buffer.from(v.B, 'base64');
    const prefix = Buffer.from(cond.value.B, 'base64');
    return whole.subarray(0, prefix.length).equals(prefix) && prefix.length <= whole.length;
  }
  const order = compareValues(v, cond.value);
  if (order === undefined) return false;
  const ops = { '=': order === 0, '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 };
  return ops[cond.op];
}

/**
 * An ExclusiveStartKey must lie within what the query asks for: the same partition, and a sort
 * key the sort key condition admits. AWS's messages, as dynalite recorded them.
 */
function checkStartWithin(start: Item, schema: KeySchema, cond: KeyCondition): void {
  const samePartition = valuesEqual(start[schema.hash.name]!, cond.hash);
  if (!schema.range || !cond.range) {
    if (!samePartition)
      throw validationError(
        'The provided starting key is outside query boundaries based on provided conditions',
      );
    return;
  }
  if (!rangeMatches(cond.range, start[schema.range.name]!))
    throw validationError('The provided starting key does not match the range key predicate');
  if (!samePartition) throw validationError('The query can return at most one row and cannot be restarted');
}

export async function query(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  const index = indexOf(table, input.IndexName);
  const ctx = contextOf(input, ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression']);
  const keyText = expressionOf(input, 'KeyConditionExpression');
  if (keyText === undefined)
    throw validationError(
      'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
    );
  const keyCond = parseKeyCondition(keyText, ctx, index?.key ?? table.key);
  const filterText = expressionOf(input, 'FilterExpression');
  const filter = filterText === undefined ? undefined : parseCondition(filterText, ctx, 'FilterExpression');
  const projText = expressionOf(input, 'ProjectionExpression');
  const paths = projText === undefined ? undefined : parseProjection(projText, ctx);
  ctx.checkUnused();
  const schema = index?.key ?? table.key;
  if (filter) filterOnKeys(filter, schema);
  const plan = commonPlan('query', input, table, index, filter, paths);
  if (plan.after) checkStartWithin(plan.after, schema, keyCond);
  if (input.ScanIndexForward !== undefined && typeof input.ScanIndexForward !== 'boolean')
    throw constraint(input.ScanIndexForward, 'scanIndexForward', 'Member must be a boolean');
  const forward = input.ScanIndexForward !== false;
  const page = await readPages(plan, (after, limit) => {
    const req: QueryRequest = {
      ...(index ? { index: index.name } : {}),
      hash: keyCond.hash,
      ...(keyCond.range ? { range: keyCond.range } : {}),
      forward,
      ...(after ? { after } : {}),
      limit,
    };
    return tc.backend.query(table, req);
  });
  return finish(input, plan, page);
}

export async function scan(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  const index = indexOf(table, input.IndexName);
  const ctx = contextOf(input, ['ProjectionExpression', 'FilterExpression']);
  const filterText = expressionOf(input, 'FilterExpression');
  const filter = filterText === undefined ? undefined : parseCondition(filterText, ctx, 'FilterExpression');
  const projText = expressionOf(input, 'ProjectionExpression');
  const paths = projText === undefined ? undefined : parseProjection(projText, ctx);
  ctx.checkUnused();
  const { segment, total } = segmentsOf(input);
  const plan = commonPlan('scan', input, table, index, filter, paths);
  const page = await readPages(plan, (after, limit) => {
    const req: ScanRequest = {
      ...(index ? { index: index.name } : {}),
      segment,
      totalSegments: total,
      ...(after ? { after } : {}),
      limit,
    };
    return tc.backend.scan(table, req);
  });
  return finish(input, plan, page);
}

function segmentsOf(input: Obj): { segment: number; total: number } {
  const { Segment: s, TotalSegments: t } = input;
  if (s === undefined && t === undefined) return { segment: 0, total: 1 };
  if (t === undefined)
    throw validationError(
      'The TotalSegments parameter is required but was not present in the request when Segment parameter is present',
    );
  if (s === undefined)
    throw validationError(
      'The Segment parameter is required but was not present in the request when parameter TotalSegments is present',
    );
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 1_000_000)
    throw constraint(t, 'totalSegments', 'Member must have value less than or equal to 1000000');
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0)
    throw constraint(s, 'segment', 'Member must have value greater than or equal to 0');
  if (s >= t)
    throw validationError(
      `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${s} is not less than TotalSegments: ${t}`,
    );
  return { segment: s, total: t };
}
