import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  applyUpdate,
  ExpressionContext,
  parseUpdate,
  updatedAttributes,
} from '../../../src/services/tables/expressions/index.ts';
import type { AttributeValue, Item, KeySchema } from '../../../src/services/tables/types.ts';

/**
 * UpdateExpression: what each action does to an item, ReturnValues' updated paths, and the
 * mistakes DynamoDB names. The list rules (an index past the end appends; REMOVE shifts) are
 * as real DynamoDB behaves (the DynamoDB conformance suite's tier1/updateItem/paths.test.ts).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
const b64 = (...bytes: number[]) => Buffer.from(bytes).toString('base64');

const KEY: KeySchema = { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'N' } };

function base(): Item {
  return {
    pk: S('k'),
    sk: N('1'),
    n: N('5'),
    s: S('str'),
    l: { L: [S('a'), S('b'), S('c'), S('d')] },
    m: { M: { x: N('1'), kid: { M: {} } } },
    ss: { SS: ['a', 'b'] },
    ns: { NS: ['1', '2'] },
    bs: { BS: [b64(1)] },
  };
}

const VALUES: Record<string, AttributeValue> = {
  ':zero': N('0'),
  ':one': N('1'),
  ':ten': N('10'),
  ':big': N('9.9999999999999999999999999999999999999E+125'),
  ':x': S('x'),
  ':more': { L: [S('e')] },
  ':cd': { SS: ['c', 'a'] },
  ':a': { SS: ['a'] },
  ':ab': { SS: ['b', 'a'] },
  ':ns': { NS: ['2', '3'] },
  ':ns1': { NS: ['1.0'] },
  ':bs1': { BS: [b64(1)] },
  ':map': { M: {} },
};
const NAMES = { '#n': 'n', '#m': 'm' };

function run(expr: string, item: Item = base()) {
  return applyUpdate(parseUpdate(expr, ExpressionContext.create(NAMES, VALUES)), item, KEY);
}

/** The base item with some attributes replaced (or removed, for undefined). */
function changed(changes: Record<string, AttributeValue | undefined>): Item {
  const item = base();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete item[k];
    else item[k] = v;
  }
  return item;
}

describe('applying updates', () => {
  const table: [string, Record<string, AttributeValue | undefined>][] = [
    ['SET n = :one', { n: N('1') }],
    ['SET n = n + :one', { n: N('6') }],
    ['SET n = n - :ten', { n: N('-5') }],
    ['SET n = :ten - n', { n: N('5') }],
    ['SET c = if_not_exists(c, :zero) + :one', { c: N('1') }],
    ['SET n = if_not_exists(n, :zero)', {}],
    ['SET l = list_append(l, :more)', { l: { L: [S('a'), S('b'), S('c'), S('d'), S('e')] } }],
    ['SET l = list_append(:more, l)', { l: { L: [S('e'), S('a'), S('b'), S('c'), S('d')] } }],
    ['SET l[1] = :x', { l: { L: [S('a'), S('x'), S('c'), S('d')] } }],
    ['SET l[9] = :x', { l: { L: [S('a'), S('b'), S('c'), S('d'), S('x')] } }],
    ['SET m.y = :one', { m: { M: { x: N('1'), kid: { M: {} }, y: N('1') } } }],
    ['SET #m.kid.deep = :one', { m: { M: { x: N('1'), kid: { M: { deep: N('1') } } } } }],
    ['SET #n = :one', { n: N('1') }],
    ['SET a = n, b = s', { a: N('5'), b: S('str') }],
    ['SET n = :one, dup = n', { n: N('1'), dup: N('5') }],
    ['SET n = (n + :one)', { n: N('6') }],
    ['REMOVE s', { s: undefined }],
    ['REMOVE l[1]', { l: { L: [S('a'), S('c'), S('d')] } }],
    ['REMOVE l[1], l[3]', { l: { L: [S('a'), S('c')] } }],
    ['REMOVE l[3], l[0]', { l: { L: [S('b'), S('c')] } }],
    ['REMOVE l[9]', {}],
    ['REMOVE absent', {}],
    ['REMOVE m.x', { m: { M: { kid: { M: {} } } } }],
    ['REMOVE m.absent', {}],
    ['ADD n :one', { n: N('6') }],
    ['ADD hits :one', { hits: N('1') }],
    ['ADD ss :cd', { ss: { SS: ['a', 'b', 'c'] } }],
    ['ADD ns :ns', { ns: { NS: ['1', '2', '3'] } }],
    ['ADD newset :cd', { newset: { SS: ['c', 'a'] } }],
    ['ADD m.y :one', { m: { M: { x: N('1'), kid: { M: {} }, y: N('1') } } }],
    ['DELETE ss :a', { ss: { SS: ['b'] } }],
    ['DELETE ss :ab', { ss: undefined }],
    ['DELETE ns :ns1', { ns: { NS: ['2'] } }],
    ['DELETE bs :bs1', { bs: undefined }],
    ['DELETE absent :a', {}],
    [
      'SET n = n + :one REMOVE s ADD ss :cd DELETE ns :ns1',
      { n: N('6'), s: undefined, ss: { SS: ['a', 'b', 'c'] }, ns: { NS: ['2'] } },
    ],
    ['remove s set n = :one', { n: N('1'), s: undefined }],
  ];
  for (const [expr, changes] of table) {
    it(expr, () => assert.deepEqual(run(expr).item, changed(changes)));
  }

  it('leaves the item it was given as it was', () => {
    const item = base();
    run('SET m.kid.deep = :one, l[0] = :x REMOVE m.x ADD ss :cd', item);
    assert.deepEqual(item, base());
  });

  it('creates an item from its key alone', () => {
    const { item } = run('SET n = :one ADD ss :a', { pk: S('k'), sk: N('1') });
    assert.deepEqual(item, { pk: S('k'), sk: N('1'), n: N('1'), ss: { SS: ['a'] } });
  });
});

