/**
 * ConditionExpression and FilterExpression: binding a parsed condition to a request's names and
 * values, with the checks that need the values (operand types, BETWEEN bounds, distinct
 * operands). Evaluation is in `condition-eval.ts`.
 */
import type { AttributeValue } from '../types.ts';
import { compareValues, typeOf } from '../values.ts';
import type { Condition, Operand, Path, RawCall, RawCondition, RawOperand } from './ast.ts';
import { ConditionRank, parseConditionSyntax } from './condition-syntax.ts';
import { Binder, type ExpressionContext } from './context.ts';
import { formatPath } from './paths.ts';

const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set([
  'S',
  'N',
  'B',
  'NULL',
  'SS',
  'BOOL',
  'L',
  'BS',
  'NS',
  'M',
]);
const ORDERED: ReadonlySet<string> = new Set(['S', 'N', 'B']);
const RANKS = { name: ConditionRank.undefined, value: ConditionRank.undefined };

/** Parses a ConditionExpression (or FilterExpression) and binds it to the request's context. */
export function parseCondition(
  text: string,
  ctx: ExpressionContext,
  expression: 'ConditionExpression' | 'FilterExpression' = 'ConditionExpression',
): Condition {
  const raw = parseConditionSyntax(text, expression);
  const binder = new Binder(ctx, expression, raw.problems, RANKS);
  const cond = new ConditionBinder(binder).condition(raw.cond);
  binder.finish();
  return cond;
}

function incorrectOperand(binder: Binder, fn: string, type: string): void {
  binder.problem(
    ConditionRank.types,
    `Incorrect operand type for operator or function; operator or function: ${fn}, operand type: ${type}`,
  );
}

function shown(v: AttributeValue): string {
  const type = typeOf(v);
  return `AttributeValue: {${type}:${String((v as Record<string, unknown>)[type])}}`;
}

const STAND_IN: Operand = { k: 'value', value: { NULL: true } };

/** Turns raw condition trees into bound ones; shared with KeyConditionExpression. */
export class ConditionBinder {
  constructor(readonly binder: Binder) {}

  /** The type of an operand known before evaluation: a value's own, or N for size(). */
  static knownType(op: Operand): string | undefined {
    if (op.k === 'value') return typeOf(op.value);
    return op.k === 'size' ? 'N' : undefined;
  }

  operand(raw: RawOperand): Operand {
    switch (raw.k) {
      case 'path':
        return { k: 'path', path: this.binder.path(raw) };
      case 'value':
        return { k: 'value', value: this.binder.value(raw.ref) };
      case 'call': {
        const args = raw.args.map((a) => this.operand(a));
        if (raw.name !== 'size' || args.length !== 1) return STAND_IN;
        const type = ConditionBinder.knownType(args[0]!);
        if (type === 'N' || type === 'BOOL' || type === 'NULL') incorrectOperand(this.binder, 'size', type);
        return { k: 'size', arg: args[0]! };
      }
      default:
        return STAND_IN;
    }
  }

  /** Notes `a = a` and `contains(a, a)`: the same path on both sides. */
  distinct(op: string, a: Operand, b: Operand): void {
    if (a.k !== 'path' || b.k !== 'path' || a.path.length !== b.path.length) return;
    for (let i = 0; i < a.path.length; i++) if (a.path[i] !== b.path[i]) return;
    this.binder.problem(
      ConditionRank.distinct,
      `The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${formatPath(a.path)}`,
    );
  }

  /** `<`, `<=`, `>`, `>=` and BETWEEN order only strings, numbers and binaries. */
  ordered(op: string, operands: Operand[]): void {
    for (const o of operands) {
      const type = ConditionBinder.knownType(o);
      if (type !== undefined && !ORDERED.has(type)) incorrectOperand(this.binder, op, type);
    }
  }

  between(low: Operand, high: Operand): void {
    if (low.k !== 'value' || high.k !== 'value') return;
    const a = low.value;
    const b = high.value;
    const detail = `lower bound operand: ${shown(a)}, upper bound operand: ${shown(b)}`;
    if (typeOf(a) !== typeOf(b)) {
      this.binder.problem(
        ConditionRank.types,
        `The BETWEEN operator requires same data type for lower and upper bounds; ${detail}`,
      );
    } else if ((compareValues(a, b) ?? 0) > 0) {
      this.binder.problem(
        ConditionRank.types,
        `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${detail}`,
      );
    }
  }

  condition(raw: RawCondition): Condition {
    switch (raw.k) {
      case 'and':
      case 'or':
        return { k: raw.k, left: this.condition(raw.left), right: this.condition(raw.right) };
      case 'not':
        return { k: 'not', cond: this.condition(raw.cond) };
      case 'cmp': {
        const left = this.operand(raw.left);
        const right = this.operand(raw.right);
        this.distinct(raw.op, left, right);
        if (raw.op !== '=' && raw.op !== '<>') this.ordered(raw.op, [left, right]);
        return { k: 'cmp', op: raw.op, left, right };
      }
      case 'between': {
        const subject = this.operand(raw.subject);
        const low = this.operand(raw.low);
        const high = this.operand(raw.high);
        this.ordered('BETWEEN', [subject, low, high]);
        this.between(low, high);
        return { k: 'between', subject, low, high };
      }
      case 'in':
        return { k: 'in', subject: this.operand(raw.subject), list: raw.list.map((o) => this.operand(o)) };
      default:
        return this.call(raw.call);
    }
  }

  private call(raw: RawCall): Condition {
    const args = raw.args.map((a) => this.operand(a));
    const [first = STAND_IN, second = STAND_IN] = args;
    if (args.length === 2) this.distinct(raw.name, first, second);
    const path: Path = first.k === 'path' ? first.path : [];
    switch (raw.name) {
      case 'attribute_exists':
        return { k: 'exists', path };
      case 'attribute_not_exists':
        return { k: 'not_exists', path };
      case 'begins_with':
        for (const a of args) {
          const type = ConditionBinder.knownType(a);
          if (type !== undefined && type !== 'S' && type !== 'B')
            incorrectOperand(this.binder, raw.name, type);
        }
        return { k: 'begins_with', subject: first, prefix: second };
      case 'contains':
        return { k: 'contains', subject: first, operand: second };
      case 'attribute_type': {
        const type = second.k === 'value' ? typeOf(second.value) : '{NS,SS,L,BS,N,M,B,BOOL,NULL,S}';
        if (type !== 'S') incorrectOperand(this.binder, raw.name, type);
        const name = second.k === 'value' && 'S' in second.value ? second.value.S : '';
        if (type === 'S' && !ATTRIBUTE_TYPES.has(name)) {
          this.binder.problem(
            ConditionRank.types,
            `Invalid attribute type name found; type: ${name}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
          );
        }
        return { k: 'type', subject: first, type: name };
      }
      default:
        // An unknown or misused function: the parser noted it, and binding will throw.
        return { k: 'exists', path };
    }
  }
}
