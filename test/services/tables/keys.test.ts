import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTableError } from '../../../src/services/tables/errors.ts';
import {
  encodeKeyValue,
  encodeNumber,
  HASH_BUCKETS,
  keyHash,
  keyOf,
  prefixSuccessor,
  segmentRange,
} from '../../../src/services/tables/keys.ts';
import type { IndexDefinition, KeySchema } from '../../../src/services/tables/types.ts';

/** Sorts encoded values as SQLite and PostgreSQL do (memcmp, then shorter first). */
const byBytes = (a: Buffer, b: Buffer) => Buffer.compare(a, b);

/** Asserts that `values`, given in ascending order, encode to strictly ascending bytes. */
function assertAscending(encode: (v: string) => Buffer, values: string[]): void {
  for (let i = 1; i < values.length; i++) {
    const a = encode(values[i - 1]!);
    const b = encode(values[i]!);
    assert.ok(
      byBytes(a, b) < 0,
      `${values[i - 1]} < ${values[i]}: ${a.toString('hex')} vs ${b.toString('hex')}`,
    );
  }
  // And a shuffle sorts back into the same order.
  const shuffled = [...values].sort(() => Math.random() - 0.5);
  assert.deepEqual(
    shuffled.sort((x, y) => byBytes(encode(x), encode(y))),
    values,
  );
}

describe('number keys', () => {
  it('order numerically: signs, exponents, digits, tiny and huge', () => {
    assertAscending(encodeNumber, [
      '-9.9999999999999999999999999999999999999E+125',
      '-1E+125',
      '-123456789012345678901234567890',
      '-1000',
      '-999.99',
      '-101',
      '-100',
      '-99',
      '-11',
      '-10.5',
      '-10',
      '-9',
      '-1.25',
      '-1.2',
      '-1.01',
      '-1',
      '-0.99999999999999999999999999999999999999',
      '-0.5',
      '-0.1',
      '-0.01',
      '-1E-129',
      '-1E-130',
      '0',
      '1E-130',
      '1.5E-130',
      '1E-129',
      '0.0001',
      '0.001',
      '0.00999',
      '0.01',
      '0.1',
      '0.5',
      '0.99999999999999999999999999999999999999',
      '1',
      '1.000000000000000000000000000000000001',
      '1.01',
      '1.2',
      '1.205',
      '1.21',
      '1.25',
      '2',
      '9',
      '9.5',
      '10',
      '10.5',
      '11',
      '99',
      '100',
      '101',
      '1000',
      '12345678901234567890123456789012345678',
      '1E+38',
      '1E+125',
      '9.9999999999999999999999999999999999999E+125',
    ]);
  });

  it('gives equal numbers equal bytes: 0, -0, 1 and 1.0, exponent forms', () => {
    const same = (a: string, b: string) => assert.deepEqual(encodeNumber(a), encodeNumber(b), `${a} = ${b}`);
    same('0', '-0');
    same('0', '0.000');
    same('0', '-0E+10');
    same('1', '1.0');
    same('1', '1.000');
    same('1', '+1');
    same('10', '1E1');
    same('10', '1.0e+1');
    same('100', '1E2');
    same('0.001', '1e-3');
    same('-0.5', '-.5');
    same('123.45', '12345E-2');
    assert.notDeepEqual(encodeNumber('1'), encodeNumber('10'));
    assert.equal(encodeNumber('0').length, 1);
  });

  it('rejects malformed and out-of-range numbers with a ValidationException', () => {
    for (const bad of [
      '',
      '-',
      'abc',
      '1e',
      '1.2.3',
      '1E+126',
      '1E-131',
      '1234567890123456789012345678901234567890',
    ])
      assert.throws(
        () => encodeNumber(bad),
        (e) => isTableError(e, 'ValidationException'),
        bad,
      );
  });
});

