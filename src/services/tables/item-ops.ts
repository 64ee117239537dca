/**
 * PutItem, GetItem, UpdateItem and DeleteItem: input checks, expressions, and one backend
 * mutation whose pure `decide` step evaluates the condition against the stored item.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import type { Decision } from './backend.ts';
import { type CapacityMode, capacityModeOf, consumed, readUnits, writeUnits } from './capacity.ts';
import type { TableContext } from './context.ts';
import { TableError } from './errors.ts';
import {
  applyUpdate,
  type Condition,
  ExpressionContext,
  evaluateCondition,
  parseCondition,
  parseProjection,
  parseUpdate,
  project,
  updatedAttributes,
} from './expressions/index.ts';
import {
  checkExpressionParams,
  checkItem,
  checkItemKeys,
  checkItemSize,
  checkKey,
  expressionOf,
  refuseLegacy,
  returnOnFailureOf,
  returnValuesOf,
  tableNameOf,
} from './item-input.ts';
import { keyAttributes } from './keys.ts';
import type { Item, TableDefinition } from './types.ts';
import { itemSize } from './values.ts';

type Obj = Record<string, unknown>;

/** Each operation's expression parameters, in the order AWS lists them in its messages. */
const CONDITION = ['ConditionExpression'];
const UPDATE = ['UpdateExpression', 'ConditionExpression'];
const PROJECTION = ['ProjectionExpression'];

/** Why a decision cancelled: a failed condition (with the item as it was), or an error. */
export type CancelReason = { failed: true; item: Item | undefined; returnItem: boolean } | { error: unknown };

export function conditionFailed(item: Item | undefined, returnItem: boolean): TableError {
  return new TableError(
    'ConditionalCheckFailedException',
    'The conditional request failed',
    returnItem && item ? { item } : {},
  );
}

/** Runs `fn`; an exception becomes a cancel decision, so the backend writes nothing. */
export function guarded(fn: () => Decision): Decision {
  try {
    return fn();
  } catch (error) {
    return { cancel: { error } satisfies CancelReason };
  }
}

/** Rethrows what a single-item mutation's cancel carried. */
function rethrow(reason: unknown): never {
  const r = reason as CancelReason;
  if ('error' in r) throw r.error;
  throw conditionFailed(r.item, r.returnItem);
}

/** ExpressionAttributeNames/Values of a request, and its ConditionExpression. */
function conditionOf(input: Obj, ctx: ExpressionContext): Condition | undefined {
  const text = expressionOf(input, 'ConditionExpression');
  return text === undefined ? undefined : parseCondition(text, ctx);
}

/**
 * The request's ExpressionAttributeNames/Values, refused when none of `expressions` (the
 * operation's expression parameters) is there to use them.
 */
export function contextOf(input: Obj, expressions: readonly string[]): ExpressionContext {
  checkExpressionParams(input, expressions);
  return ExpressionContext.create(
    input.ExpressionAttributeNames as Record<string, string> | undefined,
    input.ExpressionAttributeValues as Record<string, unknown> | undefined,
  );
}

/** ConsumedCapacity when the caller asked for it; `units` (which walks items) runs only then. */
function capacity(mode: CapacityMode, table: TableDefinition, units: () => number, kind: 'read' | 'write') {
  if (mode === 'NONE') return {};
  const c = consumed(mode, table.name, units(), kind);
  return c ? { ConsumedCapacity: c } : {};
}

const writeSize = (a: Item | undefined, b: Item | undefined) =>
  Math.max(a ? itemSize(a) : 0, b ? itemSize(b) : 0);

/**
 * PutItem and DeleteItem: one conditional write of `item` (a put) or of nothing (a delete) at
 * `key`, answering ALL_OLD and the write's capacity.
 */
