import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError, type TableErrorCode } from '../../../src/services/tables/errors.ts';
import type { AttributeValue } from '../../../src/services/tables/types.ts';
import {
  compareStrings,
  compareValues,
  itemSize,
  validateItem,
  validateValue,
  valueSize,
  valuesEqual,
} from '../../../src/services/tables/values.ts';

const INVALID = 'One or more parameter values were invalid: ';

function refused(value: unknown, message: string, code: TableErrorCode = 'ValidationException'): void {
  assert.throws(
    () => validateValue(value),
    (e: unknown) => {
      assert.ok(isTableError(e, code), String(e));
      assert.equal(e.message, message);
      return true;
    },
  );
}

const b64 = (...bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('validateValue', () => {
  it('accepts each type, empty strings, binaries, lists and maps included', () => {
    const values: AttributeValue[] = [
      { S: '' },
      { S: 'héllo' },
      { N: '42' },
      { B: '' },
      { B: b64(1, 2, 3) },
      { SS: ['a', ''] },
      { NS: ['1', '2'] },
      { BS: [b64(1), b64(2)] },
      { L: [] },
      { M: {} },
      { L: [{ S: 'x' }, { M: { y: { NULL: true } } }] },
      { NULL: true },
      { BOOL: false },
    ];
    for (const v of values) assert.equal(validateValue(v), v, JSON.stringify(v));
  });

  it('returns numbers in canonical form, copying only what changed', () => {
    assert.deepEqual(validateValue({ N: '1.50' }), { N: '1.5' });
    assert.deepEqual(validateValue({ NS: ['1e2', '3'] }), { NS: ['100', '3'] });
    const list = { L: [{ S: 'a' }, { N: '007' }] };
    assert.deepEqual(validateValue(list), { L: [{ S: 'a' }, { N: '7' }] });
    assert.deepEqual(list.L[1], { N: '007' }, 'the input is left as it was');
    assert.deepEqual(validateValue({ M: { a: { N: '-0' }, b: { S: 'x' } } }), {
      M: { a: { N: '0' }, b: { S: 'x' } },
    });
  });

  it('refuses an empty value or one with two types', () => {
    refused({}, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    refused(
      { X: 'y' },
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
    refused(
      { S: 'a', N: '1' },
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  });

  it('refuses empty sets, in DynamoDB words (with its double spaces)', () => {
    refused({ SS: [] }, `${INVALID}An string set  may not be empty`);
    refused({ NS: [] }, `${INVALID}An number set  may not be empty`);
    refused({ BS: [] }, `${INVALID}Binary sets should not be empty`);
    refused({ M: { nested: { SS: [] } } }, `${INVALID}An string set  may not be empty`);
  });

  it('refuses duplicate set members (numbers compared as numbers)', () => {
    refused({ SS: ['a', 'a'] }, `${INVALID}Input collection [a, a] contains duplicates.`);
    refused({ SS: ['b', 'a', 'b'] }, `${INVALID}Input collection [b, a, b] contains duplicates.`);
    refused({ NS: ['1', '1.0'] }, 'Input collection contains duplicates');
    refused(
      { BS: ['AA==', 'AA=='] },
      `${INVALID}Input collection [AA==, AA==]of type BS contains duplicates.`,
    );
  });

  it('refuses bad numbers, NULL other than true, and deep nesting', () => {
    refused({ N: 'abc' }, 'The parameter cannot be converted to a numeric value: abc');
    refused({ NS: ['1', 'x'] }, 'The parameter cannot be converted to a numeric value: x');
    refused(
      { L: [{ N: '1e126' }] },
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
    refused({ NULL: false }, `${INVALID}Null attribute value types must have the value of true`);
    let deep: AttributeValue = { S: 'x' };
    for (let i = 0; i < 32; i++) deep = { L: [deep] };
    assert.equal(validateValue(deep), deep);
    refused({ L: [deep] }, 'Nesting Levels have exceeded supported limits');
  });

  it('refuses wrong JSON types and bad base64 as SerializationException', () => {
    refused({ S: 1 }, 'NUMBER_VALUE cannot be converted to String', 'SerializationException');
    refused({ BOOL: 'true' }, 'STRING_VALUE cannot be converted to Boolean', 'SerializationException');
    refused({ L: {} }, 'START_OBJECT cannot be converted to List', 'SerializationException');
    refused(
      { B: 'abc' },
      "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3",
      'SerializationException',
    );
    refused(
      { B: 'ab!=' },
      "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'",
      'SerializationException',
    );
  });
});

describe('validateItem', () => {
  it('checks every attribute and canonicalises numbers', () => {
    const item = { pk: { S: 'a' }, n: { N: '010' } };
    assert.deepEqual(validateItem(item), { pk: { S: 'a' }, n: { N: '10' } });
    const same = { pk: { S: 'a' } };
    assert.equal(validateItem(same), same);
    assert.throws(() => validateItem({ pk: { S: 'a' }, s: { SS: [] } }), /An string set {2}may not be empty/);
  });
});

describe('valuesEqual', () => {
  const equal: [AttributeValue, AttributeValue][] = [
    [{ S: 'a' }, { S: 'a' }],
    [{ N: '1.5' }, { N: '1.50' }],
    [{ N: '100' }, { N: '1E2' }],
    [{ B: b64(1, 2) }, { B: b64(1, 2) }],
    [{ SS: ['a', 'b'] }, { SS: ['b', 'a'] }],
    [{ NS: ['1', '2'] }, { NS: ['2.0', '1'] }],
    [{ BS: [b64(1), b64(2)] }, { BS: [b64(2), b64(1)] }],
    [{ L: [{ S: 'a' }, { N: '1' }] }, { L: [{ S: 'a' }, { N: '1.0' }] }],
    [{ M: { a: { S: 'x' }, b: { BOOL: true } } }, { M: { b: { BOOL: true }, a: { S: 'x' } } }],
    [{ NULL: true }, { NULL: true }],
    [{ BOOL: false }, { BOOL: false }],
  ];
  for (const [a, b] of equal) {
    it(`${JSON.stringify(a)} = ${JSON.stringify(b)}`, () => assert.equal(valuesEqual(a, b), true));
  }

  const different: [AttributeValue, AttributeValue][] = [
    [{ S: '1' }, { N: '1' }],
    [{ S: 'a' }, { SS: ['a'] }],
    [{ SS: ['a', 'b'] }, { SS: ['a'] }],
    [{ L: [{ S: 'a' }, { S: 'b' }] }, { L: [{ S: 'b' }, { S: 'a' }] }],
    [{ M: { a: { S: 'x' } } }, { M: { a: { S: 'x' }, b: { S: 'y' } } }],
    [{ BOOL: true }, { BOOL: false }],
    [{ NULL: true }, { BOOL: false }],
  ];
  for (const [a, b] of different) {
    it(`${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`, () => {
      assert.equal(valuesEqual(a, b), false);
      assert.equal(valuesEqual(b, a), false);
    });
  }
});

describe('compareValues', () => {
  it('orders strings by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E is one UTF-16 unit above the surrogates; U+1F600 is a surrogate pair but a larger code point.
    assert.equal(compareStrings('\uff5e', '\u{1f600}'), -1);
    assert.equal(compareStrings('a', 'b'), -1);
    assert.equal(compareStrings('ab', 'a'), 1);
    assert.equal(compareStrings('Z', 'a'), -1);
    assert.equal(compareValues({ S: 'é' }, { S: 'z' }), 1);
  });

  it('orders numbers numerically and binaries as unsigned bytes', () => {
    assert.equal(compareValues({ N: '10' }, { N: '9' }), 1);
    assert.equal(compareValues({ N: '-10' }, { N: '-9' }), -1);
    assert.equal(compareValues({ B: b64(0xff) }, { B: b64(0x01) }), 1);
    assert.equal(compareValues({ B: b64(1) }, { B: b64(1, 0) }), -1);
  });

  it('does not order different types or non-scalars', () => {
    assert.equal(compareValues({ S: '1' }, { N: '1' }), undefined);
    assert.equal(compareValues({ BOOL: true }, { BOOL: true }), undefined);
    assert.equal(compareValues({ SS: ['a'] }, { SS: ['a'] }), undefined);
  });
});

describe('valueSize and itemSize', () => {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
  it('sizes scalars', () => {
    assert.equal(valueSize({ S: 'abc' }), 3);
    assert.equal(valueSize({ S: 'é€😀' }), 2 + 3 + 4);
    assert.equal(valueSize({ N: '123' }), 3);
    assert.equal(valueSize({ B: b64(1, 2, 3, 4) }), 4);
    assert.equal(valueSize({ B: '' }), 0);
    assert.equal(valueSize({ BOOL: true }), 1);
    assert.equal(valueSize({ NULL: true }), 1);
  });

  it('sizes sets as the sum of their members', () => {
    assert.equal(valueSize({ SS: ['ab', 'c'] }), 3);
    assert.equal(valueSize({ NS: ['1', '123'] }), 2 + 3);
    assert.equal(valueSize({ BS: [b64(1), b64(1, 2)] }), 3);
  });

  it('sizes lists and maps: 3 bytes, plus 1 per element, plus contents', () => {
    assert.equal(valueSize({ L: [] }), 3);
    assert.equal(valueSize({ M: {} }), 3);
    assert.equal(valueSize({ L: [{ S: 'ab' }, { BOOL: true }] }), 3 + (2 + 1) + (1 + 1));
    assert.equal(valueSize({ M: { key: { S: 'ab' } } }), 3 + 3 + 2 + 1);
    assert.equal(valueSize({ M: { a: { L: [{ NULL: true }] } } }), 3 + 1 + (3 + 1 + 1) + 1);
  });

  it('sizes an item as names plus values', () => {
    assert.equal(itemSize({}), 0);
    assert.equal(itemSize({ pk: { S: 'abc' }, n: { N: '1' } }), 2 + 3 + 1 + 2);
    assert.equal(itemSize({ ü: { BOOL: true } }), 2 + 1);
  });
});
