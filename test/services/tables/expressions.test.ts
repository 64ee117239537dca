import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  ExpressionContext,
  evaluateCondition,
  isReservedWord,
  parseCondition,
  parseUpdate,
} from '../../../src/services/tables/expressions/index.ts';
import { RESERVED_WORD_COUNT } from '../../../src/services/tables/expressions/reserved-words.ts';
import type { AttributeValue, Item } from '../../../src/services/tables/types.ts';

/**
 * ConditionExpression and FilterExpression: a truth table over one item, then a table of the
 * mistakes DynamoDB names, with its messages. Messages come from AWS's documentation, from
 * captures of real DynamoDB (the DynamoDB conformance suite's error-message tests) and from
 * moto and dynalite where those agree with them.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */

const b64 = (...bytes: number[]) => Buffer.from(bytes).toString('base64');

const ITEM: Item = {
  pk: { S: 'user#1' },
  n: { N: '10' },
  f: { N: '1.5' },
  s: { S: 'hello world' },
  e: { S: '' },
  b: { B: b64(1, 2, 3) },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2'] },
  bs: { BS: [b64(1)] },
  l: { L: [{ S: 'x' }, { N: '1' }, { M: { deep: { S: 'd' } } }] },
  m: { M: { a: { N: '1' }, nested: { M: { c: { S: 'z' } } } } },
  t: { BOOL: true },
  z: { NULL: true },
  'my-attr': { S: 'dash' },
};

const VALUES: Record<string, AttributeValue> = {
  ':s': { S: 'hello world' },
  ':h': { S: 'hello' },
  ':lo': { S: 'lo w' },
  ':u': { S: 'user#' },
  ':a': { S: 'a' },
  ':c': { S: 'c' },
  ':x': { S: 'x' },
  ':zs': { S: 'z' },
  ':str10': { S: '10' },
  ':ssType': { S: 'SS' },
  ':nType': { S: 'N' },
  ':zero': { N: '0' },
  ':one': { N: '1' },
  ':two': { N: '2' },
  ':three': { N: '3' },
  ':n5': { N: '5' },
  ':n10': { N: '10' },
  ':n10f': { N: '10.0' },
  ':n20': { N: '20' },
  ':eleven': { N: '11' },
  ':tru': { BOOL: true },
  ':null': { NULL: true },
  ':b1': { B: b64(1) },
  ':b12': { B: b64(1, 2) },
  ':map': { M: { nested: { M: { c: { S: 'z' } } }, a: { N: '1.0' } } },
  ':ssBA': { SS: ['b', 'a'] },
};

const NAMES = { '#d': 'my-attr', '#m': 'm', '#a': 'a', '#n': 'n' };

function check(expr: string, item: Item | undefined): boolean {
  const ctx = ExpressionContext.create(NAMES, VALUES);
  return evaluateCondition(parseCondition(expr, ctx), item);
}

