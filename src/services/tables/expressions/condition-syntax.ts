/**
 * The grammar of ConditionExpression, FilterExpression and KeyConditionExpression, from text to
 * a raw tree. Precedence, loosest first: OR, AND, NOT, then a comparison, BETWEEN, IN, a function
 * or a parenthesised condition.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */
import type { Problem, RawCall, RawCondition, RawOperand } from './ast.ts';
import { type ExpressionName, ParseCache, Parser, type ParserOptions } from './parser.ts';

/** The order in which DynamoDB reports a condition's problems (lowest first). */
export const ConditionRank = {
  parens: 1,
  unknownFunction: 2,
  misusedFunction: 3,
  reserved: 4,
  /** Undefined names and values share a rank: the first in the text is reported. */
  undefined: 5,
  operands: 6,
  distinct: 7,
  types: 8,
} as const;

/** The functions a condition may call, with their operand counts. `size` is an operand. */
export const CONDITION_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['attribute_exists', 1],
  ['attribute_not_exists', 1],
  ['attribute_type', 2],
  ['begins_with', 2],
  ['contains', 2],
]);

/** DynamoDB's limit on the operands of IN. */
export const MAX_IN_OPERANDS = 100;

const OPTIONS: ParserOptions = {
  keywords: new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']),
  reservedRank: ConditionRank.reserved,
  parensRank: ConditionRank.parens,
  arithmetic: false,
};

const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);

export interface RawConditionResult {
  readonly cond: RawCondition;
  /** Problems in the text, reported (in rank order with the binder's) when it is bound. */
  readonly problems: readonly Problem[];
}

class ConditionParser extends Parser {
  parseOr(): RawCondition {
    let left = this.parseAnd();
    while (this.atKeyword('OR')) {
      this.pos++;
      left = { k: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): RawCondition {
    let left = this.parseNot();
    while (this.atKeyword('AND')) {
      this.pos++;
      left = { k: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): RawCondition {
    if (this.atKeyword('NOT')) {
      this.pos++;
      return { k: 'not', cond: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): RawCondition {
    if (this.atPunct('(')) {
      const close = this.match[this.pos]!;
      const after = close >= 0 ? this.tokens[close + 1] : undefined;
      const operandFirst =
        after !== undefined &&
        ((after.kind === 'punct' && COMPARATORS.has(after.text)) ||
          (after.kind === 'word' && /^(between|in)$/i.test(after.text)));
      if (!operandFirst) {
        this.checkRedundantParens();
        this.pos++;
        const cond = this.parseOr();
        this.expectPunct(')');
        return cond;
      }
    }
    return this.parseComparison();
  }

  private parseComparison(): RawCondition {
    const subject = this.parseOperand();
    const t = this.peek();
    if (t.kind === 'punct' && COMPARATORS.has(t.text)) {
      this.pos++;
      return { k: 'cmp', op: t.text as '=', left: subject, right: this.parseOperand() };
    }
    if (this.atKeyword('BETWEEN')) {
      this.pos++;
      const low = this.parseOperand();
      if (!this.atKeyword('AND')) this.fail();
      this.pos++;
      return { k: 'between', subject, low, high: this.parseOperand() };
    }
    if (this.atKeyword('IN')) {
      this.pos++;
      this.expectPunct('(');
      const list: RawOperand[] = [this.parseOperand()];
      while (this.eatPunct(',')) list.push(this.parseOperand());
      this.expectPunct(')');
      if (list.length > MAX_IN_OPERANDS) {
        this.problem(
          ConditionRank.operands,
          `The IN operator is provided with too many operands; number of operands: ${list.length}`,
        );
      }
      return { k: 'in', subject, list };
    }
    if (subject.k === 'call') return { k: 'fn', call: subject };
    return this.fail();
  }

  /** Function names, counts and uses that the text alone shows to be wrong. */
  check(cond: RawCondition): void {
    switch (cond.k) {
      case 'and':
      case 'or':
        this.check(cond.left);
        this.check(cond.right);
        return;
      case 'not':
        this.check(cond.cond);
        return;
      case 'fn':
        this.checkFunction(cond.call);
        return;
      case 'cmp':
        this.checkOperand(cond.left);
        this.checkOperand(cond.right);
        return;
      case 'between':
        this.checkOperand(cond.subject);
        this.checkOperand(cond.low);
        this.checkOperand(cond.high);
        return;
      case 'in':
        this.checkOperand(cond.subject);
        for (const o of cond.list) this.checkOperand(o);
        return;
    }
  }

  private checkFunction(call: RawCall): void {
    const count = CONDITION_FUNCTIONS.get(call.name);
    if (count === undefined) {
      if (call.name === 'size') this.misused('size');
      else this.problem(ConditionRank.unknownFunction, `Invalid function name; function: ${call.name}`);
    } else {
      this.checkCount(call, count);
      if (
        (call.name === 'attribute_exists' || call.name === 'attribute_not_exists') &&
        call.args[0]?.k !== 'path'
      ) {
        this.problem(
          ConditionRank.types,
          `Operator or function requires a document path; operator or function: ${call.name}`,
        );
      }
    }
    for (const arg of call.args) this.checkOperand(arg);
  }

  private checkOperand(operand: RawOperand): void {
    if (operand.k !== 'call') return;
    if (operand.name === 'size') this.checkCount(operand, 1);
    else if (CONDITION_FUNCTIONS.has(operand.name)) this.misused(operand.name);
    else this.problem(ConditionRank.unknownFunction, `Invalid function name; function: ${operand.name}`);
    for (const arg of operand.args) this.checkOperand(arg);
  }

  private misused(name: string): void {
    this.problem(
      ConditionRank.misusedFunction,
      `The function is not allowed to be used this way in an expression; function: ${name}`,
    );
  }

  private checkCount(call: RawCall, count: number): void {
    if (call.args.length !== count) {
      this.problem(
        ConditionRank.operands,
        `Incorrect number of operands for operator or function; operator or function: ${call.name}, number of operands: ${call.args.length}`,
      );
    }
  }
}

const cache = new ParseCache<RawConditionResult>();

/** Parses a condition's text (cached by text); throws DynamoDB's syntax errors. */
export function parseConditionSyntax(text: string, expression: ExpressionName): RawConditionResult {
  return cache.get(text, () => {
    const parser = new ConditionParser(text, expression, OPTIONS);
    const cond = parser.parseOr();
    if (!parser.atEnd()) parser.fail();
    parser.check(cond);
    return { cond, problems: parser.problems };
  });
}
