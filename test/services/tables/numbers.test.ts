import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  addNumbers,
  compareNumbers,
  normalizeNumber,
  numberSize,
  subtractNumbers,
} from '../../../src/services/tables/numbers.ts';

const NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';
const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
const UNDERFLOW =
  'Number underflow. Attempting to store a number with magnitude smaller than supported range';
const TOO_PRECISE = 'Attempting to store more than 38 significant digits in a Number';

function refused(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isTableError(e, 'ValidationException'), String(e));
    assert.equal(e.message, message);
    return true;
  });
}

describe('normalizeNumber', () => {
  const canonical: [string, string][] = [
    ['0', '0'],
    ['-0', '0'],
    ['+0.000', '0'],
    ['0e99999999999', '0'],
    ['1.50', '1.5'],
    ['0010', '10'],
    ['1e2', '100'],
    ['1E2', '100'],
    ['1.5e1', '15'],
    ['-1.5E-3', '-0.0015'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['0042.1200', '42.12'],
    ['123', '123'],
    ['-123.456', '-123.456'],
    ['1E125', `1${'0'.repeat(125)}`],
    ['1E-130', `0.${'0'.repeat(129)}1`],
    [
      '9.9999999999999999999999999999999999999E+125',
      `99999999999999999999999999999999999999${'0'.repeat(88)}`,
    ],
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'],
    ['1234567890123456789012345678901234567800000', '1234567890123456789012345678901234567800000'],
    ['0.00000000000000000000000000000000000000000001', `0.${'0'.repeat(43)}1`],
  ];
  for (const [input, want] of canonical) {
    it(`${input} → ${want.length > 40 ? `${want.slice(0, 20)}…` : want}`, () => {
      assert.equal(normalizeNumber(input), want);
    });
  }

  // Real AWS's answers, as the DynamoDB conformance suite captured them (valueLayers.test.ts).
  const refusals: [string, string][] = [
    ['abc', `${NOT_NUMERIC}: abc`],
    ['', `${NOT_NUMERIC}: `],
    [' 1', `${NOT_NUMERIC}:  1`],
    ['1 ', `${NOT_NUMERIC}: 1 `],
    ['1.2.3', `${NOT_NUMERIC}: 1.2.3`],
    ['0x10', `${NOT_NUMERIC}: 0x10`],
    ['1e', `${NOT_NUMERIC}: 1e`],
    ['NaN', `${NOT_NUMERIC}: NaN`],
    ['Infinity', `${NOT_NUMERIC}: Infinity`],
    ['-', `${NOT_NUMERIC}: -`],
    ['.', `${NOT_NUMERIC}: .`],
    ['1e126', OVERFLOW],
    ['-1e99999999999', OVERFLOW],
    ['1e2147483647', OVERFLOW],
    ['10E125', OVERFLOW],
    ['1e-131', UNDERFLOW],
    ['1e-99999999999', UNDERFLOW],
    ['0.1e-130', UNDERFLOW],
    ['1234567890123456789012345678901234567890', TOO_PRECISE],
    ['1.234567890123456789012345678901234567891', TOO_PRECISE],
  ];
  for (const [input, message] of refusals) {
    it(`refuses ${JSON.stringify(input)}`, () => refused(() => normalizeNumber(input), message));
  }
});

describe('compareNumbers', () => {
  const ordered = [
    '-1E125',
    '-100',
    '-10.5',
    '-10',
    '-0.001',
    '0',
    '1E-130',
    '0.5',
    '1',
    '1.05',
    '1.5',
    '10',
    '1E125',
  ];
  it('orders numbers numerically, never as strings or floats', () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const want = Math.sign(i - j);
        assert.equal(
          Math.sign(compareNumbers(ordered[i]!, ordered[j]!)),
          want,
          `${ordered[i]} vs ${ordered[j]}`,
        );
      }
    }
  });

  it('treats different spellings of one number as equal', () => {
    assert.equal(compareNumbers('1.50', '1.5'), 0);
    assert.equal(compareNumbers('-0', '0'), 0);
    assert.equal(compareNumbers('1e2', '100.000'), 0);
  });

  it('tells apart numbers a double cannot', () => {
    assert.equal(compareNumbers('9007199254740993', '9007199254740992'), 1);
    assert.equal(compareNumbers('0.30000000000000000001', '0.3'), 1);
  });
});

describe('addNumbers and subtractNumbers', () => {
  const sums: [string, string, string][] = [
    ['1', '2', '3'],
    ['0.1', '0.2', '0.3'],
    ['-5', '3', '-2'],
    ['1.5', '-1.5', '0'],
    ['9007199254740993', '1', '9007199254740994'],
    ['1E125', '0', `1${'0'.repeat(125)}`],
    ['1E-130', '1E-130', `0.${'0'.repeat(129)}2`],
    ['12345678901234567890123456789012345678', '1', '12345678901234567890123456789012345679'],
  ];
  for (const [a, b, want] of sums) {
    it(`${a} + ${b}`, () => assert.equal(addNumbers(a, b), want));
  }

  it('subtracts exactly', () => {
    assert.equal(subtractNumbers('10', '0.001'), '9.999');
    assert.equal(subtractNumbers('0.3', '0.1'), '0.2');
    assert.equal(subtractNumbers('1', '1.00'), '0');
    assert.equal(subtractNumbers('-1', '1'), '-2');
  });

  it('refuses a result out of range or beyond 38 digits', () => {
    refused(() => addNumbers('9.9999999999999999999999999999999999999E+125', '1E+125'), OVERFLOW);
    refused(() => addNumbers('12345678901234567890123456789012345678', '0.1'), TOO_PRECISE);
    refused(() => subtractNumbers('1.000000000000000000000000000000000001E-125', '1E-125'), UNDERFLOW);
  });

  it('refuses an operand that is not a number', () => {
    refused(() => addNumbers('x', '1'), `${NOT_NUMERIC}: x`);
  });
});

describe('numberSize', () => {
  // Byte costs real AWS charged, measured one by one at the 400 KB item limit by the DynamoDB
  // conformance suite (src/item-size.ts, eu-west-2): digits pair up from the decimal point.
  const measured: [string, number][] = [
    ['0', 1],
    ['1', 2],
    ['12', 2],
    ['123', 3],
    ['1234', 3],
    ['12345678901234567890123456789012345678', 20],
    ['0042', 2],
    ['100', 2],
    ['1010', 3],
    ['0.0000001', 2],
    ['1E125', 2],
    ['1E-100', 2],
    ['1.5', 3],
    ['15', 2],
    ['1.2', 3],
    ['1.200', 3],
    ['1.234', 4],
    ['3.14159', 5],
    ['123456', 4],
    ['100.5', 4],
    ['0.15', 2],
    ['-42', 3],
    ['-0', 1],
  ];
  for (const [n, bytes] of measured) {
    it(`${n} costs ${bytes}`, () => assert.equal(numberSize(n), bytes));
  }
});
