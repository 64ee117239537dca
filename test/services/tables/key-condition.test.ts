import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RangeCondition } from '../../../src/services/tables/backend.ts';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  ExpressionContext,
  type KeyCondition,
  parseKeyCondition,
} from '../../../src/services/tables/expressions/index.ts';
import type { AttributeValue, KeySchema } from '../../../src/services/tables/types.ts';

/**
 * KeyConditionExpression against key schemas of each shape. The messages for wrong operand
 * types, repeated keys and too many conditions are real AWS's, as the DynamoDB conformance
 * suite captured them (tier3/error-messages/queryKeyConditionOperands.test.ts and
 * tier3/validation-ordering/queryKeyCondition.test.ts).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 */

const HASH: KeySchema = { hash: { name: 'pk', type: 'S' } };
const SS: KeySchema = { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'S' } };
const SN: KeySchema = { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'N' } };
const BIN: KeySchema = { hash: { name: 'pk', type: 'B' } };

const VALUES: Record<string, AttributeValue> = {
  ':p': { S: 'q' },
  ':s': { S: 'a' },
  ':t': { S: 'z' },
  ':n': { N: '1' },
  ':m': { N: '5' },
  ':f': { BOOL: false },
  ':tr': { BOOL: true },
  ':empty': { S: '' },
  ':emptyB': { B: '' },
};
const NAMES = { '#pk': 'pk', '#sk': 'sk' };

function parse(expr: string, key: KeySchema): KeyCondition {
  return parseKeyCondition(expr, ExpressionContext.create(NAMES, VALUES), key);
}

function message(expr: string, key: KeySchema): string {
  try {
    parse(expr, key);
  } catch (e) {
    assert.ok(isTableError(e, 'ValidationException'), String(e));
    return e.message;
  }
  return '(accepted)';
}

describe('key conditions', () => {
  const S = (s: string): AttributeValue => ({ S: s });
  const table: [string, KeySchema, RangeCondition | undefined][] = [
    ['pk = :p', HASH, undefined],
    ['pk = :p', SS, undefined],
    [':p = pk', SS, undefined],
    ['pk = :p AND sk = :s', SS, { op: '=', value: S('a') }],
    ['pk = :p AND sk < :s', SS, { op: '<', value: S('a') }],
    ['pk = :p AND sk <= :s', SS, { op: '<=', value: S('a') }],
    ['pk = :p AND sk > :s', SS, { op: '>', value: S('a') }],
    ['pk = :p AND sk >= :s', SS, { op: '>=', value: S('a') }],
    [':s > sk AND pk = :p', SS, { op: '<', value: S('a') }],
    [':s <= sk AND pk = :p', SS, { op: '>=', value: S('a') }],
    ['sk BETWEEN :s AND :t AND pk = :p', SS, { op: 'between', low: S('a'), high: S('z') }],
    ['pk = :p and sk between :s and :t', SS, { op: 'between', low: S('a'), high: S('z') }],
    ['pk = :p AND begins_with(sk, :s)', SS, { op: 'begins_with', value: S('a') }],
    ['#pk = :p AND #sk > :s', SS, { op: '>', value: S('a') }],
    ['(pk = :p) AND (sk > :s)', SS, { op: '>', value: S('a') }],
    ['pk = :p AND sk BETWEEN :n AND :m', SN, { op: 'between', low: { N: '1' }, high: { N: '5' } }],
  ];
  for (const [expr, key, range] of table) {
    it(`${expr} (${key.range ? `${key.hash.type}${key.range.type}` : key.hash.type})`, () => {
      const want: KeyCondition = { hash: { S: 'q' } };
      if (range !== undefined) want.range = range;
      assert.deepEqual(parse(expr, key), want);
    });
  }
});

describe('key condition errors', () => {
  const P = 'Invalid KeyConditionExpression: ';
  const SCHEMA =
    'One or more parameter values were invalid: Condition parameter type does not match schema type';
  const operand = (op: string, type: string) =>
    `${P}Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${type}`;
  const table: [string, KeySchema, string][] = [
    ['pk = ', SS, `${P}Syntax error; token: "<EOF>", near: "= "`],
    ['status = :p', SS, `${P}Attribute name is a reserved keyword; reserved keyword: status`],
    ['pk = :p OR sk = :s', SS, 'Invalid operator used in KeyConditionExpression: OR'],
    ['NOT pk = :p', SS, 'Invalid operator used in KeyConditionExpression: NOT'],
    ['pk IN (:p)', SS, 'Invalid operator used in KeyConditionExpression: IN'],
    ['pk <> :p', SS, 'Invalid operator used in KeyConditionExpression: <>'],
    [
      'pk = :p AND attribute_exists(sk)',
      SS,
      'Invalid operator used in KeyConditionExpression: attribute_exists',
    ],
    ['pk = :p AND contains(sk, :s)', SS, 'Invalid operator used in KeyConditionExpression: contains'],
    [
      'pk = :p AND sk = pk',
      SS,
      'Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition',
    ],
    ['pk = :p AND :s = :t', SS, 'Invalid condition in KeyConditionExpression: No key attribute specified'],
    ['pk.x = :p', SS, 'KeyConditionExpressions cannot have conditions on nested attributes'],
    [
      'pk = :p AND sk > :n AND sk < :m',
      SN,
      `${P}KeyConditionExpressions must only contain one condition per key`,
    ],
    [
      'pk = :p AND sk > :n AND extra = :m',
      SN,
      'The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)',
    ],
    [
      'pk = :p AND sk = :s',
      HASH,
      'The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)',
    ],
    ['sk = :s', SS, 'Query condition missed key schema element: pk'],
    ['pk = :p AND extra = :s', SS, 'Query condition missed key schema element: sk'],
    ['pk > :p', SS, 'Query key condition not supported'],
    ['begins_with(pk, :p)', SS, 'Query key condition not supported'],
    ['pk = :p AND begins_with(sk, :n)', SS, operand('begins_with', 'N')],
    ['pk = :p AND begins_with(sk, :tr)', SS, operand('begins_with', 'BOOL')],
    ['pk = :p AND begins_with(sk, :n)', SN, operand('begins_with', 'N')],
    ['pk = :p AND begins_with(sk, :s)', SN, SCHEMA],
    ['pk = :p AND sk < :tr', SN, operand('<', 'BOOL')],
    ['pk = :p AND :tr >= sk', SN, operand('>=', 'BOOL')],
    ['pk = :p AND sk BETWEEN :f AND :tr', SN, operand('BETWEEN', 'BOOL')],
    ['pk = :p AND sk = :tr', SN, SCHEMA],
    ['pk = :n', SS, SCHEMA],
    ['pk = :p AND sk = :s', SN, SCHEMA],
    [
      'pk = :empty',
      SS,
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
    ],
    [
      'pk = :emptyB',
      BIN,
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: pk',
    ],
    // DynamoDB walks the clauses in order and reports the first problem, whichever kind it is.
    [
      'pk = :nope AND begins_with(sk, :n)',
      SS,
      `${P}An expression attribute value used in expression is not defined; attribute value: :nope`,
    ],
    ['begins_with(sk, :n) AND pk = :nope', SS, operand('begins_with', 'N')],
    ['pk = :p AND begins_with(sk, :n) AND sk = :nope', SS, operand('begins_with', 'N')],
    ['pk = :p AND begins_with(sk, :n) AND sk > :s', SS, operand('begins_with', 'N')],
  ];
  for (const [expr, key, want] of table) {
    it(`${expr}: ${want.slice(0, 60)}`, () => assert.equal(message(expr, key), want));
  }
});
