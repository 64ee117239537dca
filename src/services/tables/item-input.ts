/**
 * Checks of item operations' input that DynamoDB makes before any expression: table names, keys
 * against the key schema, whole items (key types, index key types, size), and ReturnValues.
 */

import { checkTableName, constraint } from './constraints.ts';
import { TableError, validationError } from './errors.ts';
import type { AttributeValue, IndexDefinition, Item, KeyAttribute, TableDefinition } from './types.ts';
import { base64Length, itemSize, MAX_ITEM_SIZE, utf8Length, validateItem } from './values.ts';

type Obj = Record<string, unknown>;

const invalid = (m: string) => validationError(`One or more parameter values were invalid: ${m}`);

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The type tag of a value (its one key). */
export function typeTag(v: AttributeValue): string {
  for (const k in v) return k;
  return '';
}

/** The largest partition key and sort key values, in bytes (UTF-8 for S, raw for B). */
const MAX_HASH_KEY_BYTES = 2048;
const MAX_RANGE_KEY_BYTES = 1024;

function checkKeyValue(
  attr: KeyAttribute,
  value: AttributeValue,
  where: 'key' | 'item',
  part: 'hash' | 'range',
): void {
  const tag = typeTag(value);
  if (tag !== attr.type) {
    throw where === 'key'
      ? validationError('The provided key element does not match the schema')
      : invalid(`Type mismatch for key ${attr.name} expected: ${attr.type} actual: ${tag}`);
  }
  if (tag === 'N') return;
  const raw = (value as Record<string, string>)[tag]!;
  if (raw.length === 0)
    throw validationError(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${attr.type === 'B' ? 'binary' : 'string'} value. Key: ${attr.name}`,
    );
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
  // The messages (and the missing space in "of2048") are AWS's own.
  const bytes = tag === 'B' ? base64Length(raw) : utf8Length(raw);
  if (part === 'hash' && bytes > MAX_HASH_KEY_BYTES)
    throw invalid(`Size of hashkey has exceeded the maximum size limit of${MAX_HASH_KEY_BYTES} bytes`);
  if (part === 'range' && bytes > MAX_RANGE_KEY_BYTES)
    throw invalid(
      `Aggregated size of all range keys has exceeded the size limit of ${MAX_RANGE_KEY_BYTES} bytes`,
    );
}

/** A `Key` parameter: exactly the table's key attributes, each of its declared type. */
export function checkKey(table: TableDefinition, value: unknown, path = 'key'): Item {
  if (!isObj(value)) throw constraint(value, path, 'Member must not be null');
  const key = validateItem(value);
  const { hash, range } = table.key;
  let n = 0;
  for (const _ in key) n++;
  const h = key[hash.name];
  const r = range ? key[range.name] : undefined;
  if (n !== (range ? 2 : 1) || h === undefined || (range && r === undefined))
    throw validationError('The provided key element does not match the schema');
  checkKeyValue(hash, h, 'key', 'hash');
  if (range && r) checkKeyValue(range, r, 'key', 'range');
  return key;
}

/** An `Item` parameter: the key present and typed, index keys typed, within 400 KB. */
export function checkItem(table: TableDefinition, value: unknown, path = 'item'): Item {
  if (!isObj(value)) throw constraint(value, path, 'Member must not be null');
  const item = validateItem(value);
  checkItemKeys(table, item);
  checkItemSize(item);
  return item;
}

/** Key and index-key attributes of a whole item (also of the result of an update). */
export function checkItemKeys(table: TableDefinition, item: Item): void {
  const { hash, range } = table.key;
  const h = item[hash.name];
  if (h === undefined) throw invalid(`Missing the key ${hash.name} in the item`);
  checkKeyValue(hash, h, 'item', 'hash');
  if (range) {
    const r = item[range.name];
    if (r === undefined) throw invalid(`Missing the key ${range.name} in the item`);
    checkKeyValue(range, r, 'item', 'range');
  }
  // AWS names the first index in name order when several share the offending attribute.
  for (const ix of byName(table.indexes)) {
    for (const attr of ix.key.range ? [ix.key.hash, ix.key.range] : [ix.key.hash]) {
      const v = item[attr.name];
      if (v === undefined) continue;
      const tag = typeTag(v);
      if (tag !== attr.type)
        throw invalid(
          `Type mismatch for Index Key ${attr.name} Expected: ${attr.type} Actual: ${tag} IndexName: ${ix.name}`,
        );
      if ((v as Record<string, string>)[tag] === '')
        throw validationError(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${tag === 'B' ? 'binary' : 'string'} value. IndexName: ${ix.name}, IndexKey: ${attr.name}`,
        );
    }
  }
}

