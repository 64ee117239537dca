/**
 * Key values as bytes whose plain byte order (SQLite's BLOB memcmp, PostgreSQL's bytea) is
 * DynamoDB's key order: S by UTF-8 bytes, B by unsigned bytes, N numerically. Each encoded value
 * sits in a column of its own (partition key, sort key), so no type tag or terminator between
 * values is needed. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html
 * Guarded by `test/services/tables/keys.test.ts`.
 */
import { parseNumber } from './numbers.ts';
import type { AttributeValue, Item, KeySchema, KeyType } from './types.ts';

/** A key in encoded form: the partition key's bytes and the sort key's (empty without one). */
export interface EncodedKey {
  pk: Buffer;
  sk: Buffer;
}

const EMPTY = Buffer.alloc(0);

// Numbers: a sign byte, then (for non-zero) one exponent byte and the digits paired base 100.
// The sign bytes put negatives before zero before positives.
const NEGATIVE = 0x01;
const ZERO = 0x02;
const POSITIVE = 0x03;
/** Ends a negative number's digits: above every inverted digit pair (at most 254). */
const NEGATIVE_END = 0xff;
/** DynamoDB's smallest decimal exponent (1E-130): the exponent byte is `E + 130`, 0 to 255. */
const EXPONENT_BIAS = 130;

/**
 * A number's order-preserving bytes. With the value written `d.ddd… × 10^E` (first digit non-zero,
 * no trailing zeros): a sign byte, the byte `E + 130`, then the digits two by two, each pair as
 * `10a + b + 1` (1 to 100; an odd last digit is paired with 0). A shorter digit string that is a
 * prefix of a longer one is the smaller value, which is what memcmp says of shorter bytes.
 * Negatives invert the exponent and digit bytes (255 − x) and end with 0xFF, so that there a
 * longer digit string (a larger magnitude) sorts first. Zero, `-0` and `0.000` are one byte.
 * Throws a ValidationException for a malformed or out-of-range number.
 */
export function encodeNumber(text: string): Buffer {
  const d = parseNumber(text);
  if (d.digits === '') return Buffer.of(ZERO);
  const digits = d.digits;
  const pairs = (digits.length + 1) >> 1;
  const out = Buffer.allocUnsafe(2 + pairs + (d.negative ? 1 : 0));
  const exponent = d.exponent + digits.length - 1 + EXPONENT_BIAS;
  out[0] = d.negative ? NEGATIVE : POSITIVE;
  out[1] = d.negative ? 255 - exponent : exponent;
  for (let i = 0; i < pairs; i++) {
    const a = digits.charCodeAt(2 * i) - 48;
    const b = 2 * i + 1 < digits.length ? digits.charCodeAt(2 * i + 1) - 48 : 0;
    const pair = 10 * a + b + 1;
    out[2 + i] = d.negative ? 255 - pair : pair;
  }
  if (d.negative) out[2 + pairs] = NEGATIVE_END;
  return out;
}

/** A key value's bytes, or undefined when the value is not of the key's declared type. */
export function encodeKeyValue(type: KeyType, value: AttributeValue | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  if (type === 'S') return 'S' in value ? Buffer.from(value.S, 'utf8') : undefined;
  if (type === 'N') return 'N' in value ? encodeNumber(value.N) : undefined;
  return 'B' in value ? Buffer.from(value.B, 'base64') : undefined;
}

/**
 * An item's key under a table's or an index's key schema, or undefined when the item lacks a key
 * attribute or holds it with another type. That is also the rule for an index: an item appears
 * in a (sparse) index only when it has the index's key attributes with their declared types.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html
 *
 * @example
 * keyOf(def, { id: { S: 'a' }, n: { N: '1' } }); // { pk: <61>, sk: <> } for a hash-only table
 * keyOf(def.indexes[0]!, item); // undefined when the item is not in that index
 */
export function keyOf(def: { key: KeySchema }, item: Item): EncodedKey | undefined {
  const { hash, range } = def.key;
  const pk = encodeKeyValue(hash.type, item[hash.name]);
  if (pk === undefined) return undefined;
  if (range === undefined) return { pk, sk: EMPTY };
  const sk = encodeKeyValue(range.type, item[range.name]);
  return sk === undefined ? undefined : { pk, sk };
}

/** The key attributes of `item` under a key schema (the item must have them). */
export function keyAttributes(schema: KeySchema, item: Item): Item {
  const key: Item = { [schema.hash.name]: item[schema.hash.name]! };
  if (schema.range) key[schema.range.name] = item[schema.range.name]!;
  return key;
}

/**
 * The smallest byte string greater than every string starting with `prefix`, for
 * `begins_with(sk, prefix)` as the range `prefix <= sk < successor`. Undefined when there is none
 * (an empty prefix, or one of 0xFF bytes only): then the range has no upper bound.
 */
export function prefixSuccessor(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1]! += 1;
  return out;
}

/** How many hash buckets parallel scans divide: a partition key's hash is 0 to 65535. */
export const HASH_BUCKETS = 65536;

/**
 * A 16-bit hash of a partition key's bytes (FNV-1a, folded). Scans walk items in
 * (hash, partition key, sort key) order, and segment `s` of `T` covers the hashes
 * `[floor(s × 65536 / T), floor((s + 1) × 65536 / T))`: every item falls in exactly one segment.
 */
export function keyHash(pk: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < pk.length; i++) h = Math.imul(h ^ pk[i]!, 0x01000193);
  return ((h >>> 16) ^ h) & 0xffff;
}

/** The hash range `[low, high)` of parallel scan segment `segment` of `total`. */
export function segmentRange(segment: number, total: number): { low: number; high: number } {
  return {
    low: Math.floor((segment * HASH_BUCKETS) / total),
    high: Math.floor(((segment + 1) * HASH_BUCKETS) / total),
  };
}
