import { BusError } from './errors.ts';
import {
  compileLeaf,
  invalid,
  isExactOnly,
  type Leaf,
  type LeafValue,
  valueKey,
  valueMatches,
} from './value-matchers.ts';

/**
 * EventBridge event patterns, compiled once and matched per event. Pure: no I/O, no clock.
 *
 * A pattern is a JSON object shaped like the events it matches: each key names a field, an
 * object nests, and an array lists the values the field may take (any of them). Every key must
 * match (AND); `"$or": [{…}, {…}]` joins sub-patterns at any level. An event field that is an
 * array matches when one of its elements does; when the pattern reaches into an array of objects,
 * the fields it names must all match within one element (event-ruler's array consistency).
 * The leaf operators live in `value-matchers.ts`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * Guarded by `test/services/bus/pattern.test.ts` (a conformance table of AWS's examples).
 */

/** One level of a pattern: fields that must all match, and `$or` groups (one branch each). */
export interface PatternObject {
  readonly fields: readonly PatternField[];
  readonly ors: readonly (readonly PatternObject[])[];
}

export type PatternField =
  | { readonly key: string; readonly leaf: Leaf; readonly object?: undefined }
  | { readonly key: string; readonly object: PatternObject; readonly leaf?: undefined };

export interface EventPattern {
  /** The pattern's JSON text, as given. */
  readonly text: string;
  readonly root: PatternObject;
  /** Whether a parsed event (a JSON value) matches. */
  matches(event: unknown): boolean;
}

/** EventBridge's default quota for the size of an event pattern, in characters (adjustable to 4096). */
export const MAX_PATTERN_LENGTH = 2048;

