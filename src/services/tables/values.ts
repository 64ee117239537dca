/**
 * Attribute values: validation of what the wire brings, equality and ordering as DynamoDB
 * defines them, and item sizes. Pure: no I/O.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 * Guarded by `test/services/tables/values.test.ts`.
 */
import { TableError, validationError } from './errors.ts';
import { compareNumbers, decimalSize, normalizeNumber, parseNumber } from './numbers.ts';
import type { AttributeValue, Item } from './types.ts';

/** The ten type descriptors, as the wire spells them. */
export type AttributeType = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

/** DynamoDB allows 32 levels of nested lists and maps. */
export const MAX_NESTING_DEPTH = 32;

const INVALID = 'One or more parameter values were invalid: ';

/** The type of a (valid) attribute value. */
export function typeOf(value: AttributeValue): AttributeType {
  for (const key in value) return key as AttributeType;
  throw validationError(EMPTY_VALUE);
}

const EMPTY_VALUE = 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes';
const TYPES: ReadonlySet<string> = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/** How a JSON value's kind reads in DynamoDB's SerializationException messages. */
function jsonToken(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  switch (typeof value) {
    case 'number':
      return 'NUMBER_VALUE';
    case 'boolean':
      return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
    case 'string':
      return 'STRING_VALUE';
    case 'object':
      return value === null ? 'VALUE_NULL' : 'START_OBJECT';
    default:
      return 'VALUE_EMBEDDED_OBJECT';
  }
}

function serialization(value: unknown, target: string): TableError {
  return new TableError('SerializationException', `${jsonToken(value)} cannot be converted to ${target}`);
}

function expectString(value: unknown): string {
  if (typeof value !== 'string') throw serialization(value, 'String');
  return value;
}

function expectArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw serialization(value, 'List');
  return value;
}

/**
 * Checks one attribute value from the wire and returns it with its numbers in canonical form
 * (the same object when nothing needed rewriting). Throws DynamoDB's ValidationException or
 * SerializationException.
 */
