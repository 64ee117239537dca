import { invalidPattern, readQuoted, regexTerm } from './pattern-lexing.ts';

/**
 * CloudWatch's JSON filter patterns
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * `{ SELECTOR OP VALUE }` conditions joined by `&&` and `||`, with parentheses.
 *
 * - Selectors: `$.a.b`, `$.list[0]`, `$.list[1].id`.
 * - `=` and `!=` take a string (`"UpdateTrail"`, or bare: `123.123.*`; `*` is a wildcard), a
 *   number, or a `%regex%`. `<`, `<=`, `>`, `>=` take a number and need a JSON number.
 * - `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`.
 * - Every comparison needs the field to exist (`!=` too); an event that is not a JSON object or
 *   array matches no JSON pattern.
 */

type Token =
  | { k: 'op'; v: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { k: 'and' | 'or' | '(' | ')' }
  | { k: 'selector'; path: (string | number)[]; text: string }
  | { k: 'string'; v: string }
  | { k: 'regex'; v: RegExp }
  | { k: 'word'; v: string };

type Condition = (root: unknown) => boolean;

const STOP = /[\s()=!<>&|]/;

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const two = s.slice(i, i + 2);
    if (/\s/.test(c)) i++;
    else if (two === '&&' || two === '||') {
      out.push({ k: two === '&&' ? 'and' : 'or' });
      i += 2;
    } else if (c === '(' || c === ')') {
      out.push({ k: c });
      i++;
    } else if (two === '!=' || two === '<=' || two === '>=' || two === '==') {
      out.push({ k: 'op', v: two === '==' ? '=' : two });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ k: 'op', v: c });
      i++;
    } else if (c === '"') {
      const q = readQuoted(s, i);
      out.push({ k: 'string', v: q.text });
      i = q.end;
    } else if (c === '%' && s.indexOf('%', i + 1) > i) {
      const end = s.indexOf('%', i + 1);
      out.push({ k: 'regex', v: regexTerm(s.slice(i + 1, end)) });
      i = end + 1;
    } else {
      let j = i;
      while (j < s.length && !STOP.test(s[j]!)) j++;
      if (j === i) throw invalidPattern(`unexpected "${c}" in a JSON pattern`);
      const text = s.slice(i, j);
      out.push(
        text.startsWith('$') ? { k: 'selector', path: selectorPath(text), text } : { k: 'word', v: text },
      );
      i = j;
    }
  }
  return out;
}

function selectorPath(text: string): (string | number)[] {
  const path: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (!m) throw invalidPattern(`"${text}" is not a selector like $.field, $.list[0] or $.a.b`);
    path.push(m[1] ?? Number(m[2]));
  }
  return path;
}

function resolve(root: unknown, path: (string | number)[]): { found: boolean; value: unknown } {
  let v: unknown = root;
  for (const key of path) {
    if (typeof key === 'number' ? !Array.isArray(v) : v === null || typeof v !== 'object' || Array.isArray(v))
      return { found: false, value: undefined };
    const next = v as Record<string | number, unknown>;
    if (!Object.hasOwn(next, key)) return { found: false, value: undefined };
    v = next[key];
  }
  return { found: true, value: v };
}

function glob(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return (s) => re.test(s);
}

const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function comparison(sel: Token & { k: 'selector' }, op: Token & { k: 'op' }, value: Token): Condition {
  const at = (root: unknown) => resolve(root, sel.path);
  const negate = op.v === '!=';
  if (value.k === 'regex') {
    if (op.v !== '=' && op.v !== '!=') throw invalidPattern(`${op.v} does not take a regular expression`);
    return (root) => {
      const { found, value: v } = at(root);
      return found && typeof v !== 'object' && value.v.test(String(v)) !== negate;
    };
  }
  const text = value.k === 'string' || value.k === 'word' ? value.v : undefined;
  if (text === undefined) throw invalidPattern(`${sel.text} ${op.v} needs a value`);
  const numeric = value.k === 'word' && NUMBER_RE.test(text) ? Number(text) : undefined;
  if (op.v !== '=' && op.v !== '!=') {
    if (numeric === undefined) throw invalidPattern(`${sel.text} ${op.v} needs a number (got ${text})`);
    const n = numeric;
    const test = {
      '<': (a: number) => a < n,
      '<=': (a: number) => a <= n,
      '>': (a: number) => a > n,
      '>=': (a: number) => a >= n,
    }[op.v];
    return (root) => {
      const v = at(root).value;
      return typeof v === 'number' && test(v);
    };
  }
  if (text === '*') return (root) => at(root).found !== negate;
  const matches = glob(text);
  return (root) => {
    const { found, value: v } = at(root);
    if (!found || (v !== null && typeof v === 'object')) return false;
    const equal =
      numeric !== undefined && typeof v === 'number'
        ? v === numeric
        : typeof v === 'string'
          ? matches(v)
          : v !== null && matches(String(v));
    return equal !== negate;
  };
}

/** Parses `{ … }` into a test of one event's text. */
export function compileJsonPattern(pattern: string): (event: string) => boolean {
  const p = pattern.trim();
  if (!p.endsWith('}')) throw invalidPattern('a JSON pattern must end with }');
  const tokens = lex(p.slice(1, -1));
  let i = 0;
  const peek = () => tokens[i];
  const word = (t: Token | undefined, w: string) => t?.k === 'word' && t.v.toUpperCase() === w;
  const condition = (): Condition => {
    const t = tokens[i++];
    if (t?.k === '(') {
      const inner = or();
      if (tokens[i++]?.k !== ')') throw invalidPattern('a "(" is not closed');
      return inner;
    }
    if (t?.k !== 'selector') throw invalidPattern('a condition must start with a selector like $.field');
    const next = tokens[i++];
    if (word(next, 'IS')) {
      const what = tokens[i++];
      const want = word(what, 'NULL') ? null : word(what, 'TRUE') ? true : word(what, 'FALSE') ? false : 0;
      if (want === 0) throw invalidPattern(`${t.text} IS must be followed by NULL, TRUE or FALSE`);
      return (root) => {
        const r = resolve(root, t.path);
        return r.found && r.value === want;
      };
    }
    if (word(next, 'NOT')) {
      if (!word(tokens[i++], 'EXISTS')) throw invalidPattern(`${t.text} NOT must be followed by EXISTS`);
      return (root) => !resolve(root, t.path).found;
    }
    if (next?.k !== 'op')
      throw invalidPattern(`${t.text} must be followed by =, !=, <, <=, >, >=, IS or NOT`);
    const value = tokens[i++];
    if (!value) throw invalidPattern(`${t.text} ${next.v} needs a value`);
    return comparison(t, next, value);
  };
  const and = (): Condition => {
    const parts = [condition()];
    while (peek()?.k === 'and') {
      i++;
      parts.push(condition());
    }
    return parts.length === 1 ? parts[0]! : (root) => parts.every((c) => c(root));
  };
  const or = (): Condition => {
    const parts = [and()];
    while (peek()?.k === 'or') {
      i++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (root) => parts.some((c) => c(root));
  };
  if (tokens.length === 0) throw invalidPattern('a JSON pattern needs a condition');
  const root = or();
  if (i < tokens.length) throw invalidPattern('unexpected text after a complete JSON condition');
  return (event) => {
    const e = event.trimStart();
    if (e[0] !== '{' && e[0] !== '[') return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(e);
    } catch {
      return false;
    }
    return root(parsed);
  };
}