/** The fields TestEventPattern requires of its event (the TestEventPattern API reference). */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/** Operator names, refused as field names inside `$or` so that a typo is not read as a field. */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function compileObject(obj: Record<string, unknown>, inOr: boolean): PatternObject {
  const keys = Object.keys(obj);
  if (keys.length === 0) return invalid('Empty objects are not allowed');
  const fields: PatternField[] = [];
  const ors: PatternObject[][] = [];
  for (const key of keys) {
    const value = obj[key];
    if (key === '$or') {
      if (!Array.isArray(value)) return invalid('It must be an Array followed with $or.');
      const branches = value.map((branch) =>
        isObject(branch)
          ? compileObject(branch, true)
          : invalid('Only JSON object is allowed in array of $or relationship.'),
      );
      if (branches.length < 2) return invalid('There must have at least 2 Objects in $or relationship.');
      ors.push(branches);
      continue;
    }
    if (inOr && OPERATORS.has(key))
      return invalid(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (Array.isArray(value)) fields.push({ key, leaf: compileLeaf(value) });
    else if (isObject(value)) fields.push({ key, object: compileObject(value, inOr) });
    else return invalid(`"${key}" must be an object or an array`);
  }
  return { fields, ors };
}

/**
 * Parses and checks a pattern, then compiles it. Throws BusError `InvalidEventPatternException`
 * with event-ruler's reason for a pattern that EventBridge would refuse.
 */
export function compileEventPattern(text: string, options: { maxLength?: number } = {}): EventPattern {
  const maxLength = options.maxLength ?? MAX_PATTERN_LENGTH;
  if (text.length > maxLength)
    invalid(`Event pattern is too long: ${text.length} characters, at most ${maxLength}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return invalid((e as Error).message);
  }
  if (!isObject(parsed)) return invalid('Filter is not an object');
  const root = compileObject(parsed, false);
  return { text, root, matches: (event) => objectMatches(root, event) };
}

/** What the TestEventPattern API answers: the same matcher the bus uses. */
export function testEventPattern(pattern: string, event: string): boolean {
  const compiled = compileEventPattern(pattern);
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    throw new BusError('ValidationException', 'Parameter Event is not valid.');
  }
  if (!isObject(parsed) || REQUIRED_EVENT_FIELDS.some((f) => !Object.hasOwn(parsed, f)))
    throw new BusError('ValidationException', 'Parameter Event is not valid.');
  return compiled.matches(parsed);
}

/** A pattern level against the event value there: an object, an array of them, or nothing. */
function objectMatches(pattern: PatternObject, node: unknown): boolean {
  if (!Array.isArray(node)) return plainMatches(pattern, isObject(node) ? node : undefined);
  const elements: Record<string, unknown>[] = [];
  collectObjects(node, elements);
  // An array holding no object has nothing at this level: only absence can match.
  if (elements.length === 0) return plainMatches(pattern, undefined);
  for (const el of elements) if (plainMatches(pattern, el)) return true;
  return false;
}

function collectObjects(items: readonly unknown[], out: Record<string, unknown>[]): void {
  for (const item of items) {
    if (Array.isArray(item)) collectObjects(item, out);
    else if (isObject(item)) out.push(item);
  }
}

function plainMatches(pattern: PatternObject, obj: Record<string, unknown> | undefined): boolean {
  const fields = pattern.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = obj !== undefined && Object.hasOwn(obj, f.key) ? obj[f.key] : undefined;
    if (f.leaf === undefined) {
      if (!objectMatches(f.object, v)) return false;
    } else if (!fieldMatches(f.leaf, v)) return false;
  }
  for (const group of pattern.ors) {
    let any = false;
    for (const branch of group) {
      if (plainMatches(branch, obj)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/**
 * A leaf against the event value at its field. An object there is not a leaf value, and an
 * array gives its (flattened) elements; a field with no leaf value is absent.
 */
function fieldMatches(leaf: Leaf, v: unknown): boolean {
  if (v === undefined) return leaf.whenAbsent;
  if (!Array.isArray(v)) {
    if (typeof v === 'object' && v !== null) return leaf.whenAbsent;
    return valueMatches(leaf, v as LeafValue);
  }
  const values: LeafValue[] = [];
  flattenLeaves(v, values);
  if (values.length === 0) return leaf.whenAbsent;
  for (const x of values) if (valueMatches(leaf, x)) return true;
  return false;
}

function flattenLeaves(items: readonly unknown[], out: LeafValue[]): void {
  for (const item of items) {
    if (Array.isArray(item)) flattenLeaves(item, out);
    else if (item === null || typeof item !== 'object') out.push(item as LeafValue);
  }
}

/** A field that every match pins to one of a few exact values, for the rule index. */
export interface PinnedField {
  /** The field's path from the event's root, such as `["detail", "state"]`. */
  readonly path: readonly string[];
  /** `valueKey` of each value the field may take. */
  readonly keys: readonly string[];
}

/**
 * The fields a pattern pins with exact values on its AND chain (outside any `$or`), sorted by
 * path. An event can match only if, at each such path, one of its leaf values has one of the
 * keys: a necessary condition that `rule-index.ts` uses to skip rules.
 */
export function pinnedFields(pattern: EventPattern): PinnedField[] {
  const out: PinnedField[] = [];
  const walk = (obj: PatternObject, prefix: string[]) => {
    for (const f of obj.fields) {
      const path = [...prefix, f.key];
      if (f.object !== undefined) walk(f.object, path);
      else if (isExactOnly(f.leaf)) {
        const keys = [
          ...[...f.leaf.strings].map(valueKey),
          ...[...f.leaf.numbers].map(valueKey),
          ...[...f.leaf.literals].map(valueKey),
        ];
        out.push({ path, keys });
      }
    }
  };
  walk(pattern.root, []);
  return out.sort((a, b) => {
    const x = pathName(a.path);
    const y = pathName(b.path);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A path as one string; the separator cannot occur in JSON-parsed keys without escaping. */
export const pathName = (path: readonly string[]): string => path.join('\u0000');

/** Every leaf value at a path of an event, through objects and arrays (for the rule index). */
export function leafValuesAt(event: unknown, path: readonly string[]): LeafValue[] {
  let level: unknown[] = [event];
  for (const key of path) {
    const next: unknown[] = [];
    for (const node of level) {
      if (Array.isArray(node)) {
        const objs: Record<string, unknown>[] = [];
        collectObjects(node, objs);
        for (const o of objs) if (Object.hasOwn(o, key)) next.push(o[key]);
      } else if (isObject(node) && Object.hasOwn(node, key)) next.push(node[key]);
    }
    if (next.length === 0) return [];
    level = next;
  }
  const out: LeafValue[] = [];
  flattenLeaves(level, out);
  return out;
}
