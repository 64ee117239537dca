import { compileTokens, type GlobToken, type Matcher, pushText, tokenize } from './wildcards.ts';

/**
 * Policy variables: `${aws:username}` in a Resource or in a string, ARN or Bool condition value,
 * replaced per request by the value of that context key. Pure.
 *
 * - Only documents with `"Version": "2012-10-17"` have variables; older ones read `${…}` as text.
 * - `${key, 'default'}` gives a value for when the key is absent.
 * - `${*}`, `${?}` and `${$}` stand for those characters, literally (not as wildcards).
 * - A key that is absent, or holds several values, cannot be resolved: AWS then treats the
 *   statement as not applying ("any attempt to match it fails and causes the statement to be
 *   invalid"); callers see `undefined` and make the element fail.
 * - A substituted value is literal text: a `*` in a user name would not act as a wildcard.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * Guarded by `test/governance/policy/evaluation.test.ts` (the variables rows).
 */

/** A `${…}` reference. */
export interface VariableRef {
  /** The context key, lower-cased (keys are case-insensitive). */
  readonly key: string;
  /** The key as the policy spells it. */
  readonly name?: string;
  /** The `'default'` value, if one was given. */
  readonly fallback?: string;
}

/** Text split at its variables; the text parts may hold wildcards. */
export type Template = readonly (string | VariableRef)[];

/** The request's condition keys (an object, not a closure: one is made per request). */
export interface KeyLookup {
  /**
   * The value of a key, lower-cased; `asWritten`, the key as the policy spells it, lets the lookup
   * try the caller's context directly first. Arrays are multivalued keys.
   */
  lookup(key: string, asWritten?: string): unknown;
}

const SPECIAL: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/** The template of `text`, or `undefined` when it holds no variable. */
export function parseTemplate(text: string): Template | undefined {
  if (!text.includes('${')) return undefined;
  const parts: (string | VariableRef)[] = [];
  let at = 0;
  let literal = '';
  let found = false;
  while (at < text.length) {
    const open = text.indexOf('${', at);
    const close = open < 0 ? -1 : text.indexOf('}', open + 2);
    if (open < 0 || close < 0) break;
    literal += text.slice(at, open);
    const body = text.slice(open + 2, close).trim();
    const special = SPECIAL[body];
    if (special !== undefined) {
      // A literal character, not a wildcard: kept as a variable whose fallback is the character.
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ key: '', fallback: special });
    } else {
      const m = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(body);
      if (!m) {
        literal += text.slice(open, close + 1);
      } else {
        if (literal) parts.push(literal);
        literal = '';
        const name = m[1]!;
        parts.push(
          m[2] === undefined
            ? { key: name.toLowerCase(), name }
            : { key: name.toLowerCase(), name, fallback: m[2] },
        );
      }
    }
    found = true;
    at = close + 1;
  }
  literal += text.slice(at);
  if (literal) parts.push(literal);
  return found ? parts : undefined;
}

/** The value a variable stands for in this request, or `undefined` when it cannot be resolved. */
export function variableValue(ref: VariableRef, keys: KeyLookup): string | undefined {
  if (ref.key === '') return ref.fallback;
  const v = keys.lookup(ref.key, ref.name);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  return ref.fallback;
}

/** The template as plain text (for exact comparisons), or `undefined` if a variable is unresolved. */
export function resolveText(template: Template, keys: KeyLookup): string | undefined {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else {
      const v = variableValue(part, keys);
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/** The template as glob tokens (variable values literal), or `undefined` if one is unresolved. */
export function resolveTokens(template: Template, keys: KeyLookup): GlobToken[] | undefined {
  const out: GlobToken[] = [];
  for (const part of template) {
    if (typeof part === 'string') tokenize(part, out);
    else {
      const v = variableValue(part, keys);
      if (v === undefined) return undefined;
      pushText(out, v);
    }
  }
  return out;
}

/** A key for caching what a resolved token list compiles to. */
export function tokensKey(tokens: readonly GlobToken[]): string {
  let k = '';
  for (const t of tokens) k += typeof t === 'string' ? `s${t.length}:${t}` : t === 0 ? '*' : '?';
  return k;
}

/**
 * A compiled pattern's test: `undefined` when a variable in it cannot be resolved for this request
 * (the statement then does not apply).
 */
export type PatternTest = (value: string, keys: KeyLookup) => boolean | undefined;

/** Distinct resolutions kept per templated pattern (one per user name, say). */
const RESOLVED_CACHE = 256;

/**
 * Compiles a wildcard pattern (plain or ARN). With `variables`, `${…}` is resolved per request and
 * the compiled result cached by its resolved form, so a pattern such as
 * `arn:aws:sqs:*:*:${aws:username}-*` compiles once per user, not once per request.
 */
export function compilePattern(text: string, arn: boolean, variables: boolean): PatternTest {
  const template = variables ? parseTemplate(text) : undefined;
  if (template === undefined) return compileTokens(tokenize(text), arn);
  const cache = new Map<string, Matcher>();
  return (value, keys) => {
    const tokens = resolveTokens(template, keys);
    if (tokens === undefined) return undefined;
    const key = tokensKey(tokens);
    let m = cache.get(key);
    if (m === undefined) {
      if (cache.size >= RESOLVED_CACHE) cache.clear();
      m = compileTokens(tokens, arn);
      cache.set(key, m);
    }
    return m(value);
  };
}
