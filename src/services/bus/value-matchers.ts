import { BlockList, isIP } from 'node:net';
import { BusError } from './errors.ts';

/**
 * The leaf of an EventBridge event pattern: one field's list of values and operators, compiled
 * once. Pure: no I/O. The operators and their error texts follow AWS's open-source matcher,
 * event-ruler (`JsonRuleCompiler`), which is what EventBridge runs:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * Guarded by `test/services/bus/pattern.test.ts`.
 */

/** A leaf value of an event: arrays are flattened into their elements before a leaf sees them. */
export type LeafValue = string | number | boolean | null;

type Test = (v: LeafValue) => boolean;

/** One field of a pattern: it matches when one of its values matches one of the event's values. */
export interface Leaf {
  /** Exact strings. */
  readonly strings: ReadonlySet<string>;
  /** Exact numbers, normalised (numbers compare by value: 300 matches 3.0e2). */
  readonly numbers: ReadonlySet<number>;
  /** Exact `true`, `false` and `null`. */
  readonly literals: ReadonlySet<boolean | null>;
  /** Every other operator. */
  readonly tests: readonly Test[];
  /** `{"exists": true}` is listed: any value matches. */
  readonly whenPresent: boolean;
  /** `{"exists": false}` is listed: the field's absence matches. */
  readonly whenAbsent: boolean;
}

/** EventBridge's numeric range: ±5.0e9, with six digits after the decimal point. */
export const MAX_NUMBER = 5e9;

