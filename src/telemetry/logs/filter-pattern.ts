import { compileJsonPattern } from './json-pattern.ts';
import { invalidPattern, readQuoted, regexTerm } from './pattern-lexing.ts';

/** A compiled filter pattern: tests one log event's text. */
export interface FilterPattern {
  test(event: string): boolean;
  /**
   * Substrings that every matching event contains (case-sensitive). A log store may narrow its
   * candidates with them before `test` runs; empty when the pattern names none for sure.
   */
  required: string[];
}

/** A text term: a literal (bare or quoted) or a `%regex%`. */
type Term = { literal: string } | { regex: RegExp };

/** Terms that must all occur, and terms none of which may: one alternative of a pattern. */
interface Group {
  all: Term[];
  none: Term[];
}

function tokenize(s: string): { prefix: '' | '?' | '-'; term: Term }[] {
  const out: { prefix: '' | '?' | '-'; term: Term }[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    let prefix: '' | '?' | '-' = '';
    if ((s[i] === '?' || s[i] === '-') && i + 1 < s.length && !/\s/.test(s[i + 1]!)) {
      prefix = s[i] as '?' | '-';
      i++;
    }
    if (s[i] === '"') {
      const q = readQuoted(s, i);
      out.push({ prefix, term: { literal: q.text } });
      i = q.end;
    } else if (s[i] === '%' && s.indexOf('%', i + 1) > i) {
      const end = s.indexOf('%', i + 1);
      out.push({ prefix, term: { regex: regexTerm(s.slice(i + 1, end)) } });
      i = end + 1;
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j]!)) j++;
      out.push({ prefix, term: { literal: s.slice(i, j) } });
      i = j;
    }
  }
  return out;
}

const has = (event: string, t: Term): boolean =>
  'literal' in t ? event.includes(t.literal) : t.regex.test(event);

/**
 * Compiles a CloudWatch Logs filter pattern
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 *
 * - `""` or nothing: every event;
 * - `ERROR Exception`: events holding both terms (case-sensitive substrings);
 * - `"INTERNAL SERVER ERROR"`: a phrase; `%\d{3}%`: a regular expression;
 * - `ERROR -ARGUMENTS`: ERROR without ARGUMENTS;
 * - `?ERROR ?WARN`: either. Each `?` term starts an alternative, and the plain and `-` terms after
 *   it belong to that alternative (`?ERROR MainThread ?WARN Deadlock`), as the CDK's
 *   `anyTermGroup` writes them;
 * - `{ $.level = "ERROR" && $.latency > 100 }`: conditions on JSON events (json-pattern.ts).
 *
 * Space-delimited patterns (`[ip, user, …]`) are not supported and are refused.
 */
export function compileFilterPattern(pattern: string): FilterPattern {
  const p = pattern.trim();
  if (p === '' || p === '""') return { test: () => true, required: [] };
  if (p.startsWith('{')) return { test: compileJsonPattern(p), required: [] };
  if (p.startsWith('['))
    throw invalidPattern('space-delimited patterns ([field, …]) are not supported; use terms or { JSON }');
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const { prefix, term } of tokenize(p)) {
    if (prefix === '?' || !current) {
      current = { all: [], none: [] };
      groups.push(current);
    }
    if (prefix === '-') current.none.push(term);
    else current.all.push(term);
  }
  const matchers = groups.map(
    (g) => (e: string) => g.all.every((t) => has(e, t)) && !g.none.some((t) => has(e, t)),
  );
  const required =
    groups.length === 1
      ? groups[0]!.all.flatMap((t) => ('literal' in t && t.literal !== '' ? [t.literal] : []))
      : [];
  return { test: (e) => matchers.some((m) => m(e)), required };
}
