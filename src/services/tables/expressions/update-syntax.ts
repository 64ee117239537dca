/**
 * The grammar of UpdateExpression, from text to a raw tree:
 *
 *   update ::= ( SET set-action, … | REMOVE path, … | ADD path :value, … | DELETE path :value, … )+
 *   set-action ::= path = operand [ ('+' | '-') operand ]
 *   operand ::= path | :value | if_not_exists(path, operand) | list_append(operand, operand)
 *
 * Each section at most once, in any order.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import type { Problem, RawOperand, RawPath, RawValue } from './ast.ts';
import { ParseCache, Parser, type ParserOptions } from './parser.ts';

/** The order in which DynamoDB reports an update's problems (lowest first). */
export const UpdateRank = {
  reserved: 1,
  unknownFunction: 2,
  section: 3,
  undefinedName: 4,
  undefinedValue: 5,
  overlap: 6,
  conflict: 7,
  operand: 8,
  function: 9,
  parens: 10,
} as const;

/** The functions a SET action may call, with their operand counts. */
export const UPDATE_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['if_not_exists', 2],
  ['list_append', 2],
]);

export type Section = 'SET' | 'REMOVE' | 'ADD' | 'DELETE';

const OPTIONS: ParserOptions = {
  keywords: new Set(['SET', 'REMOVE', 'ADD', 'DELETE']),
  reservedRank: UpdateRank.reserved,
  parensRank: UpdateRank.parens,
  arithmetic: true,
};

export interface RawUpdate {
  readonly set: readonly { readonly path: RawPath; readonly value: RawOperand }[];
  readonly remove: readonly RawPath[];
  readonly add: readonly { readonly path: RawPath; readonly value: RawValue }[];
  readonly delete: readonly { readonly path: RawPath; readonly value: RawValue }[];
  /** Every action's path, in the order written (for the overlap check). */
  readonly targets: readonly RawPath[];
  readonly problems: readonly Problem[];
}

class UpdateParser extends Parser {
  readonly set: { path: RawPath; value: RawOperand }[] = [];
  readonly remove: RawPath[] = [];
  readonly add: { path: RawPath; value: RawValue }[] = [];
  readonly delete: { path: RawPath; value: RawValue }[] = [];
  readonly targets: RawPath[] = [];
  private readonly seen = new Set<Section>();

  parseUpdate(): void {
    do {
      const t = this.peek();
      const section = t.kind === 'word' ? (t.text.toUpperCase() as Section) : undefined;
      if (section === undefined || !OPTIONS.keywords.has(section)) this.fail();
      this.pos++;
      if (this.seen.has(section)) {
        this.problem(
          UpdateRank.section,
          `The "${section}" section can only be used once in an update expression;`,
        );
      }
      this.seen.add(section);
      do this.action(section);
      while (this.eatPunct(','));
    } while (!this.atEnd());
  }

  private target(): RawPath {
    const path = this.parsePath();
    this.targets.push(path);
    return path;
  }

  private action(section: Section): void {
    const path = this.target();
    if (section === 'REMOVE') {
      this.remove.push(path);
      return;
    }
    if (section === 'SET') {
      this.expectPunct('=');
      const value = this.parseValue();
      this.checkOperand(value);
      this.set.push({ path, value });
      return;
    }
    const t = this.peek();
    if (t.kind !== 'value') this.fail();
    this.pos++;
    (section === 'ADD' ? this.add : this.delete).push({ path, value: { k: 'value', ref: t.text } });
  }

  private checkOperand(op: RawOperand): void {
    if (op.k === '+' || op.k === '-') {
      this.checkOperand(op.left);
      this.checkOperand(op.right);
      return;
    }
    if (op.k !== 'call') return;
    const count = UPDATE_FUNCTIONS.get(op.name);
    if (count === undefined) {
      this.problem(UpdateRank.unknownFunction, `Invalid function name; function: ${op.name}`);
    } else if (op.args.length !== count) {
      this.problem(
        UpdateRank.function,
        `Incorrect number of operands for operator or function; operator or function: ${op.name}, number of operands: ${op.args.length}`,
      );
    } else if (op.name === 'if_not_exists' && op.args[0]!.k !== 'path') {
      this.problem(
        UpdateRank.function,
        `Operator or function requires a document path; operator or function: ${op.name}`,
      );
    }
    for (const arg of op.args) this.checkOperand(arg);
  }
}

const cache = new ParseCache<RawUpdate>();

/** Parses an update's text (cached by text); throws DynamoDB's syntax errors. */
export function parseUpdateSyntax(text: string): RawUpdate {
  return cache.get(text, () => {
    const p = new UpdateParser(text, 'UpdateExpression', OPTIONS);
    p.parseUpdate();
    return {
      set: p.set,
      remove: p.remove,
      add: p.add,
      delete: p.delete,
      targets: p.targets,
      problems: p.problems,
    };
  });
}
