import { MalformedPolicy, malformed } from './errors.ts';
import { inRange, parseCidr, parseIp } from './ip-address.ts';
import { compilePattern, type KeyLookup, type PatternTest, parseTemplate, resolveText } from './variables.ts';

/**
 * IAM's condition operators: their names, and each one's test of a single request value against
 * the policy's values (the `OR` across the values). Negation, `...IfExists`, missing keys and the
 * `ForAllValues:` / `ForAnyValue:` set qualifiers are applied on top, in `conditions.ts`. Pure.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * Guarded by `test/governance/policy/conditions.test.ts`.
 */

export type OperatorType =
  | 'String'
  | 'StringIgnoreCase'
  | 'StringLike'
  | 'Numeric'
  | 'Date'
  | 'Bool'
  | 'Binary'
  | 'IpAddress'
  | 'Arn'
  | 'Null';

export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

export interface ConditionOperator {
  readonly type: OperatorType;
  readonly compare: Comparison;
  /** `StringNotEquals`, `NotIpAddress`, `ArnNotLike`…: the policy's values are joined by NOR. */
  readonly negated: boolean;
  /** `...IfExists`: an absent key makes the condition true. */
  readonly ifExists: boolean;
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
}

type Base = Pick<ConditionOperator, 'type' | 'compare' | 'negated'>;

const base = (type: OperatorType, compare: Comparison = 'eq', negated = false): Base => ({
  type,
  compare,
  negated,
});

const ordered = (type: 'Numeric' | 'Date'): [string, Base][] => [
  [`${type}Equals`, base(type)],
  [`${type}NotEquals`, base(type, 'eq', true)],
  [`${type}LessThan`, base(type, 'lt')],
  [`${type}LessThanEquals`, base(type, 'le')],
  [`${type}GreaterThan`, base(type, 'gt')],
  [`${type}GreaterThanEquals`, base(type, 'ge')],
];

/** Keyed by lower-cased name: IAM documents one spelling, and accepting other cases costs nothing. */
const OPERATORS = new Map<string, Base>(
  (
    [
      ['StringEquals', base('String')],
      ['StringNotEquals', base('String', 'eq', true)],
      ['StringEqualsIgnoreCase', base('StringIgnoreCase')],
      ['StringNotEqualsIgnoreCase', base('StringIgnoreCase', 'eq', true)],
      ['StringLike', base('StringLike')],
      ['StringNotLike', base('StringLike', 'eq', true)],
      ...ordered('Numeric'),
      ...ordered('Date'),
      ['Bool', base('Bool')],
      ['BinaryEquals', base('Binary')],
      ['IpAddress', base('IpAddress')],
      ['NotIpAddress', base('IpAddress', 'eq', true)],
      ['ArnEquals', base('Arn')],
      ['ArnLike', base('Arn')],
      ['ArnNotEquals', base('Arn', 'eq', true)],
      ['ArnNotLike', base('Arn', 'eq', true)],
      ['Null', base('Null')],
    ] as [string, Base][]
  ).map(([name, b]) => [name.toLowerCase(), b]),
);

/** Parses `ForAnyValue:StringLikeIfExists` and the like; `undefined` for an unknown operator. */
export function parseOperator(name: string): ConditionOperator | undefined {
  let rest = name.toLowerCase();
  let set: ConditionOperator['set'];
  if (rest.startsWith('forallvalues:')) set = 'ForAllValues';
  else if (rest.startsWith('foranyvalue:')) set = 'ForAnyValue';
  if (set !== undefined) rest = rest.slice(rest.indexOf(':') + 1);
  let found = OPERATORS.get(rest);
  let ifExists = false;
  if (found === undefined && rest.endsWith('ifexists')) {
    found = OPERATORS.get(rest.slice(0, -'ifexists'.length));
    ifExists = true;
  }
  // `Null` tests presence itself: it takes neither IfExists nor a set qualifier.
  if (found === undefined || (found.type === 'Null' && (ifExists || set !== undefined))) return undefined;
  return { ...found, ifExists, set };
}

/** A scalar request value. */
export type Scalar = string | number | boolean;

/**
 * Whether one request value matches at least one of the policy's values; `undefined` when a policy
 * variable in those values cannot be resolved for this request.
 */
export type ValueTest = (value: Scalar, keys: KeyLookup) => boolean | undefined;

const text = (v: Scalar): string => (typeof v === 'string' ? v : String(v));

function toNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Milliseconds since the epoch: ISO 8601 text, or epoch time as a number or a string of digits,
 * read as seconds (`aws:EpochTime` is in seconds) unless it is too large to be (≥ 1e11, the year
 * 5138), which is then read as milliseconds.
 */
