/**
 * IAM's `*` and `?` wildcards, compiled once into a test. Pure.
 *
 * - Actions (`iam:*AccessKey*`) compare without regard to case: callers lower-case both sides.
 * - `StringLike` values are plain globs: `*` is any run of characters, `?` any one character.
 * - ARNs (the Resource element, `ArnLike`) match segment by segment: the first five colons split
 *   `arn:partition:service:region:account:`, and a wildcard there stays within its segment; the
 *   resource part after the fifth colon is a plain glob, so `function:*` covers `function:f:1`.
 *   A pattern with fewer than five colons is a plain glob.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 *
 * An exact string compares with `===` and a lone `*` matches without looking; every other shape
 * is one anchored regular expression. Irregexp's compiled code (~30 ns) beats `startsWith` and
 * `endsWith`, which cost 150–300 ns of CPU once a call site has seen both flat and concatenated
 * strings (measured on Node 20.20; request ARNs are usually built by concatenation).
 * Guarded by `test/governance/policy/wildcards.test.ts`; timed by `bench/policy.ts`.
 */

/** `*`: any run of characters (within one ARN segment in ARN mode). */
export const STAR = 0;
/** `?`: any one character. */
export const ONE = 1;
/** A pattern as literal text and wildcards. Text from a policy variable is always literal. */
export type GlobToken = string | typeof STAR | typeof ONE;

export type Matcher = (value: string) => boolean;

const always: Matcher = () => true;

/** Splits a pattern's text at its wildcards. */
export function tokenize(pattern: string, out: GlobToken[] = []): GlobToken[] {
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c !== 42 && c !== 63) continue; // '*' and '?'
    if (i > start) pushText(out, pattern.slice(start, i));
    out.push(c === 42 ? STAR : ONE);
    start = i + 1;
  }
  if (start < pattern.length) pushText(out, pattern.slice(start));
  return out;
}

/** Appends literal text, joining it to a text token before it. */
export function pushText(out: GlobToken[], text: string): void {
  if (text === '') return;
  const last = out.length - 1;
  if (last >= 0 && typeof out[last] === 'string') out[last] = (out[last] as string) + text;
  else out.push(text);
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** A plain glob test. */
export function globMatcher(pattern: string): Matcher {
  return compileTokens(tokenize(pattern), false);
}

/** An ARN glob test (segment-aware, see the module comment). */
export function arnMatcher(pattern: string): Matcher {
  return compileTokens(tokenize(pattern), true);
}

/** Compiles tokens; `arn` turns on segment-aware matching when the text holds five colons. */
export function compileTokens(tokens: readonly GlobToken[], arn: boolean): Matcher {
  const n = tokens.length;
  if (n === 0) return (v) => v === '';
  const first = tokens[0]!;
  if (n === 1) {
    if (typeof first === 'string') return (v) => v === first;
    return first === STAR ? always : (v) => v.length === 1;
  }
  const re = new RegExp(`^${source(tokens, arn && colons(tokens) >= 5)}$`, 's');
  return (v) => re.test(v);
}

function colons(tokens: readonly GlobToken[]): number {
  let n = 0;
  for (const t of tokens) if (typeof t === 'string') for (const c of t) if (c === ':') n++;
  return n;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function source(tokens: readonly GlobToken[], segmented: boolean): string {
  let out = '';
  let seen = 0; // colons passed; wildcards before the fifth stay inside their segment
  for (const t of tokens) {
    if (typeof t === 'string') {
      out += escapeRegExp(t);
      if (segmented) for (const c of t) if (c === ':') seen++;
    } else if (segmented && seen < 5) out += t === STAR ? '[^:]*' : '[^:]';
    else out += t === STAR ? '.*' : '.';
  }
  return out;
}
