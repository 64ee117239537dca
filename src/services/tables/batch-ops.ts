/**
 * BatchGetItem and BatchWriteItem. A batch write is stored in one backend transaction, so
 * UnprocessedItems is always empty; a batch get answers up to 16 MB and hands the rest back as
 * UnprocessedKeys. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import type { Mutation } from './backend.ts';
import { capacityModeOf, consumed, readUnits, writeUnits } from './capacity.ts';
import { checkTableName, constraint } from './constraints.ts';
import type { TableContext } from './context.ts';
import { isTableError, validationError } from './errors.ts';
import { project } from './expressions/index.ts';
import { checkItem, checkKey, isObj } from './item-input.ts';
import { projectionOf } from './item-ops.ts';
import { encodeKeyValue, keyAttributes } from './keys.ts';
import type { Item, TableDefinition } from './types.ts';
import { itemSize } from './values.ts';

type Obj = Record<string, unknown>;

const MAX_GET = 100;
const MAX_WRITE = 25;
/** BatchGetItem answers at most this much; the rest is UnprocessedKeys. */
const GET_BYTES = 16 * 1024 * 1024;

/** A key's identity within one table, for duplicate checks. */
export function keyId(table: TableDefinition, key: Item): string {
  const { hash, range } = table.key;
  const pk = encodeKeyValue(hash.type, key[hash.name])?.toString('hex') ?? '';
  const sk = range ? (encodeKeyValue(range.type, key[range.name])?.toString('hex') ?? '') : '';
  return `${table.name}\u0000${pk}\u0000${sk}`;
}

function requestItems(input: Obj, operation: 'BatchGetItem' | 'BatchWriteItem'): [string, unknown][] {
  const ri = input.RequestItems;
  if (ri === undefined || ri === null || (isObj(ri) && Object.keys(ri).length === 0))
    throw validationError(`The requestItems parameter is required for ${operation}`);
  if (!isObj(ri)) throw constraint(ri, 'requestItems', 'Member must not be null');
  const entries = Object.entries(ri);
  for (const [name] of entries) checkTableName(name, 'requestItems.key');
  return entries;
}

/** A table's write requests as AWS's validator echoes the map: `{name=[…]}`. */
const echoWrites = (name: string, writes: unknown[]) =>
  `{${name}=[${writes.map((w) => JSON.stringify(w)).join(', ')}]}`;

/** BatchWriteItem reports a put's key problems as a key mismatch, as for a DeleteRequest. */
function checkPut(table: TableDefinition, item: unknown): Item {
  try {
    return checkItem(table, item);
  } catch (e) {
    if (isTableError(e) && /Missing the key|Type mismatch for key /.test(e.message))
      throw validationError('The provided key element does not match the schema');
    throw e;
  }
}

export async function batchGetItem(tc: TableContext, input: Obj): Promise<Obj> {
  const entries = requestItems(input, 'BatchGetItem');
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const plans: {
    table: TableDefinition;
    keys: Item[];
    request: Obj;
    paths: ReturnType<typeof projectionOf>;
  }[] = [];
  let total = 0;
  for (const [name, request] of entries) {
    if (!isObj(request) || !Array.isArray(request.Keys) || request.Keys.length === 0)
      throw constraint(
        request,
        `requestItems.${name}.member.keys`,
        'Member must have length greater than or equal to 1',
      );
    if (request.Keys.length > MAX_GET)
      throw validationError(
        `1 validation error detected: Value at 'RequestItems.${name}.member.Keys' failed to satisfy constraint: Member must have length less than or equal to ${MAX_GET}`,
      );
    const table = await tc.table(name);
    const seen = new Set<string>();
    const keys = request.Keys.map((k) => {
      const key = checkKey(table, k);
      const id = keyId(table, key);
      if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
      seen.add(id);
      return key;
    });
    total += keys.length;
    plans.push({ table, keys, request, paths: projectionOf(request) });
  }
  if (total > MAX_GET) throw validationError(`Too many items requested for the BatchGetItem call`);
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, Obj> = {};
  const capacity: Obj[] = [];
  let bytes = 0;
  for (const { table, keys, request, paths } of plans) {
    const got: Item[] = [];
    const left: Item[] = [];
    let read = 0;
    for (const key of keys) {
      if (bytes >= GET_BYTES) {
        left.push(key);
        continue;
      }
      const item = await tc.backend.getItem(table, key);
      if (!item) continue;
      const size = itemSize(item);
      bytes += size;
      read += readUnits(size, request.ConsistentRead === true);
      got.push(paths ? project(item, paths) : item);
    }
    responses[table.name] = got;
    if (left.length > 0) unprocessed[table.name] = { ...request, Keys: left };
    const c = consumed(mode, table.name, read, 'read');
    if (c) capacity.push(c);
  }
  return {
    Responses: responses,
    UnprocessedKeys: unprocessed,
    ...(capacity.length > 0 ? { ConsumedCapacity: capacity } : {}),
  };
}

export async function batchWriteItem(tc: TableContext, input: Obj): Promise<Obj> {
  const entries = requestItems(input, 'BatchWriteItem');
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const mutations: Mutation[] = [];
  const seen = new Set<string>();
  const tables: TableDefinition[] = [];
  for (const [name, writes] of entries) {
    if (!Array.isArray(writes) || writes.length === 0)
      throw constraint(
        writes,
        `requestItems.${name}.member`,
        'Member must have length greater than or equal to 1',
      );
    if (writes.length > MAX_WRITE)
      throw constraint(
        echoWrites(name, writes),
        'requestItems',
        `Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_WRITE}, Member must have length greater than or equal to 1]`,
      );
    const table = await tc.table(name);
    tables.push(table);
    for (const w of writes) {
      if (!isObj(w))
        throw validationError(
          'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
        );
      const put = isObj(w.PutRequest) ? w.PutRequest : undefined;
      const del = isObj(w.DeleteRequest) ? w.DeleteRequest : undefined;
      if ((put === undefined) === (del === undefined))
        throw validationError(
          'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
        );
      const item = put ? checkPut(table, put.Item) : undefined;
      const key = item ? keyAttributes(table.key, item) : checkKey(table, del!.Key);
      const id = keyId(table, key);
      if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
      seen.add(id);
      mutations.push({ table, key, decide: () => (item ? { put: item } : { delete: true }) });
    }
  }
  // Each table's list is checked above; this is the limit across tables.
  if (mutations.length > MAX_WRITE)
    throw validationError('Too many items requested for the BatchWriteItem call');
  const result = await tc.backend.mutate(mutations, tc.now());
  if (!result.ok) throw new Error('a batch write cancelled without conditions');
  for (const t of tables) tc.written(t);
  const units = new Map<string, number>();
  result.changes.forEach((c, i) => {
    const name = mutations[i]!.table.name;
    const size = Math.max(c.old ? itemSize(c.old) : 0, c.new ? itemSize(c.new) : 0);
    units.set(name, (units.get(name) ?? 0) + writeUnits(size));
  });
  const capacity = [...units]
    .map(([name, u]) => consumed(mode, name, u, 'write'))
    .filter((c) => c !== undefined);
  return { UnprocessedItems: {}, ...(capacity.length > 0 ? { ConsumedCapacity: capacity } : {}) };
}
