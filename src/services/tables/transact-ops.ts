/**
 * TransactWriteItems and TransactGetItems. A write transaction is one backend mutation: every
 * condition is checked against the stored items, and either all writes happen or none does.
 * ClientRequestToken makes a write transaction idempotent for 10 minutes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
import { createHash } from 'node:crypto';
import type { Decision, Mutation } from './backend.ts';
import { keyId } from './batch-ops.ts';
import { capacityModeOf, consumed, readUnits, writeUnits } from './capacity.ts';
import { constraint } from './constraints.ts';
import type { TableContext } from './context.ts';
import { type CancellationReason, TableError, validationError } from './errors.ts';
import {
  applyUpdate,
  type Condition,
  evaluateCondition,
  parseCondition,
  parseUpdate,
  project,
} from './expressions/index.ts';
import {
  checkItem,
  checkItemKeys,
  checkItemSize,
  checkKey,
  expressionOf,
  isObj,
  returnOnFailureOf,
  tableNameOf,
} from './item-input.ts';
import { type CancelReason, contextOf, guarded, projectionOf } from './item-ops.ts';
import { keyAttributes } from './keys.ts';
import type { Item, TableDefinition } from './types.ts';
import { itemSize } from './values.ts';

type Obj = Record<string, unknown>;

const MAX_ITEMS = 100;
/** How long a ClientRequestToken is remembered. */
export const TOKEN_TTL_MS = 10 * 60_000;

/** Remembered ClientRequestTokens: the request's hash and its answer, until they expire. */
export class TokenLedger {
  readonly #tokens = new Map<string, { hash: string; answer: Obj; expires: number }>();

