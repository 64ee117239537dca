import { isIP } from 'node:net';

/**
 * SNS subscription filter policies, compiled once and matched per publish. Pure: no I/O, no clock.
 *
 * A policy is a JSON object whose keys name message attributes (scope `MessageAttributes`) or
 * message body properties (scope `MessageBody`, where objects nest). Each key lists values; a key
 * matches when one of its values matches one of the message's values (OR), and a policy matches
 * when every key matches (AND). `"$or": [{…}, {…}]` joins sub-policies with OR. The operators are
 * AWS's: exact strings, numbers, booleans and null; `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (a value, a list, or `{"prefix": …}`), `numeric` (`=`, `<`, `<=`, `>`, `>=`, and
 * ranges), `exists`, and `cidr`. Limits: 5 keys and 150 value combinations per policy (after
 * `$or` is expanded), numbers within ±10⁹ with 5 decimal places, 256 KB of JSON.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * Guarded by `test/services/topics/filter-policy.test.ts` (a conformance table of AWS's examples).
 */

export type FilterScope = 'MessageAttributes' | 'MessageBody';

/** A value as a filter sees it. Arrays in a message are flattened into their elements. */
export type FilterValue = string | number | boolean | null;

/** The values at a key path, or undefined when the message has no (leaf) value there. */
export type FilterLookup = (path: readonly string[]) => readonly FilterValue[] | undefined;

export class FilterPolicyError extends Error {
  override readonly name = 'FilterPolicyError';
}

export interface FilterPolicy {
  readonly scope: FilterScope;
  /** Whether a message, seen through `lookup`, passes the policy. */
  matches(lookup: FilterLookup): boolean;
}

export const MAX_KEYS = 5;
export const MAX_COMBINATIONS = 150;
export const MAX_POLICY_BYTES = 256 * 1024;
const MAX_NUMBER = 1e9;
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

type Test = (v: FilterValue) => boolean;

/** One key of one conjunction: the tests of its value list. */
interface Rule {
  path: string[];
  strings: Set<string>;
  numbers: Set<number>;
  /** Exact `true`, `false` or `null`. */
  literals: Set<boolean | null>;
  tests: Test[];
  /** `{"exists": true}` is in the list. */
  whenPresent: boolean;
  /** `{"exists": false}` is in the list. */
  whenAbsent: boolean;
  /** How many values the list holds (for the complexity limit). */
  width: number;
}

/** Numbers compare at AWS's precision: five digits after the decimal point. */
export function normaliseNumber(n: number): number {
  return Math.round(n * 1e5) / 1e5;
}

const fail = (reason: string): never => {
  throw new FilterPolicyError(reason);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkNumber(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return fail(`Value of ${what} must be numeric`);
  if (Math.abs(n) > MAX_NUMBER) return fail(`Value ${n} of ${what} is out of range: ±1e9`);
  return normaliseNumber(n);
}

function checkString(s: unknown, what: string): string {
  if (typeof s !== 'string') return fail(`Value of ${what} must be a string`);
  return s;
}

/** `[">", 0, "<=", 150]` and the like. */
function numericTest(spec: unknown): Test {
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4))
    return fail('Value of numeric must be an array of an operator and a number, or two of them');
  const op1 = spec[0];
  const n1 = checkNumber(spec[1], 'numeric');
  const cmp = (op: unknown, n: number): Test => {
    switch (op) {
      case '=':
        return (v) => typeof v === 'number' && normaliseNumber(v) === n;
      case '<':
        return (v) => typeof v === 'number' && normaliseNumber(v) < n;
      case '<=':
        return (v) => typeof v === 'number' && normaliseNumber(v) <= n;
      case '>':
        return (v) => typeof v === 'number' && normaliseNumber(v) > n;
      case '>=':
        return (v) => typeof v === 'number' && normaliseNumber(v) >= n;
      default:
        return fail(`Unrecognized numeric range operator: ${String(op)}`);
    }
  };
  if (spec.length === 2) return cmp(op1, n1);
  const op2 = spec[2];
  const n2 = checkNumber(spec[3], 'numeric');
  if ((op1 !== '>' && op1 !== '>=') || (op2 !== '<' && op2 !== '<='))
    return fail('Bad numeric range operator: a range is a lower bound (>, >=) then an upper bound (<, <=)');
  if (n1 >= n2) return fail('Bottom must be less than top');
  const lower = cmp(op1, n1);
  const upper = cmp(op2, n2);
  return (v) => lower(v) && upper(v);
}