export function toDate(v: Scalar): number | undefined {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  if (n !== undefined) return Math.abs(n) >= 1e11 ? n : n * 1000;
  if (typeof v !== 'string') return undefined;
  // `Date.parse` costs ~0.3 µs, and one request's aws:CurrentTime is read by several conditions
  // (and is the same text for every request within a second): remember the last one.
  if (v === lastDateText) return lastDate;
  const ms = Date.parse(v);
  lastDateText = v;
  lastDate = Number.isNaN(ms) ? undefined : ms;
  return lastDate;
}

let lastDateText: string | undefined;
let lastDate: number | undefined;

/** A request's aws:SourceIp, parsed; remembered like dates, as several statements test it. */
function requestIp(v: string): ReturnType<typeof parseIp> {
  if (v !== lastIpText) {
    lastIpText = v;
    lastIp = parseIp(v);
  }
  return lastIp;
}

let lastIpText: string | undefined;
let lastIp: ReturnType<typeof parseIp>;

const compare = (c: Comparison, a: number, b: number): boolean =>
  c === 'eq' ? a === b : c === 'lt' ? a < b : c === 'le' ? a <= b : c === 'gt' ? a > b : a >= b;

/** Operators whose values may hold policy variables; the others take their values literally. */
const VARIABLE_TYPES = new Set<OperatorType>(['String', 'StringIgnoreCase', 'StringLike', 'Bool', 'Arn']);

/**
 * Compiles the policy's values for one operator into a `ValueTest`. Values that can never match
 * (a date that is no date, an address that is no address) make the policy malformed.
 */
export function compileValues(
  op: ConditionOperator,
  values: readonly string[],
  variables: boolean,
): ValueTest {
  const vars = variables && VARIABLE_TYPES.has(op.type);
  switch (op.type) {
    case 'String':
    case 'Binary':
      return exact(values, vars, false);
    case 'StringIgnoreCase':
      return exact(values, vars, true);
    case 'Bool':
      return exact(values, vars, true);
    case 'StringLike':
    case 'Arn': {
      const tests: PatternTest[] = values.map((v) => compilePattern(v, op.type === 'Arn', vars));
      const templated = vars && values.some((v) => parseTemplate(v) !== undefined);
      return (value, keys) => anyPattern(tests, text(value), keys, templated);
    }
    case 'Numeric': {
      const nums = values.map((v) => toNumber(v) ?? malformed(MalformedPolicy.syntax));
      return (value) => {
        const n = toNumber(value);
        return n !== undefined && nums.some((p) => compare(op.compare, n, p));
      };
    }
    case 'Date': {
      const dates = values.map((v) => toDate(v) ?? malformed(MalformedPolicy.syntax));
      return (value) => {
        const d = toDate(value);
        return d !== undefined && dates.some((p) => compare(op.compare, d, p));
      };
    }
    case 'IpAddress': {
      const ranges = values.map((v) => parseCidr(v) ?? malformed(MalformedPolicy.syntax));
      return (value) => {
        const ip = requestIp(text(value));
        return ip !== undefined && ranges.some((r) => inRange(ip, r));
      };
    }
    case 'Null':
      // Presence is tested in `conditions.ts`; this only checks the values are booleans.
      for (const v of values)
        if (v.toLowerCase() !== 'true' && v.toLowerCase() !== 'false') malformed(MalformedPolicy.syntax);
      return () => false;
  }
}

/**
 * Whether a pattern matches. With variables every pattern is resolved before answering: one that
 * cannot be resolved voids the condition even when another matched, whatever their order.
 */
function anyPattern(
  tests: readonly PatternTest[],
  value: string,
  keys: KeyLookup,
  templated: boolean,
): boolean | undefined {
  let hit = false;
  for (const t of tests) {
    const r = t(value, keys);
    if (r === undefined) return undefined;
    if (r) {
      if (!templated) return true;
      hit = true;
    }
  }
  return hit;
}

/** Exact comparison, optionally ignoring case, with a set for long static lists. */
function exact(values: readonly string[], vars: boolean, fold: boolean): ValueTest {
  const norm = (s: string) => (fold ? s.toLowerCase() : s);
  const templates = vars ? values.map(parseTemplate) : [];
  if (templates.some((t) => t !== undefined)) {
    return (value, keys) => {
      const v = norm(text(value));
      let hit = false;
      for (let i = 0; i < values.length; i++) {
        const t = templates[i];
        const p = t === undefined ? values[i]! : resolveText(t, keys);
        if (p === undefined) return undefined;
        if (norm(p) === v) hit = true;
      }
      return hit;
    };
  }
  if (values.length === 1) {
    const only = norm(values[0]!);
    return (value) => norm(text(value)) === only;
  }
  const set = new Set(values.map(norm));
  return (value) => set.has(norm(text(value)));
}