describe('string and binary keys', () => {
  it('order strings by UTF-8 bytes, not by UTF-16 code units', () => {
    const enc = (s: string) => encodeKeyValue('S', { S: s })!;
    // JavaScript orders U+10000 (a surrogate pair, 0xD800 …) before U+FFFF; UTF-8 does not.
    assert.ok('\u{10000}' < '\uFFFF');
    assert.ok(byBytes(enc('\uFFFF'), enc('\u{10000}')) < 0);
    assert.ok(byBytes(enc('\uE000'), enc('\u{1F600}')) < 0);
    assertAscending(enc, [
      '',
      'A',
      'Z',
      'a',
      'a\u0000',
      'ab',
      'b',
      'z',
      '\u00e9',
      '\u00e9a',
      '\u4e2d',
      '\uFFFF',
      '\u{10000}',
      '\u{1F600}',
    ]);
  });

  it('order binaries as unsigned bytes, shorter first', () => {
    const enc = (bytes: string) => encodeKeyValue('B', { B: Buffer.from(bytes, 'hex').toString('base64') })!;
    assertAscending(enc, ['00', '0000', '01', '7f', '80', '80ff', 'fe', 'ff', 'ff00', 'ffff']);
  });

  it('turns a value of another type into undefined', () => {
    assert.equal(encodeKeyValue('S', { N: '1' }), undefined);
    assert.equal(encodeKeyValue('N', { S: '1' }), undefined);
    assert.equal(encodeKeyValue('B', { S: 'AA==' }), undefined);
    assert.equal(encodeKeyValue('S', undefined), undefined);
  });
});

describe('keyOf', () => {
  const table: { key: KeySchema } = {
    key: { hash: { name: 'pk', type: 'S' }, range: { name: 'n', type: 'N' } },
  };
  const gsi: IndexDefinition = {
    name: 'byEmail',
    kind: 'global',
    key: { hash: { name: 'email', type: 'S' } },
    projection: { type: 'ALL' },
    status: 'ACTIVE',
  };

  it('encodes hash and range keys; no sort key is an empty buffer', () => {
    assert.deepEqual(keyOf(table, { pk: { S: 'a' }, n: { N: '1' }, x: { S: 'y' } }), {
      pk: Buffer.from('a'),
      sk: encodeNumber('1'),
    });
    assert.deepEqual(keyOf(gsi, { email: { S: 'e' } }), { pk: Buffer.from('e'), sk: Buffer.alloc(0) });
  });

  it('leaves an item out of an index when it lacks a key attribute or has another type', () => {
    assert.equal(keyOf(gsi, { pk: { S: 'a' } }), undefined);
    assert.equal(keyOf(gsi, { email: { N: '5' } }), undefined);
    assert.equal(keyOf(table, { pk: { S: 'a' } }), undefined);
    assert.equal(keyOf(table, { pk: { S: 'a' }, n: { S: '1' } }), undefined);
  });
});

describe('prefixSuccessor', () => {
  it('is the smallest bytes after every extension of the prefix', () => {
    assert.deepEqual(prefixSuccessor(Buffer.from('ab')), Buffer.from('ac'));
    assert.deepEqual(prefixSuccessor(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]));
    assert.equal(prefixSuccessor(Buffer.from([0xff, 0xff])), undefined);
    assert.equal(prefixSuccessor(Buffer.alloc(0)), undefined);
    const prefix = Buffer.from('caf\u00e9');
    const end = prefixSuccessor(prefix)!;
    for (const s of ['caf\u00e9', 'caf\u00e9s', 'caf\u00e9\u{1F600}', 'caf\u00e9\uFFFF'])
      assert.ok(byBytes(Buffer.from(s), end) < 0, s);
    assert.ok(byBytes(Buffer.from('caf\u00ea'), end) >= 0);
  });
});

describe('scan segments', () => {
  it('hashes to 16 bits, and segments split the hash space with no gap or overlap', () => {
    for (const total of [1, 2, 3, 7, 1000, 1_000_000]) {
      let next = 0;
      for (const s of total > 5000 ? [0, 1, total - 1] : Array.from({ length: total }, (_, i) => i)) {
        const r = segmentRange(s, total);
        if (total <= 5000) assert.equal(r.low, next);
        assert.ok(r.low <= r.high);
        next = r.high;
      }
      if (total <= 5000) assert.equal(next, HASH_BUCKETS);
    }
    const hashes = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const h = keyHash(Buffer.from(`key-${i}`));
      assert.ok(Number.isInteger(h) && h >= 0 && h < HASH_BUCKETS);
      hashes.add(h);
    }
    assert.ok(hashes.size > 4500, `hashes spread (${hashes.size} distinct of 5000)`);
  });
});