describe('condition evaluation', () => {
  const table: [string, boolean][] = [
    // Comparators: different types and absent attributes compare false; <> is the negation of =.
    ['n = :n10', true],
    ['n = :n10f', true],
    ['n = :str10', false],
    ['n <> :str10', true],
    ['n <> :n10', false],
    ['absent = :n10', false],
    ['absent <> :n10', true],
    ['n < :n20', true],
    ['n > :n5', true],
    ['n <= :n10', true],
    ['n >= :n20', false],
    ['s < :n20', false],
    ['absent < :n20', false],
    ['absent >= :n20', false],
    ['s > :h', true],
    ['b > :b1', true],
    ['b < :b12', false],
    ['n > f', true],
    ['t = :tru', true],
    ['z = :null', true],
    ['m = :map', true],
    ['ss = :ssBA', true],
    ['l[1] = :one', true],
    ['l[2].deep = :x', false],
    ['m.nested.c = :zs', true],
    ['#m.#a = :one', true],
    ['#d = :x', false],
    ['(n) = :n10', true],
    ['(n = :n10)', true],
    // BETWEEN and IN.
    ['n BETWEEN :n5 AND :n20', true],
    ['n BETWEEN :n10 AND :n10', true],
    ['n between :n5 and :n20', true],
    ['s BETWEEN :a AND :x', true],
    ['absent BETWEEN :n5 AND :n20', false],
    ['s BETWEEN :n5 AND :n20', false],
    ['n IN (:n5, :n10)', true],
    ['n in (:n10)', true],
    ['n IN (:n5, :str10)', false],
    ['absent IN (:n5)', false],
    // Functions.
    ['attribute_exists(pk)', true],
    ['attribute_exists(absent)', false],
    ['attribute_not_exists(absent)', true],
    ['attribute_exists(m.nested.c)', true],
    ['attribute_exists(l[2].deep)', true],
    ['attribute_exists(l[3])', false],
    ['attribute_exists(m.a.b)', false],
    ['attribute_exists(#d)', true],
    ['attribute_type(ss, :ssType)', true],
    ['attribute_type(n, :nType)', true],
    ['attribute_type(n, :ssType)', false],
    ['attribute_type(absent, :nType)', false],
    ['begins_with(pk, :u)', true],
    ['begins_with(s, :x)', false],
    ['begins_with(b, :b12)', true],
    ['begins_with(absent, :u)', false],
    ['contains(s, :lo)', true],
    ['contains(ss, :a)', true],
    ['contains(ss, :c)', false],
    ['contains(ns, :one)', true],
    ['contains(bs, :b1)', true],
    ['contains(l, :x)', true],
    ['contains(l, :one)', true],
    ['contains(l, :a)', false],
    ['contains(n, :one)', false],
    ['size(s) = :eleven', true],
    ['size(e) = :zero', true],
    ['size(ss) = :two', true],
    ['size(l) = :three', true],
    ['size(m) = :two', true],
    ['size(b) = :three', true],
    ['size(n) = :one', false],
    ['size(absent) = :zero', false],
    ['size(l) > :two AND size(l) <= :three', true],
    // Precedence: NOT binds tighter than AND, AND tighter than OR.
    ['NOT attribute_exists(absent)', true],
    ['not n = :n10', false],
    ['attribute_exists(absent) AND n = :n10 OR t = :tru', true],
    ['attribute_exists(absent) AND (n = :n10 OR t = :tru)', false],
    ['NOT attribute_exists(absent) AND attribute_exists(absent)', false],
    ['n = :n10 OR t = :x AND attribute_exists(absent)', true],
    ['NOT (n = :n10 AND t = :tru)', false],
    ['NOT NOT n = :n10', true],
  ];
  for (const [expr, want] of table) {
    it(`${expr} → ${want}`, () => assert.equal(check(expr, ITEM), want));
  }

  it('evaluates against no item as against an empty one', () => {
    assert.equal(check('attribute_not_exists(pk)', undefined), true);
    assert.equal(check('pk = :u', undefined), false);
  });

  it('binds the same text afresh for each request (parses are cached by text)', () => {
    const run = (names: Record<string, string>) =>
      evaluateCondition(
        parseCondition('#a = :v', ExpressionContext.create(names, { ':v': { N: '10' } })),
        ITEM,
      );
    assert.equal(run({ '#a': 'n' }), true);
    assert.equal(run({ '#a': 's' }), false);
  });
});

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(isTableError(e, 'ValidationException'), String(e));
    return e.message;
  }
  return '(accepted)';
}

const conditionError = (
  expr: string,
  values: Record<string, AttributeValue> = VALUES,
  names: Record<string, string> = NAMES,
) => message(() => parseCondition(expr, ExpressionContext.create(names, values)));

