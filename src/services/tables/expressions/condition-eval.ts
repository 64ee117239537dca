/**
 * Evaluating a bound condition against an item, with DynamoDB's semantics: a comparison between
 * different types (or with a missing attribute) is false, not an error; `<>` is its negation;
 * `<` and friends order strings (UTF-8 bytes), numbers and binaries (unsigned bytes) only.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */
import type { AttributeValue, Item } from '../types.ts';
import { base64Length, compareValues, setHas, typeOf, utf8Length, valuesEqual } from '../values.ts';
import type { Condition, Operand } from './ast.ts';
import { getPath } from './paths.ts';

const EMPTY: Item = {};

/** Whether `item` (undefined when there is none) satisfies the condition. */
export function evaluateCondition(cond: Condition, item: Item | undefined): boolean {
  return test(cond, item ?? EMPTY);
}

/** The value an operand has on `item`, or undefined. */
export function operandValue(op: Operand, item: Item): AttributeValue | undefined {
  switch (op.k) {
    case 'path':
      return getPath(item, op.path);
    case 'value':
      return op.value;
    default: {
      const v = operandValue(op.arg, item);
      const size = v === undefined ? undefined : sizeOf(v);
      return size === undefined ? undefined : { N: String(size) };
    }
  }
}

/** size(): bytes of a string or binary, members of a set, elements of a list or map. */
export function sizeOf(v: AttributeValue): number | undefined {
  if ('S' in v) return utf8Length(v.S);
  if ('B' in v) return base64Length(v.B);
  if ('SS' in v) return v.SS.length;
  if ('NS' in v) return v.NS.length;
  if ('BS' in v) return v.BS.length;
  if ('L' in v) return v.L.length;
  if ('M' in v) return Object.keys(v.M).length;
  return undefined;
}

function equal(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return a !== undefined && b !== undefined && valuesEqual(a, b);
}

/** The order of two values of one ordered type, or undefined. */
function order(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : compareValues(a, b);
}

function beginsWith(subject: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (subject === undefined || prefix === undefined) return false;
  if ('S' in subject) return 'S' in prefix && subject.S.startsWith(prefix.S);
  if ('B' in subject && 'B' in prefix) {
    const whole = Buffer.from(subject.B, 'base64');
    const start = Buffer.from(prefix.B, 'base64');
    return start.length <= whole.length && whole.subarray(0, start.length).equals(start);
  }
  return false;
}

function contains(subject: AttributeValue | undefined, operand: AttributeValue | undefined): boolean {
  if (subject === undefined || operand === undefined) return false;
  if ('S' in subject) return 'S' in operand && subject.S.includes(operand.S);
  if ('L' in subject) return subject.L.some((e) => valuesEqual(e, operand));
  return setHas(subject, operand);
}

function test(cond: Condition, item: Item): boolean {
  switch (cond.k) {
    case 'and':
      return test(cond.left, item) && test(cond.right, item);
    case 'or':
      return test(cond.left, item) || test(cond.right, item);
    case 'not':
      return !test(cond.cond, item);
    case 'exists':
      return getPath(item, cond.path) !== undefined;
    case 'not_exists':
      return getPath(item, cond.path) === undefined;
    case 'cmp': {
      const a = operandValue(cond.left, item);
      const b = operandValue(cond.right, item);
      switch (cond.op) {
        case '=':
          return equal(a, b);
        case '<>':
          return !equal(a, b);
        case '<':
          return (order(a, b) ?? 0) < 0;
        case '<=':
          return (order(a, b) ?? 1) <= 0;
        case '>':
          return (order(a, b) ?? 0) > 0;
        default:
          return (order(a, b) ?? -1) >= 0;
      }
    }
    case 'between': {
      const v = operandValue(cond.subject, item);
      const low = order(v, operandValue(cond.low, item));
      const high = order(v, operandValue(cond.high, item));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'in': {
      const v = operandValue(cond.subject, item);
      if (v === undefined) return false;
      for (const o of cond.list) if (equal(v, operandValue(o, item))) return true;
      return false;
    }
    case 'type': {
      const v = operandValue(cond.subject, item);
      return v !== undefined && typeOf(v) === cond.type;
    }
    case 'begins_with':
      return beginsWith(operandValue(cond.subject, item), operandValue(cond.prefix, item));
    case 'contains':
      return contains(operandValue(cond.subject, item), operandValue(cond.operand, item));
  }
}

/** The top-level attribute names a condition reads (FilterExpression may not name key attributes). */
export function attributeNames(cond: Condition, out: Set<string> = new Set()): Set<string> {
  const operand = (op: Operand): void => {
    if (op.k === 'path') out.add(op.path[0] as string);
    else if (op.k === 'size') operand(op.arg);
  };
  switch (cond.k) {
    case 'and':
    case 'or':
      attributeNames(cond.left, out);
      attributeNames(cond.right, out);
      break;
    case 'not':
      attributeNames(cond.cond, out);
      break;
    case 'exists':
    case 'not_exists':
      if (cond.path.length > 0) out.add(cond.path[0] as string);
      break;
    case 'cmp':
      operand(cond.left);
      operand(cond.right);
      break;
    case 'between':
      for (const o of [cond.subject, cond.low, cond.high]) operand(o);
      break;
    case 'in':
      operand(cond.subject);
      for (const o of cond.list) operand(o);
      break;
    case 'type':
      operand(cond.subject);
      break;
    case 'begins_with':
      operand(cond.subject);
      operand(cond.prefix);
      break;
    case 'contains':
      operand(cond.subject);
      operand(cond.operand);
      break;
  }
  return out;
}
