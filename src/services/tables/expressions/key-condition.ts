/**
 * KeyConditionExpression: `=` on the partition key, and optionally one of `= < <= > >=`,
 * BETWEEN or begins_with on the sort key, joined by AND. Anything else is refused with
 * DynamoDB's messages.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 * Guarded by `test/services/tables/key-condition.test.ts`.
 */
import type { RangeCondition } from '../backend.ts';
import { validationError } from '../errors.ts';
import type { AttributeValue, KeySchema } from '../types.ts';
import { typeOf } from '../values.ts';
import type { Condition, Operand } from './ast.ts';
import { ConditionBinder } from './condition.ts';
import { ConditionRank, parseConditionSyntax } from './condition-syntax.ts';
import { Binder, type ExpressionContext } from './context.ts';
import { expressionError } from './parser.ts';

export interface KeyCondition {
  hash: AttributeValue;
  range?: RangeCondition;
}

/** A key condition's undefined values are reported in text order with its operand types. */
const RANKS = { name: ConditionRank.types, value: ConditionRank.types };
const FLIPPED = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

interface Clause {
  name: string;
  condition: RangeCondition;
}

function invalidOperator(op: string): never {
  throw validationError(`Invalid operator used in KeyConditionExpression: ${op}`);
}

function invalidCondition(why: string): never {
  throw validationError(`Invalid condition in KeyConditionExpression: ${why}`);
}

/** The attribute a clause names (a top-level path), refusing nested ones. */
function keyName(op: Operand): string | undefined {
  if (op.k === 'size') invalidOperator('size');
  if (op.k !== 'path') return undefined;
  if (op.path.length !== 1) {
    throw validationError('KeyConditionExpressions cannot have conditions on nested attributes');
  }
  return op.path[0] as string;
}

function operandValue(op: Operand): AttributeValue {
  if (op.k === 'value') return op.value;
  return invalidCondition('Multiple attribute names used in one condition');
}

function clause(cond: Condition): Clause {
  switch (cond.k) {
    case 'or':
      return invalidOperator('OR');
    case 'not':
      return invalidOperator('NOT');
    case 'in':
      return invalidOperator('IN');
    case 'exists':
      return invalidOperator('attribute_exists');
    case 'not_exists':
      return invalidOperator('attribute_not_exists');
    case 'type':
      return invalidOperator('attribute_type');
    case 'contains':
      return invalidOperator('contains');
    case 'cmp': {
      if (cond.op === '<>') invalidOperator('<>');
      const left = keyName(cond.left);
      const right = keyName(cond.right);
      if (left === undefined && right === undefined) invalidCondition('No key attribute specified');
      if (left !== undefined)
        return { name: left, condition: { op: cond.op, value: operandValue(cond.right) } };
      return { name: right!, condition: { op: FLIPPED[cond.op], value: operandValue(cond.left) } };
    }
    case 'between': {
      const name = keyName(cond.subject);
      if (name === undefined) invalidCondition('No key attribute specified');
      return {
        name,
        condition: { op: 'between', low: operandValue(cond.low), high: operandValue(cond.high) },
      };
    }
    case 'begins_with': {
      const name = keyName(cond.subject);
      if (name === undefined) invalidCondition('No key attribute specified');
      return { name, condition: { op: 'begins_with', value: operandValue(cond.prefix) } };
    }
    default:
      // AND is flattened before clauses are read.
      return invalidOperator('AND');
  }
}

function flatten(cond: Condition, out: Condition[]): void {
  if (cond.k === 'and') {
    flatten(cond.left, out);
    flatten(cond.right, out);
  } else out.push(cond);
}

function checkKeyValue(name: string, type: string, value: AttributeValue): void {
  if (typeOf(value) !== type) {
    throw validationError(
      'One or more parameter values were invalid: Condition parameter type does not match schema type',
    );
  }
  const empty = ('S' in value && value.S === '') || ('B' in value && value.B === '');
  if (empty) {
    const kind = 'S' in value ? 'string' : 'binary';
    throw validationError(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${kind} value. Key: ${name}`,
    );
  }
}

function values(c: RangeCondition): AttributeValue[] {
  return c.op === 'between' ? [c.low, c.high] : [c.value];
}

/**
 * Parses a KeyConditionExpression against the key schema of the table or index queried, and
 * returns the partition key value and the sort key condition.
 */
export function parseKeyCondition(text: string, ctx: ExpressionContext, key: KeySchema): KeyCondition {
  const raw = parseConditionSyntax(text, 'KeyConditionExpression');
  const binder = new Binder(ctx, 'KeyConditionExpression', raw.problems, RANKS);
  const bound = new ConditionBinder(binder).condition(raw.cond);
  binder.finish();

  const conjuncts: Condition[] = [];
  flatten(bound, conjuncts);
  const clauses: Clause[] = [];
  for (const c of conjuncts) {
    const next = clause(c);
    if (clauses.some((x) => x.name === next.name)) {
      throw expressionError(
        'KeyConditionExpression',
        'KeyConditionExpressions must only contain one condition per key',
      );
    }
    clauses.push(next);
  }
  const keyCount = key.range === undefined ? 1 : 2;
  if (clauses.length > keyCount) {
    throw validationError(
      `The number of query conditions (${clauses.length}) exceeds the number of key attributes defined in the schema (${keyCount})`,
    );
  }

  const hash = clauses.find((c) => c.name === key.hash.name);
  if (hash === undefined)
    throw validationError(`Query condition missed key schema element: ${key.hash.name}`);
  const range = clauses.find((c) => c.name !== key.hash.name);
  if (range !== undefined && range.name !== key.range?.name) {
    throw validationError(`Query condition missed key schema element: ${key.range?.name ?? range.name}`);
  }
  if (hash.condition.op !== '=') throw validationError('Query key condition not supported');
  checkKeyValue(key.hash.name, key.hash.type, hash.condition.value);
  if (range === undefined || key.range === undefined) return { hash: hash.condition.value };
  for (const v of values(range.condition)) checkKeyValue(key.range.name, key.range.type, v);
  return { hash: hash.condition.value, range: range.condition };
}