  lookup(token: string, hash: string, now: number): Obj | undefined {
    for (const [t, e] of this.#tokens) {
      if (e.expires > now) break;
      this.#tokens.delete(t);
    }
    const e = this.#tokens.get(token);
    if (!e || e.expires <= now) return undefined;
    if (e.hash !== hash)
      throw new TableError(
        'IdempotentParameterMismatchException',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    return e.answer;
  }

  remember(token: string, hash: string, answer: Obj, now: number): void {
    this.#tokens.set(token, { hash, answer, expires: now + TOKEN_TTL_MS });
  }
}

const CODES: Record<string, string> = {
  ConditionalCheckFailedException: 'ConditionalCheckFailed',
  ValidationException: 'ValidationError',
};

function itemsOf(input: Obj): Obj[] {
  const items = input.TransactItems;
  if (!Array.isArray(items)) throw constraint(items, 'transactItems', 'Member must not be null');
  if (items.length === 0 || items.length > MAX_ITEMS)
    throw constraint(
      '[...]',
      'transactItems',
      `Member must have length ${items.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ITEMS}`}`,
    );
  return items.map((i) => (isObj(i) ? i : {}));
}

function tokenOf(input: Obj): string | undefined {
  const t = input.ClientRequestToken;
  if (t === undefined) return undefined;
  if (typeof t !== 'string' || t.length < 1 || t.length > 36)
    throw constraint(t, 'clientRequestToken', 'Member must have length less than or equal to 36');
  return t;
}

interface Planned {
  mutation: Mutation;
  returnItem: boolean;
}

function plan(table: TableDefinition, kind: string, op: Obj): Planned {
  const ctx = contextOf(
    op,
    kind === 'Update' ? ['UpdateExpression', 'ConditionExpression'] : ['ConditionExpression'],
  );
  const condText = expressionOf(op, 'ConditionExpression');
  const returnItem = returnOnFailureOf(op.ReturnValuesOnConditionCheckFailure);
  let key: Item;
  let write: (current: Item | undefined) => Decision;
  let cond: Condition | undefined;
  if (kind === 'Put') {
    const item = checkItem(table, op.Item);
    key = keyAttributes(table.key, item);
    cond = condText === undefined ? undefined : parseCondition(condText, ctx);
    write = () => ({ put: item });
  } else if (kind === 'Update') {
    key = checkKey(table, op.Key);
    const text = expressionOf(op, 'UpdateExpression');
    if (text === undefined)
      throw validationError('UpdateExpression must be specified in a transactional Update');
    const update = parseUpdate(text, ctx);
    cond = condText === undefined ? undefined : parseCondition(condText, ctx);
    write = (current) => {
      const applied = applyUpdate(update, current ?? key, table.key);
      checkItemKeys(table, applied.item);
      checkItemSize(applied.item, true);
      return { put: applied.item };
    };
  } else if (kind === 'Delete') {
    key = checkKey(table, op.Key);
    cond = condText === undefined ? undefined : parseCondition(condText, ctx);
    write = () => ({ delete: true });
  } else {
    key = checkKey(table, op.Key);
    if (condText === undefined)
      throw validationError('ConditionExpression must be specified in a transactional ConditionCheck');
    cond = parseCondition(condText, ctx);
    write = () => ({ keep: true });
  }
  ctx.checkUnused();
  return {
    returnItem,
    mutation: {
      table,
      key,
      decide: (current) =>
        guarded(() =>
          cond && !evaluateCondition(cond, current)
            ? { cancel: { failed: true, item: current, returnItem } satisfies CancelReason }
            : write(current),
        ),
    },
  };
}

function cancellation(outcomes: { decision: Decision }[]): TableError {
  const reasons: CancellationReason[] = outcomes.map(({ decision }) => {
    if (!('cancel' in decision)) return { Code: 'None' };
    const r = decision.cancel as CancelReason;
    if ('failed' in r)
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(r.returnItem && r.item ? { Item: r.item } : {}),
      };
    const e = r.error;
    if (e instanceof TableError) return { Code: CODES[e.code] ?? e.code, Message: e.message };
    throw e;
  });
  return new TableError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    { reasons },
  );
}

export async function transactWriteItems(tc: TableContext, input: Obj, tokens: TokenLedger): Promise<Obj> {
  const items = itemsOf(input);
  const token = tokenOf(input);
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const hash = token === undefined ? '' : createHash('sha256').update(JSON.stringify(items)).digest('hex');
  if (token !== undefined) {
    const previous = tokens.lookup(token, hash, tc.now());
    if (previous) return previous;
  }
  const planned: Planned[] = [];
  const seen = new Set<string>();
  const tables = new Map<string, TableDefinition>();
  for (const item of items) {
    const kinds = ['ConditionCheck', 'Put', 'Delete', 'Update'].filter((k) => isObj(item[k]));
    if (kinds.length !== 1)
      throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    const op = item[kinds[0]!] as Obj;
    const table = await tc.table(tableNameOf(op));
    tables.set(table.name, table);
    const p = plan(table, kinds[0]!, op);
    const id = keyId(table, p.mutation.key);
    if (seen.has(id))
      throw validationError('Transaction request cannot include multiple operations on one item');
    seen.add(id);
    planned.push(p);
  }
  const result = await tc.backend.mutate(
    planned.map((p) => p.mutation),
    tc.now(),
  );
  if (!result.ok) throw cancellation(result.outcomes);
  for (const t of tables.values()) tc.written(t);
  const units = new Map<string, number>();
  result.changes.forEach((c, i) => {
    const name = planned[i]!.mutation.table.name;
    const size = Math.max(c.old ? itemSize(c.old) : 0, c.new ? itemSize(c.new) : 0);
    units.set(name, (units.get(name) ?? 0) + writeUnits(size, true));
  });
  const capacity = [...units].map(([n, u]) => consumed(mode, n, u, 'write')).filter((c) => c !== undefined);
  const answer: Obj = capacity.length > 0 ? { ConsumedCapacity: capacity } : {};
  if (token !== undefined) tokens.remember(token, hash, answer, tc.now());
  return answer;
}

export async function transactGetItems(tc: TableContext, input: Obj): Promise<Obj> {
  const items = itemsOf(input);
  const mode = capacityModeOf(input.ReturnConsumedCapacity);
  const gets: { table: TableDefinition; key: Item; paths: ReturnType<typeof projectionOf> }[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const op = item.Get;
    if (!isObj(op)) throw validationError('TransactGetItems can only contain Get operations');
    const table = await tc.table(tableNameOf(op));
    const key = checkKey(table, op.Key);
    const id = keyId(table, key);
    if (seen.has(id))
      throw validationError('Transaction request cannot include multiple operations on one item');
    seen.add(id);
    gets.push({ table, key, paths: projectionOf(op) });
  }
  const units = new Map<string, number>();
  const responses: Obj[] = [];
  for (const g of gets) {
    const item = await tc.backend.getItem(g.table, g.key);
    units.set(
      g.table.name,
      (units.get(g.table.name) ?? 0) + readUnits(item ? itemSize(item) : 0, true, true),
    );
    responses.push(item ? { Item: g.paths ? project(item, g.paths) : item } : {});
  }
  const capacity = [...units].map(([n, u]) => consumed(mode, n, u, 'read')).filter((c) => c !== undefined);
  return { Responses: responses, ...(capacity.length > 0 ? { ConsumedCapacity: capacity } : {}) };
}
