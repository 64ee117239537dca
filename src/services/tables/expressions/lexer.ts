/**
 * Splits an expression into tokens: words (names, keywords, function names and list indexes),
 * `#name` and `:value` placeholders, and punctuation. One pass over character codes, no regular
 * expressions. Whitespace only separates tokens, but each token keeps its offsets so that a
 * syntax error can quote the text around it as DynamoDB does.
 */

export type TokenKind =
  /** `[A-Za-z0-9_]+`: a name, a keyword, a function name or (all digits) a list index. */
  | 'word'
  /** `#` followed by word characters. */
  | 'name'
  /** `:` followed by word characters. */
  | 'value'
  /** `( ) [ ] , . = <> < <= > >= + -`, or any other single character (a syntax error later). */
  | 'punct'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isWordChar(c)) {
      while (i < n && isWordChar(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === 35 /* # */ || c === 58 /* : */) {
      i++;
      while (i < n && isWordChar(text.charCodeAt(i))) i++;
      const kind = i - start === 1 ? 'punct' : c === 35 ? 'name' : 'value';
      tokens.push({ kind, text: text.slice(start, i), start, end: i });
      continue;
    }
    const next = text.charCodeAt(i + 1);
    // Two-character comparators: <=, >=, <>.
    if ((c === 60 && (next === 61 || next === 62)) || (c === 62 && next === 61)) i += 2;
    else i++;
    tokens.push({ kind: 'punct', text: text.slice(start, i), start, end: i });
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

/**
 * For each `(` token, the index of its matching `)` (or -1 when unbalanced), so that the parser
 * can tell `(a) = :v` from `(a = :v)` without backtracking.
 */
export function matchParens(tokens: readonly Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') open.push(i);
    else if (t.text === ')') {
      const o = open.pop();
      if (o !== undefined) match[o] = i;
    }
  }
  return match;
}
