/**
 * Applying a bound UpdateExpression to an item. Every SET value is computed from the item as it
 * was; then SET, ADD and DELETE write, and REMOVE goes last, deepest and highest list index
 * first, so that the indexes it names are those of the original lists.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import { validationError } from '../errors.ts';
import { addNumbers, compareNumbers, subtractNumbers } from '../numbers.ts';
import type { AttributeValue, Item, KeySchema } from '../types.ts';
import { binariesEqual, setHas } from '../values.ts';
import type { Path, UpdateExpression, UpdateValue } from './ast.ts';
import { getPath, ItemWriter } from './paths.ts';
import { project } from './projection.ts';

const INVALID_PATH = 'The document path provided in the update expression is invalid for update';
const WRONG_TYPE = 'An operand in the update expression has an incorrect data type';
const MISSING = 'The provided expression refers to an attribute that does not exist in the item';

export interface UpdateResult {
  /** The item after the update (a new object; the input is left as it was). */
  item: Item;
  /**
   * Every path the update wrote or removed, for ReturnValues UPDATED_OLD and UPDATED_NEW (a list
   * whose length changed as a whole).
   */
  paths: Path[];
}

function evaluate(value: UpdateValue, item: Item): AttributeValue {
  switch (value.k) {
    case 'value':
      return value.value;
    case 'path': {
      const found = getPath(item, value.path);
      if (found === undefined) throw validationError(MISSING);
      return found;
    }
    case 'if_not_exists':
      return getPath(item, value.path) ?? evaluate(value.fallback, item);
    case 'list_append': {
      const first = evaluate(value.first, item);
      const second = evaluate(value.second, item);
      if (!('L' in first) || !('L' in second)) throw validationError(WRONG_TYPE);
      return { L: [...first.L, ...second.L] };
    }
    case '+':
    case '-': {
      const left = evaluate(value.left, item);
      const right = evaluate(value.right, item);
      if (!('N' in left) || !('N' in right)) throw validationError(WRONG_TYPE);
      return { N: value.k === '+' ? addNumbers(left.N, right.N) : subtractNumbers(left.N, right.N) };
    }
    default:
      throw validationError(WRONG_TYPE);
  }
}

/** ADD: a number increments (from 0 when absent); a set gains the members it lacks. */
function added(current: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (current === undefined) return value;
  if ('N' in current && 'N' in value) return { N: addNumbers(current.N, value.N) };
  if ('SS' in current && 'SS' in value) {
    return { SS: [...current.SS, ...value.SS.filter((m) => !current.SS.includes(m))] };
  }
  if ('NS' in current && 'NS' in value) {
    return { NS: [...current.NS, ...value.NS.filter((m) => !setHas(current, { N: m }))] };
  }
  if ('BS' in current && 'BS' in value) {
    return { BS: [...current.BS, ...value.BS.filter((m) => !setHas(current, { B: m }))] };
  }
  throw validationError(WRONG_TYPE);
}

/** DELETE: the set without the given members (undefined when none are left). */
function deleted(current: AttributeValue, value: AttributeValue): AttributeValue | undefined {
  let rest: AttributeValue;
  if ('SS' in current && 'SS' in value) rest = { SS: current.SS.filter((m) => !value.SS.includes(m)) };
  else if ('NS' in current && 'NS' in value) {
    rest = { NS: current.NS.filter((m) => !value.NS.some((d) => compareNumbers(m, d) === 0)) };
  } else if ('BS' in current && 'BS' in value) {
    rest = { BS: current.BS.filter((m) => !value.BS.some((d) => binariesEqual(m, d))) };
  } else throw validationError(WRONG_TYPE);
  const members = 'SS' in rest ? rest.SS : 'NS' in rest ? rest.NS : (rest as { BS: string[] }).BS;
  return members.length === 0 ? undefined : rest;
}

/** Descending document order: later list elements (and deeper paths) first. */
function descending(a: Path, b: Path): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}

function checkKey(path: Path, key: KeySchema | undefined): void {
  const name = path[0];
  if (key !== undefined && (name === key.hash.name || name === key.range?.name)) {
    throw validationError(
      `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
    );
  }
}

/**
 * Applies an update to `item` (the stored item, or only its key when there is none). With `key`,
 * refuses to touch a key attribute. Throws DynamoDB's ValidationExceptions for missing operands,
 * wrong types and invalid paths.
 */
export function applyUpdate(update: UpdateExpression, item: Item, key?: KeySchema): UpdateResult {
  const paths: Path[] = [];
  for (const a of update.set) paths.push(a.path);
  for (const a of update.add) paths.push(a.path);
  for (const a of update.delete) paths.push(a.path);
  for (const p of update.remove) paths.push(p);
  for (const p of paths) checkKey(p, key);

  const values = update.set.map((a) => evaluate(a.value, item));
  const reported = update.set.map((a) => resized(item, a.path, 'set'));
  for (const a of update.add) reported.push(a.path);
  for (const a of update.delete) reported.push(a.path);
  for (const p of update.remove) reported.push(resized(item, p, 'remove'));
  const writer = new ItemWriter(item);
  for (let i = 0; i < update.set.length; i++) {
    if (!writer.set(update.set[i]!.path, values[i]!)) throw validationError(INVALID_PATH);
  }
  for (const a of update.add) {
    if (!writer.set(a.path, added(getPath(writer.item, a.path), a.value)))
      throw validationError(INVALID_PATH);
  }
  for (const a of update.delete) {
    const current = getPath(writer.item, a.path);
    if (current === undefined) continue;
    const rest = deleted(current, a.value);
    const ok = rest === undefined ? writer.remove(a.path) : writer.set(a.path, rest);
    if (!ok) throw validationError(INVALID_PATH);
  }
  const removals = update.remove.length > 1 ? [...update.remove].sort(descending) : update.remove;
  for (const p of removals) if (!writer.remove(p)) throw validationError(INVALID_PATH);
  return { item: writer.item, paths: reported };
}

/**
 * The path ReturnValues UPDATED_* reports for an action: a list element that is removed, or set
 * past the list's end (an append), changes the list's length, and AWS then returns the whole
 * list; an element changed in place comes back alone.
 * https://github.com/getmoto/moto/issues/2798 (behaviour observed on AWS)
 */
function resized(item: Item, path: Path, action: 'set' | 'remove'): Path {
  const last = path[path.length - 1];
  if (typeof last !== 'number') return path;
  const parent = path.slice(0, -1);
  if (action === 'remove') return parent;
  const list = getPath(item, parent);
  return list !== undefined && 'L' in list && last >= list.L.length ? parent : path;
}

/**
 * The attributes an update touched, as they are in `item`: ReturnValues UPDATED_OLD (pass the
 * item before) or UPDATED_NEW (the item after). Undefined when none of them is there.
 */
export function updatedAttributes(item: Item | undefined, paths: readonly Path[]): Item | undefined {
  if (item === undefined) return undefined;
  const out = project(item, paths);
  for (const _ in out) return out;
  return undefined;
}