const byName = (indexes: readonly IndexDefinition[]) =>
  indexes.length < 2
    ? indexes
    : [...indexes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The 400 KB limit; an update's result gets its own message ("Item size to update …"). */
export function checkItemSize(item: Item, update = false): void {
  if (itemSize(item) > MAX_ITEM_SIZE)
    throw validationError(`Item size ${update ? 'to update ' : ''}has exceeded the maximum allowed size`);
}

export function tableNameOf(input: Obj, path = 'tableName'): string {
  return checkTableName(input.TableName, path);
}

export type ReturnValues = 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';

/** ReturnValues as the operation allows it. */
export function returnValuesOf(value: unknown, allowed: readonly ReturnValues[]): ReturnValues {
  if (value === undefined) return 'NONE';
  if (
    typeof value !== 'string' ||
    !['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'].includes(value)
  )
    throw constraint(
      value,
      'returnValues',
      'Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]',
    );
  if (!allowed.includes(value as ReturnValues))
    throw validationError(
      `ReturnValues can only be ${allowed.filter((v) => v !== 'NONE').join(' or ')} or NONE`,
    );
  return value as ReturnValues;
}

export function returnOnFailureOf(value: unknown): boolean {
  if (value === undefined || value === 'NONE') return false;
  if (value === 'ALL_OLD') return true;
  throw constraint(
    value,
    'returnValuesOnConditionCheckFailure',
    'Member must satisfy enum value set: [ALL_OLD, NONE]',
  );
}

/** Parameters of the legacy API (before expressions) that Baton does not take. */
const LEGACY = [
  'Expected',
  'AttributeUpdates',
  'KeyConditions',
  'QueryFilter',
  'ScanFilter',
  'ConditionalOperator',
];

export function refuseLegacy(input: Obj): void {
  for (const p of LEGACY)
    if (input[p] !== undefined)
      throw new TableError(
        'ValidationException',
        `Baton does not support the legacy parameter ${p}: use the expression parameters instead`,
      );
}

/** An expression parameter: a non-empty string, or absent. */
export function expressionOf(input: Obj, name: string): string | undefined {
  const v = input[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw constraint(v, name, 'Member must be a string');
  if (v.length === 0) throw validationError(`Invalid ${name}: The expression can not be empty;`);
  return v;
}

/**
 * ExpressionAttributeNames or ExpressionAttributeValues given with none of the operation's
 * expressions that could use them. `expressions` are the operation's expression parameters, in
 * the order AWS names them; ProjectionExpression uses names only.
 */
export function checkExpressionParams(input: Obj, expressions: readonly string[]): void {
  const given = (name: string) => input[name] !== undefined && input[name] !== null;
  if (given('ExpressionAttributeNames') && !expressions.some(given))
    throw validationError('ExpressionAttributeNames can only be specified when using expressions');
  const valued = expressions.filter((e) => e !== 'ProjectionExpression');
  if (valued.length > 0 && given('ExpressionAttributeValues') && !valued.some(given))
    throw validationError(
      `ExpressionAttributeValues can only be specified when using expressions: ${valued.join(' and ')} ${valued.length > 1 ? 'are' : 'is'} null`,
    );
}
