/**
 * UpdateExpression: binding a parsed update to a request's names and values, with the checks
 * that need them (overlapping paths, operand types). Applying it is `update-apply.ts`.
 * Guarded by `test/services/tables/update.test.ts`.
 */
import type { AttributeValue } from '../types.ts';
import { typeOf } from '../values.ts';
import type { Path, RawOperand, UpdateExpression, UpdateValue } from './ast.ts';
import { Binder, type ExpressionContext } from './context.ts';
import { collision, collisionMessage } from './paths.ts';
import { parseUpdateSyntax, UpdateRank } from './update-syntax.ts';

const RANKS = { name: UpdateRank.undefinedName, value: UpdateRank.undefinedValue };

/** How ADD and DELETE name an operand's type in their error. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  NULL: 'NULL',
  BOOL: 'BOOLEAN',
  L: 'LIST',
  M: 'MAP',
};

const STAND_IN: UpdateValue = { k: 'value', value: { NULL: true } };

class UpdateBinder {
  constructor(readonly binder: Binder) {}

  /** Notes an operand whose type is known now and is not `want`. */
  private expectType(fn: string, value: UpdateValue, want: string): void {
    if (value.k !== 'value') return;
    const type = typeOf(value.value);
    if (type !== want) {
      this.binder.problem(
        UpdateRank.function,
        `Incorrect operand type for operator or function; operator or function: ${fn}, operand type: ${type}`,
      );
    }
  }

  value(raw: RawOperand): UpdateValue {
    switch (raw.k) {
      case 'path':
        return { k: 'path', path: this.binder.path(raw) };
      case 'value':
        return { k: 'value', value: this.binder.value(raw.ref) };
      case '+':
      case '-': {
        const left = this.value(raw.left);
        const right = this.value(raw.right);
        this.expectType(raw.k, left, 'N');
        this.expectType(raw.k, right, 'N');
        return { k: raw.k, left, right };
      }
      default: {
        const args = raw.args.map((a) => this.value(a));
        const [first = STAND_IN, second = STAND_IN] = args;
        if (raw.name === 'list_append' && args.length === 2) {
          this.expectType(raw.name, first, 'L');
          this.expectType(raw.name, second, 'L');
          return { k: 'list_append', first, second };
        }
        if (raw.name === 'if_not_exists' && args.length === 2 && first.k === 'path') {
          return { k: 'if_not_exists', path: first.path, fallback: second };
        }
        return STAND_IN; // the parser noted what is wrong with this call
      }
    }
  }

  /** ADD takes a number or a set; DELETE a set. */
  operand(section: 'ADD' | 'DELETE', value: AttributeValue): void {
    const type = typeOf(value);
    const word = TYPE_WORDS[type];
    if (word !== undefined && !(section === 'ADD' && type === 'N')) {
      this.binder.problem(
        UpdateRank.operand,
        `Incorrect operand type for operator or function; operator: ${section}, operand type: ${word}`,
      );
    }
  }

  overlaps(paths: readonly Path[]): void {
    for (let j = 1; j < paths.length; j++) {
      for (let i = 0; i < j; i++) {
        const kind = collision(paths[i]!, paths[j]!);
        if (kind === undefined) continue;
        const rank = kind === 'overlap' ? UpdateRank.overlap : UpdateRank.conflict;
        this.binder.problem(rank, collisionMessage(kind, paths[i]!, paths[j]!));
      }
    }
  }
}

/** Parses an UpdateExpression and binds it to the request's context. */
export function parseUpdate(text: string, ctx: ExpressionContext): UpdateExpression {
  const raw = parseUpdateSyntax(text);
  const binder = new Binder(ctx, 'UpdateExpression', raw.problems, RANKS);
  const b = new UpdateBinder(binder);
  // Bind in the order written, so that the first undefined placeholder is the one reported.
  const paths = new Map(raw.targets.map((t) => [t, binder.path(t)]));
  const set = raw.set.map((a) => ({ path: paths.get(a.path)!, value: b.value(a.value) }));
  const remove = raw.remove.map((p) => paths.get(p)!);
  const add = raw.add.map((a) => {
    const value = binder.value(a.value.ref);
    b.operand('ADD', value);
    return { path: paths.get(a.path)!, value };
  });
  const del = raw.delete.map((a) => {
    const value = binder.value(a.value.ref);
    b.operand('DELETE', value);
    return { path: paths.get(a.path)!, value };
  });
  b.overlaps([...paths.values()]);
  binder.finish();
  return { set, remove, add, delete: del };
}