describe('condition errors', () => {
  const P = 'Invalid ConditionExpression: ';
  const manyValues: Record<string, AttributeValue> = {};
  for (let i = 0; i < 101; i++) manyValues[`:v${i}`] = { N: String(i) };
  const table: [string, string, Record<string, AttributeValue>?, Record<string, string>?][] = [
    ['', `${P}The expression can not be empty;`],
    ['  ', `${P}The expression can not be empty;`],
    ['a x b', `${P}Syntax error; token: "x", near: "a x b"`],
    ['n = ', `${P}Syntax error; token: "<EOF>", near: "= "`],
    ['n = :n10 AND', `${P}Syntax error; token: "<EOF>", near: "AND"`],
    ['n = :n10)', `${P}Syntax error; token: ")", near: ":n10)"`],
    ['(n = :n10', `${P}Syntax error; token: "<EOF>", near: ":n10"`],
    ['n BETWEEN :n5', `${P}Syntax error; token: "<EOF>", near: ":n5"`],
    ['n ! :n10', `${P}Syntax error; token: "!", near: "n ! :n10"`],
    ['n = # ', `${P}Syntax error; token: "#", near: "= #"`],
    ['status = :a', `${P}Attribute name is a reserved keyword; reserved keyword: status`],
    ['m.Name = :a', `${P}Attribute name is a reserved keyword; reserved keyword: Name`],
    [
      'n = :nope',
      `${P}An expression attribute value used in expression is not defined; attribute value: :nope`,
    ],
    [
      '#nope = :n10',
      `${P}An expression attribute name used in the document path is not defined; attribute name: #nope`,
    ],
    ['foo(n)', `${P}Invalid function name; function: foo`],
    ['size(n)', `${P}The function is not allowed to be used this way in an expression; function: size`],
    [
      'contains(s, :x) = :tru',
      `${P}The function is not allowed to be used this way in an expression; function: contains`,
    ],
    [
      'attribute_exists(n, s)',
      `${P}Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2`,
    ],
    [
      'attribute_exists(:n10)',
      `${P}Operator or function requires a document path; operator or function: attribute_exists`,
    ],
    [
      'begins_with(s, :n10)',
      `${P}Incorrect operand type for operator or function; operator or function: begins_with, operand type: N`,
    ],
    [
      'attribute_type(n, :n10)',
      `${P}Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N`,
    ],
    [
      'attribute_type(n, :x)',
      `${P}Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
    ],
    [
      'size(:n10) > :one',
      `${P}Incorrect operand type for operator or function; operator or function: size, operand type: N`,
    ],
    [
      'n < :tru',
      `${P}Incorrect operand type for operator or function; operator or function: <, operand type: BOOL`,
    ],
    [
      'n BETWEEN :n20 AND :n5',
      `${P}The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:20}, upper bound operand: AttributeValue: {N:5}`,
    ],
    [
      'n BETWEEN :n5 AND :x',
      `${P}The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}`,
    ],
    [
      'n = n',
      `${P}The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [n]`,
    ],
    [
      'contains(#a, #a)',
      `${P}The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [data]`,
      VALUES,
      { '#a': 'data' },
    ],
    ['((attribute_not_exists(pk)))', `${P}The expression has redundant parentheses;`],
    ['((n)) = :n10', `${P}The expression has redundant parentheses;`],
    [
      `n IN (${Object.keys(manyValues).join(', ')})`,
      `${P}The IN operator is provided with too many operands; number of operands: 101`,
      manyValues,
    ],
    // When there are several problems, DynamoDB reports them in a fixed order.
    ['status = :nope', `${P}Attribute name is a reserved keyword; reserved keyword: status`],
    ['foo(status)', `${P}Invalid function name; function: foo`],
    [
      'n = :nope AND #nope = :a',
      `${P}An expression attribute value used in expression is not defined; attribute value: :nope`,
    ],
  ];
  for (const [expr, want, values, names] of table) {
    it(want.slice(P.length, P.length + 70), () => assert.equal(conditionError(expr, values, names), want));
  }

  it('names the parameter the expression came in', () => {
    const ctx = ExpressionContext.create(undefined, VALUES);
    assert.equal(
      message(() => parseCondition('a x b', ctx, 'FilterExpression')),
      'Invalid FilterExpression: Syntax error; token: "x", near: "a x b"',
    );
  });
});

describe('ExpressionContext', () => {
  it('refuses empty maps, malformed keys and invalid values', () => {
    assert.equal(
      message(() => ExpressionContext.create({})),
      'ExpressionAttributeNames must not be empty',
    );
    assert.equal(
      message(() => ExpressionContext.create(undefined, {})),
      'ExpressionAttributeValues must not be empty',
    );
    assert.equal(
      message(() => ExpressionContext.create({ a: 'x' })),
      'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
    );
    assert.equal(
      message(() => ExpressionContext.create(undefined, { v: { S: 'x' } })),
      'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
    );
    assert.equal(
      message(() => ExpressionContext.create(undefined, { ':v': { SS: [] } })),
      'ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v',
    );
  });

  it('finds unused names and values across all the expressions of a request', () => {
    const names = { '#a': 'n', '#b': 's', '#c': 'x' };
    const values = { ':x': { N: '10' }, ':y': { S: 'v' }, ':z': { S: 'w' } };
    const ctx = ExpressionContext.create(names, values);
    parseCondition('#a = :x', ctx);
    parseUpdate('SET #b = :y, #c = :z', ctx);
    ctx.checkUnused();

    const partly = ExpressionContext.create(names, values);
    parseCondition('#a = :x', partly);
    assert.equal(
      message(() => partly.checkUnused()),
      'Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}',
    );
    const valuesOnly = ExpressionContext.create({ '#a': 'n' }, values);
    parseCondition('#a = :x AND s = :z', valuesOnly);
    assert.equal(
      message(() => valuesOnly.checkUnused()),
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}',
    );
  });

  it('makes values canonical once, for every expression', () => {
    const ctx = ExpressionContext.create(undefined, { ':v': { N: '010.0' } });
    assert.deepEqual(ctx.value(':v'), { N: '10' });
  });
});

describe('reserved words', () => {
  it('holds the whole list, any case', () => {
    assert.equal(RESERVED_WORD_COUNT, 573);
    for (const w of ['status', 'STATUS', 'Name', 'data', 'value', 'size', 'flattern', 'ABORT', 'ZONE']) {
      assert.equal(isReservedWord(w), true, w);
    }
    for (const w of ['pk', 'sk', 'id', 'email', 'price']) assert.equal(isReservedWord(w), false, w);
  });
});