async function writeOne(
  tc: TableContext,
  input: Obj,
  table: TableDefinition,
  key: Item,
  item: Item | undefined,
): Promise<Obj> {
  const returnValues = returnValuesOf(input.ReturnValues, ['NONE', 'ALL_OLD']);
  const returnItem = returnOnFailureOf(input.ReturnValuesOnConditionCheckFailure);
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const ctx = contextOf(input, CONDITION);
  const cond = conditionOf(input, ctx);
  ctx.checkUnused();
  const write: Decision = item ? { put: item } : { delete: true };
  const result = await tc.backend.mutate(
    [
      {
        table,
        key,
        decide: (current) =>
          cond && !evaluateCondition(cond, current)
            ? { cancel: { failed: true, item: current, returnItem } satisfies CancelReason }
            : write,
      },
    ],
    tc.now(),
  );
  if (!result.ok) rethrow((result.outcomes[0]!.decision as { cancel: unknown }).cancel);
  tc.written(table);
  const old = result.changes[0]!.old;
  return {
    ...(returnValues === 'ALL_OLD' && old ? { Attributes: old } : {}),
    ...capacity(mode, table, () => writeUnits(writeSize(old, item)), 'write'),
  };
}

export async function putItem(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  const item = checkItem(table, input.Item);
  return writeOne(tc, input, table, keyAttributes(table.key, item), item);
}

export async function getItem(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  const key = checkKey(table, input.Key);
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const projection = projectionOf(input);
  const item = await tc.backend.getItem(table, key);
  const consistent = input.ConsistentRead === true;
  return {
    ...(item ? { Item: projection ? project(item, projection) : item } : {}),
    ...capacity(mode, table, () => readUnits(item ? itemSize(item) : 0, consistent), 'read'),
  };
}

/** ProjectionExpression (or the legacy AttributesToGet, a list of top-level names). */
export function projectionOf(input: Obj): readonly (readonly (string | number)[])[] | undefined {
  const ctx = contextOf(input, PROJECTION);
  const text = expressionOf(input, 'ProjectionExpression');
  const atg = input.AttributesToGet;
  if (text !== undefined && atg !== undefined)
    throw new TableError(
      'ValidationException',
      'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}',
    );
  const paths = text === undefined ? undefined : parseProjection(text, ctx);
  ctx.checkUnused();
  if (Array.isArray(atg)) return atg.filter((n): n is string => typeof n === 'string').map((n) => [n]);
  return paths;
}

export async function deleteItem(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  return writeOne(tc, input, table, checkKey(table, input.Key), undefined);
}

export async function updateItem(tc: TableContext, input: Obj): Promise<Obj> {
  refuseLegacy(input);
  const table = await tc.table(tableNameOf(input));
  const key = checkKey(table, input.Key);
  const returnValues = returnValuesOf(input.ReturnValues, [
    'NONE',
    'ALL_OLD',
    'UPDATED_OLD',
    'ALL_NEW',
    'UPDATED_NEW',
  ]);
  const returnItem = returnOnFailureOf(input.ReturnValuesOnConditionCheckFailure);
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const ctx = contextOf(input, UPDATE);
  const text = expressionOf(input, 'UpdateExpression');
  const update = text === undefined ? undefined : parseUpdate(text, ctx);
  const cond = conditionOf(input, ctx);
  ctx.checkUnused();
  let paths: readonly (readonly (string | number)[])[] = [];
  const result = await tc.backend.mutate(
    [
      {
        table,
        key,
        decide: (current) =>
          guarded(() => {
            if (cond && !evaluateCondition(cond, current))
              return { cancel: { failed: true, item: current, returnItem } satisfies CancelReason };
            const base = current ?? key;
            if (!update) return current ? { keep: true } : { put: key };
            const applied = applyUpdate(update, base, table.key);
            paths = applied.paths;
            checkItemKeys(table, applied.item);
            checkItemSize(applied.item, true);
            return { put: applied.item };
          }),
      },
    ],
    tc.now(),
  );
  if (!result.ok) rethrow((result.outcomes[0]!.decision as { cancel: unknown }).cancel);
  tc.written(table);
  const { old, new: after } = result.changes[0]!;
  const attributes =
    returnValues === 'ALL_OLD'
      ? old
      : returnValues === 'ALL_NEW'
        ? after
        : returnValues === 'UPDATED_OLD'
          ? updatedAttributes(old, paths)
          : returnValues === 'UPDATED_NEW'
            ? updatedAttributes(after, paths)
            : undefined;
  return {
    ...(attributes ? { Attributes: attributes } : {}),
    ...capacity(mode, table, () => writeUnits(writeSize(old, after)), 'write'),
  };
}