describe('updated attributes (ReturnValues UPDATED_OLD and UPDATED_NEW)', () => {
  it('returns each updated path, nested ones in their maps', () => {
    const old = base();
    const { item, paths } = run('SET m.y = :one, m.x = :ten, n = :one', old);
    assert.deepEqual(updatedAttributes(item, paths), { n: N('1'), m: { M: { y: N('1'), x: N('10') } } });
    assert.deepEqual(updatedAttributes(old, paths), { n: N('5'), m: { M: { x: N('1') } } });
  });

  it('returns nothing new for a removed attribute', () => {
    const old = base();
    const { item, paths } = run('REMOVE s', old);
    assert.equal(updatedAttributes(item, paths), undefined);
    assert.deepEqual(updatedAttributes(old, paths), { s: S('str') });
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

describe('update errors found in the expression', () => {
  const P = 'Invalid UpdateExpression: ';
  const table: [string, string][] = [
    ['', `${P}The expression can not be empty;`],
    ['INVALID SYNTAX HERE', `${P}Syntax error; token: "INVALID", near: "INVALID SYNTAX"`],
    ['SET path = VALUE 1', `${P}Syntax error; token: "1", near: "VALUE 1"`],
    ['SET n :one', `${P}Syntax error; token: ":one", near: "n :one"`],
    ['SET n = :one,', `${P}Syntax error; token: "<EOF>", near: ","`],
    ['ADD n', `${P}Syntax error; token: "<EOF>", near: "n"`],
    ['ADD n n', `${P}Syntax error; token: "n", near: "n n"`],
    ['SET status = :one', `${P}Attribute name is a reserved keyword; reserved keyword: status`],
    [
      'SET n = :nope',
      `${P}An expression attribute value used in expression is not defined; attribute value: :nope`,
    ],
    [
      'SET #nope = :one',
      `${P}An expression attribute name used in the document path is not defined; attribute name: #nope`,
    ],
    [
      'SET n = :nope, #nope = :one',
      `${P}An expression attribute name used in the document path is not defined; attribute name: #nope`,
    ],
    ['SET n = :one SET s = :x', `${P}The "SET" section can only be used once in an update expression;`],
    ['REMOVE n, s remove l', `${P}The "REMOVE" section can only be used once in an update expression;`],
    [
      'SET a = :one, a.b = :one',
      `${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]`,
    ],
    [
      'SET a = :one REMOVE a',
      `${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]`,
    ],
    [
      'SET a[1] = :one, a.b = :one',
      `${P}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]`,
    ],
    ['SET n = foo(n)', `${P}Invalid function name; function: foo`],
    [
      'SET n = list_append(l)',
      `${P}Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1`,
    ],
    [
      'SET n = if_not_exists(:one, n)',
      `${P}Operator or function requires a document path; operator or function: if_not_exists`,
    ],
    [
      'SET n = n + :x',
      `${P}Incorrect operand type for operator or function; operator or function: +, operand type: S`,
    ],
    [
      'SET l = list_append(l, :x)',
      `${P}Incorrect operand type for operator or function; operator or function: list_append, operand type: S`,
    ],
    ['ADD s :x', `${P}Incorrect operand type for operator or function; operator: ADD, operand type: STRING`],
    [
      'DELETE ss :one',
      `${P}Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER`,
    ],
    ['ADD m :map', `${P}Incorrect operand type for operator or function; operator: ADD, operand type: MAP`],
  ];
  for (const [expr, want] of table) {
    it(want.slice(P.length, P.length + 70), () =>
      assert.equal(
        message(() => parseUpdate(expr, ExpressionContext.create(NAMES, VALUES))),
        want,
      ),
    );
  }
});

describe('update errors found against the item', () => {
  const WRONG_TYPE = 'An operand in the update expression has an incorrect data type';
  const MISSING = 'The provided expression refers to an attribute that does not exist in the item';
  const INVALID_PATH = 'The document path provided in the update expression is invalid for update';
  const table: [string, string][] = [
    ['SET n = s + :one', WRONG_TYPE],
    ['SET x = list_append(s, :more)', WRONG_TYPE],
    ['ADD s :one', WRONG_TYPE],
    ['ADD ss :ns', WRONG_TYPE],
    ['DELETE ss :ns1', WRONG_TYPE],
    ['SET x = absent', MISSING],
    ['SET x = absent + :one', MISSING],
    ['SET absent.y = :one', INVALID_PATH],
    ['SET s.y = :one', INVALID_PATH],
    ['SET m[0] = :one', INVALID_PATH],
    ['SET l.y = :one', INVALID_PATH],
    ['REMOVE absent.y', INVALID_PATH],
    ['ADD absent.y :one', INVALID_PATH],
    [
      'SET n = :big + :big',
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    ],
    ['SET n = :big + n', 'Attempting to store more than 38 significant digits in a Number'],
    [
      'SET pk = :x',
      'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key',
    ],
    [
      'REMOVE sk',
      'One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key',
    ],
    [
      'ADD pk.x :one',
      'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key',
    ],
  ];
  for (const [expr, want] of table) {
    it(`${expr}: ${want.slice(0, 50)}`, () =>
      assert.equal(
        message(() => run(expr)),
        want,
      ));
  }
});