export function validateValue(value: unknown, depth = 1): AttributeValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw serialization(value, 'AttributeValue');
  }
  let type: string | undefined;
  let count = 0;
  for (const key in value) {
    if (!TYPES.has(key) || (value as Record<string, unknown>)[key] == null) continue;
    type = key;
    count++;
  }
  if (count === 0 || type === undefined) throw validationError(EMPTY_VALUE);
  if (count > 1) {
    throw validationError(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const v = (value as Record<string, unknown>)[type];
  switch (type) {
    case 'S':
      expectString(v);
      return value as AttributeValue;
    case 'N': {
      const n = normalizeNumber(expectString(v));
      return n === v ? (value as AttributeValue) : { N: n };
    }
    case 'B':
      checkBase64(expectString(v));
      return value as AttributeValue;
    case 'SS':
      return validateStringSet(value as AttributeValue, expectArray(v));
    case 'NS':
      return validateNumberSet(value as AttributeValue, expectArray(v));
    case 'BS':
      return validateBinarySet(value as AttributeValue, expectArray(v));
    case 'NULL':
      if (v !== true) {
        if (typeof v !== 'boolean') throw serialization(v, 'Boolean');
        throw validationError(`${INVALID}Null attribute value types must have the value of true`);
      }
      return value as AttributeValue;
    case 'BOOL':
      if (typeof v !== 'boolean') throw serialization(v, 'Boolean');
      return value as AttributeValue;
    case 'L':
      return validateList(value as AttributeValue, expectArray(v), depth);
    default:
      return validateMap(value as AttributeValue, v, depth);
  }
}

function tooDeep(depth: number): void {
  if (depth > MAX_NESTING_DEPTH) throw validationError('Nesting Levels have exceeded supported limits');
}

function validateList(original: AttributeValue, list: unknown[], depth: number): AttributeValue {
  tooDeep(depth);
  let out: AttributeValue[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const checked = validateValue(list[i], depth + 1);
    if (checked !== list[i] && out === undefined) out = list.slice(0, i) as AttributeValue[];
    if (out !== undefined) out.push(checked);
  }
  return out === undefined ? original : { L: out };
}

function validateMap(original: AttributeValue, map: unknown, depth: number): AttributeValue {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw serialization(map, 'Map');
  tooDeep(depth);
  let out: Record<string, AttributeValue> | undefined;
  const entries = map as Record<string, unknown>;
  for (const key in entries) {
    const checked = validateValue(entries[key], depth + 1);
    if (checked !== entries[key] && out === undefined)
      out = { ...(entries as Record<string, AttributeValue>) };
    if (out !== undefined) out[key] = checked;
  }
  return out === undefined ? original : { M: out };
}

function validateStringSet(original: AttributeValue, members: unknown[]): AttributeValue {
  if (members.length === 0) throw validationError(`${INVALID}An string set  may not be empty`);
  const seen = new Set<string>();
  for (const m of members) seen.add(expectString(m));
  if (seen.size !== members.length) {
    throw validationError(`${INVALID}Input collection [${members.join(', ')}] contains duplicates.`);
  }
  return original;
}

function validateNumberSet(original: AttributeValue, members: unknown[]): AttributeValue {
  if (members.length === 0) throw validationError(`${INVALID}An number set  may not be empty`);
  let changed = false;
  const normalized: string[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    const n = normalizeNumber(expectString(m));
    if (n !== m) changed = true;
    normalized.push(n);
    seen.add(n);
  }
  if (seen.size !== members.length) throw validationError('Input collection contains duplicates');
  return changed ? { NS: normalized } : original;
}

function validateBinarySet(original: AttributeValue, members: unknown[]): AttributeValue {
  if (members.length === 0) throw validationError(`${INVALID}Binary sets should not be empty`);
  const seen = new Set<string>();
  for (const m of members) {
    checkBase64(expectString(m));
    seen.add(m as string);
  }
  if (seen.size !== members.length) {
    throw validationError(
      `${INVALID}Input collection [${members.join(', ')}]of type BS contains duplicates.`,
    );
  }
  return original;
}

/** Checks a whole item from the wire; returns it with canonical numbers. */
export function validateItem(item: unknown): Item {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw serialization(item, 'Map');
  let out: Item | undefined;
  const entries = item as Record<string, unknown>;
  for (const name in entries) {
    const checked = validateValue(entries[name]);
    if (checked !== entries[name] && out === undefined) out = { ...(entries as Item) };
    if (out !== undefined) out[name] = checked;
  }
  return out ?? (entries as Item);
}

// ---- Base64 ---------------------------------------------------------------------------------

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** Throws the SerializationException AWS's decoder gives for text that is not base64. */
export function checkBase64(text: string): void {
  const n = text.length;
  const blob = (why: string) =>
    new TableError('SerializationException', `'${text}' can not be converted to a Blob: ${why}`);
  if (n % 4 !== 0) throw blob(`Base64 encoded length is expected a multiple of 4 bytes but found: ${n}`);
  let end = n;
  if (n > 0 && text.charCodeAt(n - 1) === 61) end--;
  if (end < n && end > 0 && text.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) {
    if (!isBase64Char(text.charCodeAt(i))) throw blob(`Invalid Base64 character: '${text[i]}'`);
  }
}

/** The raw byte length of base64 text, without decoding it. */
export function base64Length(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  let pad = 0;
  if (text.charCodeAt(n - 1) === 61) pad++;
  if (n > 1 && text.charCodeAt(n - 2) === 61) pad++;
  return (n / 4) * 3 - pad;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

// ---- Equality and order ---------------------------------------------------------------------

/** UTF-8 byte order, which is code point order (UTF-16 code units differ above U+E000). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Unsigned byte order of two base64 binaries. */
export function compareBinaries(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(bytes(a), bytes(b));
}

/**
 * Orders two scalars of one type (S, N or B), as key conditions and `<` compare them; undefined
 * when the types differ or are not ordered.
 */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('S' in a) return 'S' in b ? compareStrings(a.S, b.S) : undefined;
  if ('N' in a) return 'N' in b ? compareNumbers(a.N, b.N) : undefined;
  if ('B' in a) return 'B' in b ? compareBinaries(a.B, b.B) : undefined;
  return undefined;
}

/** Whether two binaries hold the same bytes. */
export function binariesEqual(a: string, b: string): boolean {
  return a === b || bytes(a).equals(bytes(b));
}

/** Whether a set value has `member` (of the set's element type). */
export function setHas(set: AttributeValue, member: AttributeValue): boolean {
  if ('SS' in set) return 'S' in member && set.SS.includes(member.S);
  if ('NS' in set) return 'N' in member && set.NS.some((n) => compareNumbers(n, member.N) === 0);
  if ('BS' in set) return 'B' in member && set.BS.some((b) => binariesEqual(b, member.B));
  return false;
}

function numberKeys(members: string[]): Set<string> {
  return new Set(members.map(normalizeNumber));
}

function binaryKeys(members: string[]): Set<string> {
  return new Set(members.map((m) => bytes(m).toString('base64')));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** DynamoDB equality: same type and value; sets compare unordered, numbers numerically. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if ('S' in a) return 'S' in b && a.S === b.S;
  if ('N' in a) return 'N' in b && compareNumbers(a.N, b.N) === 0;
  if ('B' in a) return 'B' in b && binariesEqual(a.B, b.B);
  if ('BOOL' in a) return 'BOOL' in b && a.BOOL === b.BOOL;
  if ('NULL' in a) return 'NULL' in b;
  if ('SS' in a) return 'SS' in b && sameSet(new Set(a.SS), new Set(b.SS));
  if ('NS' in a) return 'NS' in b && sameSet(numberKeys(a.NS), numberKeys(b.NS));
  if ('BS' in a) return 'BS' in b && sameSet(binaryKeys(a.BS), binaryKeys(b.BS));
  if ('L' in a) {
    if (!('L' in b) || a.L.length !== b.L.length) return false;
    for (let i = 0; i < a.L.length; i++) if (!valuesEqual(a.L[i]!, b.L[i]!)) return false;
    return true;
  }
  if (!('M' in a) || !('M' in b)) return false;
  const x = a.M;
  const y = b.M;
  let count = 0;
  for (const key in x) {
    const other = y[key];
    if (other === undefined || !valuesEqual(x[key]!, other)) return false;
    count++;
  }
  for (const _ in y) count--;
  return count === 0;
}

// ---- Sizes ----------------------------------------------------------------------------------

/** UTF-8 byte length, counted without encoding. */
export function utf8Length(text: string): number {
  let total = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) total += 1;
    else if (c < 0x800) total += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        total += 4;
        i++;
      } else total += 3;
    } else total += 3;
  }
  return total;
}