/** `{"anything-but": "x" | 5 | ["x", "y"] | [1, 2] | {"prefix": "x"}}`. */
function anythingButTest(spec: unknown): Test {
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1 || keys[0] !== 'prefix')
      return fail(`Unsupported anything-but pattern: ${keys.join(', ')}`);
    const prefix = checkString(spec.prefix, 'prefix');
    if (prefix === '') return fail('Value of prefix must not be empty');
    return (v) => typeof v !== 'string' || !v.startsWith(prefix);
  }
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0) return fail('Empty arrays are not allowed');
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of list) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(checkNumber(item, 'anything-but'));
    else return fail('Value of anything-but must be a string, a number, or a list of them');
  }
  if (strings.size > 0 && numbers.size > 0)
    return fail('Value of anything-but must be a list of strings or a list of numbers, not both');
  return (v) =>
    typeof v === 'string' ? !strings.has(v) : typeof v === 'number' ? !numbers.has(normaliseNumber(v)) : true;
}

/** `{"cidr": "10.0.0.0/24"}` (IPv4 or IPv6). */
function cidrTest(spec: unknown): Test {
  const text = checkString(spec, 'cidr');
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const version = isIP(ip);
  const bits = version === 4 ? 32 : 128;
  const prefix = slash < 0 ? bits : Number(text.slice(slash + 1));
  if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits)
    return fail(`Malformed CIDR, one '/' required: ${text}`);
  const base = ipToBigInt(ip, version)!;
  const shift = BigInt(bits - prefix);
  const network = base >> shift;
  return (v) => {
    if (typeof v !== 'string' || isIP(v) !== version) return false;
    return ipToBigInt(v, version)! >> shift === network;
  };
}

function ipToBigInt(ip: string, version: number): bigint | undefined {
  if (version === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  // IPv6: expand "::", and an embedded IPv4 tail.
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]!, 4)!;
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g, 16)), 0n);
}

/** Compiles one key's value list. */
function compileRule(path: string[], values: unknown[]): Rule {
  if (values.length === 0) return fail('Empty arrays are not allowed');
  const rule: Rule = {
    path,
    strings: new Set(),
    numbers: new Set(),
    literals: new Set(),
    tests: [],
    whenPresent: false,
    whenAbsent: false,
    width: values.length,
  };
  for (const value of values) {
    if (typeof value === 'string') rule.strings.add(value);
    else if (typeof value === 'number') rule.numbers.add(checkNumber(value, path.join('.')));
    else if (value === null || typeof value === 'boolean') rule.literals.add(value);
    else if (isObject(value)) {
      const keys = Object.keys(value);
      if (keys.length !== 1)
        return fail(`Match value must have exactly one operator: ${JSON.stringify(value)}`);
      const op = keys[0]!;
      const spec = value[op];
      switch (op) {
        case 'prefix': {
          const p = checkString(spec, 'prefix');
          if (p === '') return fail('Value of prefix must not be empty');
          rule.tests.push((v) => typeof v === 'string' && v.startsWith(p));
          break;
        }
        case 'suffix': {
          const s = checkString(spec, 'suffix');
          if (s === '') return fail('Value of suffix must not be empty');
          rule.tests.push((v) => typeof v === 'string' && v.endsWith(s));
          break;
        }
        case 'equals-ignore-case': {
          const s = checkString(spec, 'equals-ignore-case').toLowerCase();
          rule.tests.push((v) => typeof v === 'string' && v.toLowerCase() === s);
          break;
        }
        case 'anything-but':
          rule.tests.push(anythingButTest(spec));
          break;
        case 'numeric':
          rule.tests.push(numericTest(spec));
          break;
        case 'cidr':
          rule.tests.push(cidrTest(spec));
          break;
        case 'exists':
          if (typeof spec !== 'boolean') return fail('exists match pattern must be either true or false.');
          if (spec) rule.whenPresent = true;
          else rule.whenAbsent = true;
          break;
        default:
          return fail(`Unrecognized match type ${op}`);
      }
    } else return fail('Match value must be String, number, true, false, or null');
  }
  return rule;
}

