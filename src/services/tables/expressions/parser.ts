/**
 * What every expression grammar shares: a cursor over the tokens, document paths, operands and
 * function calls, and DynamoDB's syntax error. The grammars (`condition-syntax.ts`,
 * `update-syntax.ts`, `projection.ts`) build on it.
 */
import { validationError } from '../errors.ts';
import type { Problem, RawOperand, RawPath, RawPathPart } from './ast.ts';
import { matchParens, type Token, tokenize } from './lexer.ts';
import { isReservedWord } from './reserved-words.ts';

/** Which request parameter an expression came in: it prefixes every error message. */
export type ExpressionName =
  | 'ConditionExpression'
  | 'FilterExpression'
  | 'KeyConditionExpression'
  | 'ProjectionExpression'
  | 'UpdateExpression';

/** `Invalid <expression>: <message>`, DynamoDB's form for every expression error. */
export function expressionError(expression: ExpressionName, message: string) {
  return validationError(`Invalid ${expression}: ${message}`);
}

export interface ParserOptions {
  /** Words that start or join clauses, never names (AND, OR … or SET, REMOVE …), upper case. */
  readonly keywords: ReadonlySet<string>;
  /** Ranks under which to report a reserved word and redundant parentheses. */
  readonly reservedRank: number;
  readonly parensRank: number;
  /** Whether `+` and `-` may join operands (the SET action). */
  readonly arithmetic: boolean;
}

export class Parser {
  readonly tokens: Token[];
  readonly match: Int32Array;
  pos = 0;
  /** Problems found in the text, the first of each rank. */
  readonly problems: Problem[] = [];

  constructor(
    readonly text: string,
    readonly expression: ExpressionName,
    readonly options: ParserOptions,
  ) {
    if (text.trim() === '') throw expressionError(expression, 'The expression can not be empty;');
    this.tokens = tokenize(text);
    this.match = matchParens(this.tokens);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  atPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }

  /** Whether the next token is the keyword `upper` (any case). */
  atKeyword(upper: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.text.length === upper.length && t.text.toUpperCase() === upper;
  }

  eatPunct(text: string): boolean {
    if (!this.atPunct(text)) return false;
    this.pos++;
    return true;
  }

  expectPunct(text: string): void {
    if (!this.eatPunct(text)) this.fail();
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /**
   * DynamoDB's syntax error: the offending token, and the text from the token before it to the
   * token after it (`near`). At the end the token is `<EOF>`.
   */
  fail(at: number = this.pos): never {
    const token = this.tokens[at]!;
    const prev = at > 0 ? this.tokens[at - 1]! : token;
    const after = this.tokens[at + 1];
    const end =
      token.kind === 'eof' ? this.text.length : after && after.kind !== 'eof' ? after.end : token.end;
    const shown = token.kind === 'eof' ? '<EOF>' : token.text;
    const near = this.text.slice(prev.start, end);
    throw expressionError(this.expression, `Syntax error; token: "${shown}", near: "${near}"`);
  }

  problem(rank: number, message: string): void {
    for (const p of this.problems) if (p.rank === rank) return;
    this.problems.push({ rank, message });
  }

  /** Notes `((…))`: the token at `pos` opens a group whose only content is another group. */
  checkRedundantParens(): void {
    const inner = this.pos + 1;
    if (!this.atPunct('(', 1)) return;
    const innerClose = this.match[inner]!;
    if (innerClose >= 0 && innerClose + 1 === this.match[this.pos]) {
      this.problem(this.options.parensRank, 'The expression has redundant parentheses;');
    }
  }

  /** A path element's name: a word that is not a keyword, or a `#name` placeholder. */
  private pathName(): string | { ref: string } {
    const t = this.peek();
    if (t.kind === 'name') {
      this.pos++;
      return { ref: t.text };
    }
    if (t.kind !== 'word' || this.options.keywords.has(t.text.toUpperCase())) this.fail();
    const first = t.text.charCodeAt(0);
    if (first >= 48 && first <= 57) this.fail();
    this.pos++;
    if (isReservedWord(t.text)) {
      this.problem(
        this.options.reservedRank,
        `Attribute name is a reserved keyword; reserved keyword: ${t.text}`,
      );
    }
    return t.text;
  }

  /** `name ( '.' name | '[' digits ']' )*` */
  parsePath(): RawPath {
    const parts: RawPathPart[] = [];
    let plain = true;
    for (;;) {
      const name = this.pathName();
      if (typeof name !== 'string') plain = false;
      parts.push(name);
      for (;;) {
        if (this.eatPunct('[')) {
          const t = this.peek();
          if (t.kind !== 'word' || !/^[0-9]+$/.test(t.text)) this.fail();
          this.pos++;
          parts.push(Number(t.text));
          this.expectPunct(']');
          continue;
        }
        break;
      }
      if (!this.eatPunct('.')) break;
    }
    return { k: 'path', parts, plain };
  }

  /** One operand: a path, a `:value`, a function call, or a parenthesised operand. */
  parseOperand(): RawOperand {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.checkRedundantParens();
      this.pos++;
      const inner = this.options.arithmetic ? this.parseValue() : this.parseOperand();
      this.expectPunct(')');
      return inner;
    }
    if (t.kind === 'value') {
      this.pos++;
      return { k: 'value', ref: t.text };
    }
    if (t.kind === 'word' && this.atPunct('(', 1) && !this.options.keywords.has(t.text.toUpperCase())) {
      this.pos += 2;
      const args: RawOperand[] = [this.parseOperand()];
      while (this.eatPunct(',')) args.push(this.parseOperand());
      this.expectPunct(')');
      return { k: 'call', name: t.text, args };
    }
    return this.parsePath();
  }

  /** `operand [ ('+' | '-') operand ]`: the value of a SET action. */
  parseValue(): RawOperand {
    const left = this.parseOperand();
    if (!this.options.arithmetic) return left;
    if (this.atPunct('+') || this.atPunct('-')) {
      const op = this.next().text as '+' | '-';
      return { k: op, left, right: this.parseOperand() };
    }
    return left;
  }

  /** The lowest-ranked problem (DynamoDB reports the first in its order). */
  static worst(problems: readonly Problem[]): Problem | undefined {
    let worst: Problem | undefined;
    for (const p of problems) if (worst === undefined || p.rank < worst.rank) worst = p;
    return worst;
  }
}

/**
 * A small cache of parse results by text: clients send the same few expressions again and again.
 * Cleared wholesale when full, which keeps it O(1) and bounded.
 */
export class ParseCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly limit = 1000) {}

  get(text: string, parse: (text: string) => T): T {
    let hit = this.entries.get(text);
    if (hit === undefined) {
      hit = parse(text);
      if (this.entries.size >= this.limit) this.entries.clear();
      this.entries.set(text, hit);
    }
    return hit;
  }
}