/**
 * A value's bytes in an item's size: strings by UTF-8 length, binaries by raw length, numbers by
 * `numberSize`, BOOL and NULL 1, sets the sum of their members, and lists and maps 3 bytes plus
 * 1 per element plus their elements (and, for maps, the names).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function valueSize(value: AttributeValue): number {
  if ('S' in value) return utf8Length(value.S);
  if ('N' in value) return decimalSize(parseNumber(value.N));
  if ('B' in value) return base64Length(value.B);
  if ('BOOL' in value || 'NULL' in value) return 1;
  let total = 0;
  if ('SS' in value) for (const s of value.SS) total += utf8Length(s);
  else if ('NS' in value) for (const n of value.NS) total += decimalSize(parseNumber(n));
  else if ('BS' in value) for (const b of value.BS) total += base64Length(b);
  else if ('L' in value) {
    total = 3;
    for (const element of value.L) total += valueSize(element) + 1;
  } else {
    total = 3;
    const map = value.M;
    for (const key in map) total += utf8Length(key) + valueSize(map[key]!) + 1;
  }
  return total;
}

/** An item's size: each attribute's UTF-8 name plus its value. The limit is 400 KB. */
export function itemSize(item: Item): number {
  let total = 0;
  for (const name in item) total += utf8Length(name) + valueSize(item[name]!);
  return total;
}

/** DynamoDB's item size limit, 400 KB. */
export const MAX_ITEM_SIZE = 400 * 1024;