/** `"$or"` is an operator only with a list of two or more objects that use no operator names. */
function isOrList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((b) => isObject(b) && Object.keys(b).every((k) => !OPERATORS.has(k)))
  );
}

/** A policy object → its conjunctions (OR of ANDs), with `$or` and nesting expanded. */
function expand(policy: Record<string, unknown>, prefix: string[], scope: FilterScope): Rule[][] {
  if (Object.keys(policy).length === 0 && prefix.length > 0) return fail('Empty objects are not allowed');
  let out: Rule[][] = [[]];
  for (const [key, value] of Object.entries(policy)) {
    let alternatives: Rule[][];
    if (key === '$or' && isOrList(value)) {
      alternatives = value.flatMap((branch) => expand(branch, prefix, scope));
    } else if (Array.isArray(value)) {
      alternatives = [[compileRule([...prefix, key], value)]];
    } else if (isObject(value)) {
      if (scope === 'MessageAttributes')
        return fail('Filter policy scope MessageAttributes does not support nested filter policy');
      alternatives = expand(value, [...prefix, key], scope);
    } else return fail(`"${key}" must be an object or an array`);
    const next: Rule[][] = [];
    for (const conj of out) for (const alt of alternatives) next.push([...conj, ...alt]);
    // Past the limit either way; stop before the product grows further.
    if (next.length > MAX_COMBINATIONS) return fail('Filter policy is too complex');
    out = next;
  }
  return out;
}

/**
 * Parses and checks a policy, then compiles it for matching. Throws FilterPolicyError with AWS's
 * reason for a policy SNS would refuse.
 */
export function compileFilterPolicy(text: string, scope: FilterScope): FilterPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) fail('Filter policy is too large: at most 256 KB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`failed to parse JSON. ${(e as Error).message}`);
  }
  if (!isObject(parsed)) return fail('Filter policy must be a JSON object');
  const conjunctions = expand(parsed, [], scope);
  let combinations = 0;
  for (const conj of conjunctions) {
    if (conj.length > MAX_KEYS) fail(`Filter policy can not have more than ${MAX_KEYS} keys`);
    combinations += conj.reduce((product, r) => product * r.width, 1);
  }
  if (combinations > MAX_COMBINATIONS) fail('Filter policy is too complex');
  return {
    scope,
    matches: (lookup) => {
      for (const conj of conjunctions) if (conj.every((rule) => ruleMatches(rule, lookup))) return true;
      return false;
    },
  };
}

function ruleMatches(rule: Rule, lookup: FilterLookup): boolean {
  const values = lookup(rule.path);
  if (values === undefined) return rule.whenAbsent;
  if (rule.whenPresent) return true;
  for (const v of values) {
    if (typeof v === 'string') {
      if (rule.strings.has(v)) return true;
    } else if (typeof v === 'number') {
      if (rule.numbers.size > 0 && rule.numbers.has(normaliseNumber(v))) return true;
    } else if (rule.literals.has(v)) return true;
    for (const t of rule.tests) if (t(v)) return true;
  }
  return false;
}