export const invalid = (reason: string): never => {
  throw new BusError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers compare at EventBridge's precision: six digits after the decimal point. */
export function normaliseNumber(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function patternNumber(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return invalid(`Value of ${what} must be numeric`);
  if (Math.abs(n) > MAX_NUMBER) return invalid('Value must be between -5.0E9 and 5.0E9, inclusive');
  return normaliseNumber(n);
}

function patternString(s: unknown, what: string): string {
  if (typeof s !== 'string') return invalid(`${what} match pattern must be a string`);
  return s;
}

/** Event numbers outside EventBridge's range never satisfy a numeric comparison. */
const comparable = (v: LeafValue): v is number => typeof v === 'number' && Math.abs(v) <= MAX_NUMBER;

/** `[">", 0, "<=", 5]`, `["<", 10]`, `["=", 3.018e2]`. */
function numericTest(spec: unknown): Test {
  if (!Array.isArray(spec)) return invalid('Value of numeric must be an array.');
  const [op1, n1, op2, n2, ...rest] = spec as unknown[];
  if (typeof op1 !== 'string') return invalid(`Invalid member in numeric match: ${JSON.stringify(op1)}`);
  const lower = op1 === '>' || op1 === '>=';
  if (op1 !== '=' && op1 !== '<' && op1 !== '<=' && !lower)
    return invalid(`Unrecognized numeric range operator: ${op1}`);
  const a = patternNumber(n1, op1 === '=' ? 'equals' : op1);
  if (spec.length === 2) {
    const cmp: Record<string, Test> = {
      '=': (v) => comparable(v) && normaliseNumber(v) === a,
      '<': (v) => comparable(v) && normaliseNumber(v) < a,
      '<=': (v) => comparable(v) && normaliseNumber(v) <= a,
      '>': (v) => comparable(v) && normaliseNumber(v) > a,
      '>=': (v) => comparable(v) && normaliseNumber(v) >= a,
    };
    return cmp[op1]!;
  }
  if (!lower || spec.length < 4 || rest.length > 0)
    return invalid(
      lower ? 'Too many terms in numeric range expression' : 'Too many elements in numeric expression',
    );
  if (op2 !== '<' && op2 !== '<=') return invalid(`Bad numeric range operator: ${String(op2)}`);
  const b = patternNumber(n2, op2);
  if (a >= b) return invalid('Bottom must be less than top');
  const openBottom = op1 === '>';
  const openTop = op2 === '<';
  return (v) => {
    if (!comparable(v)) return false;
    const n = normaliseNumber(v);
    return (openBottom ? n > a : n >= a) && (openTop ? n < b : n <= b);
  };
}

/**
 * A wildcard value as an anchored RegExp: `*` matches any run of characters (none included),
 * `\*` and `\\` are a literal star and backslash. Two stars in a row, or any other escape, are
 * refused as event-ruler's `WildcardParser` refuses them.
 */
export function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') return invalid(`Consecutive wildcard characters at pos ${i}`);
      source += '.*';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') return invalid(`Invalid escape character at pos ${i}`);
      source += `\\${next}`;
      i++;
    } else source += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** `{"cidr": "10.0.0.0/24"}` or an IPv6 block: matches event strings that are addresses inside it. */
function cidrTest(spec: unknown): Test {
  const text = patternString(spec, 'cidr');
  const parts = text.split('/');
  if (parts.length !== 2) return invalid(`Malformed CIDR, one '/' required: ${text}`);
  const [ip = '', maskText = ''] = parts;
  const version = isIP(ip);
  const bits = version === 4 ? 32 : 128;
  const mask = /^\d+$/.test(maskText) ? Number(maskText) : Number.NaN;
  if (version === 0) return invalid(`Nonstandard IP address: ${ip}`);
  if (!Number.isInteger(mask) || mask < 0 || mask > bits)
    return invalid(`Malformed CIDR, mask bits must be between 0 and ${bits}: ${text}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(ip, mask, family);
  return (v) => typeof v === 'string' && isIP(v) === version && block.check(v, family);
}

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}`, and the same for suffix. */
function affixTest(op: 'prefix' | 'suffix', spec: unknown): Test {
  let ignoreCase = false;
  let value = spec;
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1) return invalid('Only one key allowed in match expression');
    if (keys[0] !== 'equals-ignore-case') return invalid(`Unsupported ${op} pattern: ${keys[0]}`);
    ignoreCase = true;
    value = spec['equals-ignore-case'];
  }
  const text = patternString(value, ignoreCase ? 'equals-ignore-case' : op);
  if (ignoreCase) {
    const lower = text.toLowerCase();
    return op === 'prefix'
      ? (v) => typeof v === 'string' && v.toLowerCase().startsWith(lower)
      : (v) => typeof v === 'string' && v.toLowerCase().endsWith(lower);
  }
  return op === 'prefix'
    ? (v) => typeof v === 'string' && v.startsWith(text)
    : (v) => typeof v === 'string' && v.endsWith(text);
}

/**
 * `{"anything-but": …}`: a string, a number, a list of strings or of numbers, or an object
 * naming `prefix`, `suffix`, `equals-ignore-case` or `wildcard` with a string or a list. It
 * matches a present value that none of its values excludes; values of another type (a number
 * against a list of strings) are not excluded, as in event-ruler.
 */
function anythingButTest(spec: unknown): Test {
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1) return invalid('Only one key allowed in match expression');
    const op = keys[0]!;
    if (op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard')
      return invalid(`Unsupported anything-but pattern: ${op}`);
    const raw = spec[op];
    if (!Array.isArray(raw) && typeof raw !== 'string' && typeof raw !== 'number')
      return invalid('Value of anything-but must be an array or single string/number value.');
    const list = Array.isArray(raw) ? raw : [raw];
    const texts = list.map((item) => {
      if (typeof item !== 'string') {
        if (op === 'equals-ignore-case')
          return invalid(
            'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
          );
        return invalid(
          op === 'wildcard'
            ? 'wildcard match pattern must be a string'
            : 'prefix/suffix match pattern must be a string',
        );
      }
      if ((op === 'prefix' || op === 'suffix') && item === '')
        return invalid('Null prefix/suffix not allowed');
      return item;
    });
    if (texts.length === 0) return invalid('Empty arrays are not allowed');
    switch (op) {
      case 'prefix':
        return (v) => typeof v !== 'string' || !texts.some((t) => v.startsWith(t));
      case 'suffix':
        return (v) => typeof v !== 'string' || !texts.some((t) => v.endsWith(t));
      case 'equals-ignore-case': {
        const lowered = new Set(texts.map((t) => t.toLowerCase()));
        return (v) => typeof v !== 'string' || !lowered.has(v.toLowerCase());
      }
      default: {
        const res = texts.map(wildcardRegExp);
        return (v) => typeof v !== 'string' || !res.some((re) => re.test(v));
      }
    }
  }
  if (!Array.isArray(spec) && typeof spec !== 'string' && typeof spec !== 'number')
    return invalid('Value of anything-but must be an array or single string/number value.');
  const list: unknown[] = Array.isArray(spec) ? spec : [spec];
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of list) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(patternNumber(item, 'anything-but'));
    else return invalid('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.size > 0 === numbers.size > 0)
    return invalid(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  return (v) =>
    typeof v === 'string' ? !strings.has(v) : typeof v === 'number' ? !numbers.has(normaliseNumber(v)) : true;
}

/** Compiles one object operator, such as `{"prefix": "x"}`, into the leaf. */
function addOperator(leaf: MutableLeaf, value: Record<string, unknown>): void {
  const keys = Object.keys(value);
  if (keys.length === 0) invalid('Match expression name not found');
  if (keys.length > 1) invalid('Only one key allowed in match expression');
  const op = keys[0]!;
  const spec = value[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      leaf.tests.push(affixTest(op, spec));
      return;
    case 'equals-ignore-case': {
      const lower = patternString(spec, 'equals-ignore-case').toLowerCase();
      leaf.tests.push((v) => typeof v === 'string' && v.toLowerCase() === lower);
      return;
    }
    case 'wildcard': {
      const re = wildcardRegExp(patternString(spec, 'wildcard'));
      leaf.tests.push((v) => typeof v === 'string' && re.test(v));
      return;
    }
    case 'anything-but':
      leaf.tests.push(anythingButTest(spec));
      return;
    case 'numeric':
      leaf.tests.push(numericTest(spec));
      return;
    case 'cidr':
      leaf.tests.push(cidrTest(spec));
      return;
    case 'exists':
      if (typeof spec !== 'boolean') invalid('exists match pattern must be either true or false.');
      if (spec) leaf.whenPresent = true;
      else leaf.whenAbsent = true;
      return;
    default:
      invalid(`Unrecognized match type ${op}`);
  }
}

interface MutableLeaf {
  strings: Set<string>;
  numbers: Set<number>;
  literals: Set<boolean | null>;
  tests: Test[];
  whenPresent: boolean;
  whenAbsent: boolean;
}

/** Compiles a field's value list (`"state": ["running", {"prefix": "stop"}]`). */
export function compileLeaf(values: readonly unknown[]): Leaf {
  if (values.length === 0) return invalid('Empty arrays are not allowed');
  const leaf: MutableLeaf = {
    strings: new Set(),
    numbers: new Set(),
    literals: new Set(),
    tests: [],
    whenPresent: false,
    whenAbsent: false,
  };
  for (const value of values) {
    if (typeof value === 'string') leaf.strings.add(value);
    // A number too large for EventBridge's numeric form (an account id) still matches exactly.
    else if (typeof value === 'number') leaf.numbers.add(normaliseNumber(value));
    else if (value === null || typeof value === 'boolean') leaf.literals.add(value);
    else if (isObject(value)) addOperator(leaf, value);
    else return invalid('Match value must be String, number, true, false, or null');
  }
  return leaf;
}

/** Whether one present value satisfies the leaf (`exists: true` included). */
export function valueMatches(leaf: Leaf, v: LeafValue): boolean {
  if (leaf.whenPresent) return true;
  if (typeof v === 'string') {
    if (leaf.strings.has(v)) return true;
  } else if (typeof v === 'number') {
    if (leaf.numbers.size > 0 && leaf.numbers.has(normaliseNumber(v))) return true;
  } else if (leaf.literals.has(v)) return true;
  const tests = leaf.tests;
  for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
  return false;
}

/** The key under which the rule index files an exact value; equal values get equal keys. */
export function valueKey(v: LeafValue): string {
  return typeof v === 'string' ? `s${v}` : typeof v === 'number' ? `n${normaliseNumber(v)}` : `l${v}`;
}

/** A leaf that only lists exact values, with no operator: the rule index can key on it. */
export function isExactOnly(leaf: Leaf): boolean {
  return leaf.tests.length === 0 && !leaf.whenPresent && !leaf.whenAbsent;
}
