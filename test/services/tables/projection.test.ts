import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  ExpressionContext,
  parseProjection,
  project,
} from '../../../src/services/tables/expressions/index.ts';
import type { Item } from '../../../src/services/tables/types.ts';

/**
 * ProjectionExpression: nested paths keep their structure, list elements keep their order but
 * not their positions, and attributes that are not there are left out.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
 */

const ITEM: Item = {
  pk: { S: 'k' },
  title: { S: 't' },
  l: { L: [{ S: 'a' }, { S: 'b' }, { M: { x: { N: '1' }, y: { N: '2' } } }, { S: 'd' }] },
  m: { M: { a: { N: '1' }, b: { M: { c: { S: 'z' }, d: { BOOL: true } } } } },
  'my-attr': { NULL: true },
};

function run(expr: string, names?: Record<string, string>): Item {
  return project(ITEM, parseProjection(expr, ExpressionContext.create(names)));
}

describe('projection', () => {
  const table: [string, Item, Record<string, string>?][] = [
    ['pk', { pk: { S: 'k' } }],
    ['pk, title, absent', { pk: { S: 'k' }, title: { S: 't' } }],
    ['m.a', { m: { M: { a: { N: '1' } } } }],
    ['m.b.c, m.a', { m: { M: { b: { M: { c: { S: 'z' } } }, a: { N: '1' } } } }],
    ['l[3], l[1]', { l: { L: [{ S: 'b' }, { S: 'd' }] } }],
    ['l[2].y', { l: { L: [{ M: { y: { N: '2' } } }] } }],
    ['l[9], m.q, m.a.z', {}],
    [
      '#d, #m.#b',
      { 'my-attr': { NULL: true }, m: { M: { b: { M: { c: { S: 'z' }, d: { BOOL: true } } } } } },
      { '#d': 'my-attr', '#m': 'm', '#b': 'b' },
    ],
  ];
  for (const [expr, want, names] of table) {
    it(expr, () => assert.deepEqual(run(expr, names), want));
  }

  it('copies nothing it was not asked for and changes nothing', () => {
    const before = structuredClone(ITEM);
    const out = run('m.b.c');
    assert.deepEqual(ITEM, before);
    assert.notEqual(out.m, ITEM.m);
  });
});

describe('projection errors', () => {
  const P = 'Invalid ProjectionExpression: ';
  const table: [string, string, Record<string, string>?][] = [
    ['', `${P}The expression can not be empty;`],
    ['pk,', `${P}Syntax error; token: "<EOF>", near: ","`],
    ['pk title', `${P}Syntax error; token: "title", near: "pk title"`],
    ['l[x]', `${P}Syntax error; token: "x", near: "[x]"`],
    ['name', `${P}Attribute name is a reserved keyword; reserved keyword: name`],
    [
      '#nope',
      `${P}An expression attribute name used in the document path is not defined; attribute name: #nope`,
    ],
    [
      'm, m.a',
      `${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, a]`,
    ],
    [
      '#m.a, m',
      `${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m, a], path two: [m]`,
      { '#m': 'm' },
    ],
    [
      'l[0], l.a',
      `${P}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, a]`,
    ],
  ];
  for (const [expr, want, names] of table) {
    it(want.slice(P.length, P.length + 60), () => {
      assert.throws(
        () => parseProjection(expr, ExpressionContext.create(names)),
        (e: unknown) => isTableError(e, 'ValidationException') && e.message === want,
      );
    });
  }
});
