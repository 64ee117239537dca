import { BatonError } from '../../core/errors.ts';

/** What the text and JSON filter patterns share: errors, quoted terms and `%regex%` terms. */

export function invalidPattern(what: string): BatonError {
  return new BatonError('InvalidParameterValue', `filterPattern: ${what}`);
}

/** `%…%`: CloudWatch's regular-expression term. */
export function regexTerm(body: string): RegExp {
  try {
    return new RegExp(body);
  } catch (e) {
    throw invalidPattern(`%${body}% is not a valid regular expression (${(e as Error).message})`);
  }
}

/** Reads `"…"` starting at `s[i]` (a quote), with `\"` and `\\` escapes. */
export function readQuoted(s: string, i: number): { text: string; end: number } {
  let text = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\' && (s[j + 1] === '"' || s[j + 1] === '\\')) {
      text += s[++j];
    } else if (c === '"') {
      return { text, end: j + 1 };
    } else text += c;
  }
  throw invalidPattern('a quoted term is not closed');
}
