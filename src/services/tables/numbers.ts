/**
 * DynamoDB numbers as exact decimals: never a JavaScript float. A number is up to 38 significant
 * digits, with a magnitude from 1E-130 to 9.9999999999999999999999999999999999999E+125 (or zero);
 * leading and trailing zeros are not significant. DynamoDB stores and returns the expanded
 * decimal ("1E2" comes back as "100", "1.50" as "1.5", "-0" as "0").
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
 * Guarded by `test/services/tables/numbers.test.ts`.
 */
import { validationError } from './errors.ts';

/** A decoded number: `(negative ? -1 : 1) × digits × 10^exponent`. Zero has `digits === ''`. */
export interface Decimal {
  readonly negative: boolean;
  /** The significant digits, without leading or trailing zeros. */
  readonly digits: string;
  readonly exponent: number;
}

export const MAX_SIGNIFICANT_DIGITS = 38;
/** The largest power of ten a number's leading digit may have (9.99…E+125). */
export const MAX_MAGNITUDE = 125;
/** The smallest (1E-130). */
export const MIN_MAGNITUDE = -130;

const NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';
const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
const UNDERFLOW =
  'Number underflow. Attempting to store a number with magnitude smaller than supported range';
const TOO_PRECISE = 'Attempting to store more than 38 significant digits in a Number';

const ZERO: Decimal = { negative: false, digits: '', exponent: 0 };

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Reads a number as Java's BigDecimal does (sign, digits, an optional point, an optional
 * exponent), then checks DynamoDB's range and precision. Throws a ValidationException.
 */
export function parseNumber(text: string): Decimal {
  const decoded = decode(text);
  if (decoded === undefined) throw validationError(`${NOT_NUMERIC}: ${text}`);
  check(decoded);
  return decoded;
}

function decode(text: string): Decimal | undefined {
  const n = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i = 1;
  }
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    fracStart = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return undefined;
  let exponent = 0;
  if (i < n && (text.charCodeAt(i) | 0x20) === 101 /* e */) {
    i++;
    let expNegative = false;
    const c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      expNegative = c === 45;
      i++;
    }
    const expStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart) return undefined;
    exponent = Number(text.slice(expStart, i));
    if (expNegative) exponent = -exponent;
  }
  if (i !== n) return undefined;
  const all = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
  return fromDigits(negative, all, exponent - (fracEnd - fracStart));
}

/** Trims a digit string's zeros into a Decimal. */
function fromDigits(negative: boolean, all: string, exponent: number): Decimal {
  let start = 0;
  let end = all.length;
  while (start < end && all.charCodeAt(start) === 48) start++;
  if (start === end) return ZERO;
  while (all.charCodeAt(end - 1) === 48) end--;
  return { negative, digits: all.slice(start, end), exponent: exponent + (all.length - end) };
}

function check(d: Decimal): void {
  if (d.digits === '') return;
  const magnitude = d.digits.length + d.exponent - 1;
  if (magnitude > MAX_MAGNITUDE) throw validationError(OVERFLOW);
  if (magnitude < MIN_MAGNITUDE) throw validationError(UNDERFLOW);
  if (d.digits.length > MAX_SIGNIFICANT_DIGITS) throw validationError(TOO_PRECISE);
}

/** The expanded decimal DynamoDB returns for a Decimal. */
export function formatNumber(d: Decimal): string {
  if (d.digits === '') return '0';
  const sign = d.negative ? '-' : '';
  const { digits, exponent } = d;
  if (exponent >= 0) return sign + digits + '0'.repeat(exponent);
  const point = digits.length + exponent;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

/**
 * Whether `text` is already in canonical form and within range: the common case ("42", "-1.5")
 * skips decoding. Short enough (≤ 38 characters) that neither precision nor range can be exceeded.
 */
function isCanonical(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > MAX_SIGNIFICANT_DIGITS) return false;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  const lead = text.charCodeAt(i);
  if (lead === 48) {
    // "0" alone, or "0.xxx" with a non-zero last digit; never "-0".
    if (n === 1) return true;
    if (text.charCodeAt(i + 1) !== 46) return false;
  } else if (!isDigit(lead)) return false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (i === n - 1 || text.charCodeAt(n - 1) === 48) return false;
      for (i++; i < n; i++) if (!isDigit(text.charCodeAt(i))) return false;
      return true;
    }
    if (!isDigit(c)) return false;
  }
  return true;
}

/** Validates a number string and returns DynamoDB's canonical form of it. */
export function normalizeNumber(text: string): string {
  if (isCanonical(text)) return text;
  return formatNumber(parseNumber(text));
}

/** Orders two decoded numbers: negative, zero or positive as `a` is less, equal or greater. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const signA = a.digits === '' ? 0 : a.negative ? -1 : 1;
  const signB = b.digits === '' ? 0 : b.negative ? -1 : 1;
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  const magA = a.digits.length + a.exponent;
  const magB = b.digits.length + b.exponent;
  let order =
    magA === magB ? (a.digits === b.digits ? 0 : a.digits < b.digits ? -1 : 1) : magA < magB ? -1 : 1;
  if (signA < 0) order = -order;
  return order;
}

/** Orders two number strings numerically (both must be valid numbers). */
export function compareNumbers(a: string, b: string): number {
  if (a === b) return 0;
  return compareDecimals(parseNumber(a), parseNumber(b));
}

function toBigInt(d: Decimal, exponent: number): bigint {
  if (d.digits === '') return 0n;
  const m = BigInt(d.digits) * 10n ** BigInt(d.exponent - exponent);
  return d.negative ? -m : m;
}

function combine(a: Decimal, b: Decimal, subtract: boolean): string {
  const exponent = Math.min(a.exponent, b.exponent);
  const x = toBigInt(a, exponent);
  const y = toBigInt(b, exponent);
  const sum = subtract ? x - y : x + y;
  const negative = sum < 0n;
  const result = fromDigits(negative, (negative ? -sum : sum).toString(), exponent);
  check(result);
  return formatNumber(result);
}

/** `a + b`, exact; the result must fit DynamoDB's range and precision. */
export function addNumbers(a: string, b: string): string {
  return combine(parseNumber(a), parseNumber(b), false);
}

/** `a - b`, exact; the result must fit DynamoDB's range and precision. */
export function subtractNumbers(a: string, b: string): string {
  return combine(parseNumber(a), parseNumber(b), true);
}

/**
 * The bytes a number takes in an item's size. DynamoDB documents "1 byte per two significant
 * digits, plus 1"; measured against AWS, the digits pair up from the decimal point (base 100),
 * so 1.5 costs 3 where 15 costs 2, and a negative number costs one byte more. Zero costs 1.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function numberSize(text: string): number {
  return decimalSize(parseNumber(text));
}

export function decimalSize(d: Decimal): number {
  if (d.digits === '') return 1;
  const top = d.exponent + d.digits.length - 1;
  const pairs = Math.floor(top / 2) - Math.floor(d.exponent / 2) + 1;
  return 1 + pairs + (d.negative ? 1 : 0);
}
