import type { RouteKey } from './route-key.ts';

export interface RouteMatch<T> {
  value: T;
  /** Decoded path variables; undefined when the route has none. */
  params: Record<string, string> | undefined;
}

interface Entry<T> {
  value: T;
  /** Path variables by segment position; a greedy one takes the rest of the path. */
  params: { name: string; index: number; greedy: boolean }[];
}

interface Methods<T> {
  byMethod: Map<string, Entry<T>>;
  any: Entry<T> | undefined;
}

interface Node<T> {
  literal: Map<string, Node<T>>;
  param: Node<T> | undefined;
  /** Routes whose path ends at this node. */
  end: Methods<T> | undefined;
  /** Routes with a greedy variable at this position. */
  greedy: Methods<T> | undefined;
}

const node = <T>(): Node<T> => ({ literal: new Map(), param: undefined, end: undefined, greedy: undefined });
const methods = <T>(): Methods<T> => ({ byMethod: new Map(), any: undefined });

/**
 * Route selection as API Gateway HTTP APIs do it: the most specific path wins (at each segment a
 * literal beats a `{variable}`, which beats a greedy `{variable+}`); for the same path, the
 * request's method beats `ANY`; `$default` catches the rest. Built once per route-table change
 * (a trie), so a request does map lookups only: no regular expressions, no scans.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html#http-api-develop-routes.evaluation
 * Guarded by `test/gateway/router.test.ts`.
 */
export class Router<T> {
  private readonly root: Node<T> = node();
  private fallback: Entry<T> | undefined;
  private size = 0;

  get count(): number {
    return this.size;
  }

  /** Adds a route; returns false (and changes nothing) when a route of the same shape exists. */
  add(key: RouteKey, value: T): boolean {
    if (key.isDefault) {
      if (this.fallback) return false;
      this.fallback = { value, params: [] };
      this.size++;
      return true;
    }
    let n = this.root;
    const params: Entry<T>['params'] = [];
    let target: Methods<T> | undefined;
    key.segments.forEach((s, index) => {
      if (s.kind === 'literal') {
        let next = n.literal.get(s.value);
        if (!next) {
          next = node();
          n.literal.set(s.value, next);
        }
        n = next;
      } else if (s.kind === 'param') {
        n.param ??= node();
        n = n.param;
        params.push({ name: s.name, index, greedy: false });
      } else {
        n.greedy ??= methods();
        target = n.greedy;
        params.push({ name: s.name, index, greedy: true });
      }
    });
    if (!target) {
      n.end ??= methods();
      target = n.end;
    }
    const entry: Entry<T> = { value, params };
    if (key.method === 'ANY') {
      if (target.any) return false;
      target.any = entry;
    } else {
      if (target.byMethod.has(key.method)) return false;
      target.byMethod.set(key.method, entry);
    }
    this.size++;
    return true;
  }

  /** Finds the route for a request; `segments` are the decoded path segments (see `splitPath`). */
  match(method: string, segments: readonly string[]): RouteMatch<T> | undefined {
    const entry = find(this.root, segments, 0, method) ?? this.fallback;
    if (!entry) return undefined;
    if (entry.params.length === 0) return { value: entry.value, params: undefined };
    const params: Record<string, string> = {};
    for (const p of entry.params)
      params[p.name] = p.greedy ? segments.slice(p.index).join('/') : segments[p.index]!;
    return { value: entry.value, params };
  }
}

function pick<T>(m: Methods<T> | undefined, method: string): Entry<T> | undefined {
  if (!m) return undefined;
  return m.byMethod.get(method) ?? m.any;
}

function find<T>(n: Node<T>, segs: readonly string[], i: number, method: string): Entry<T> | undefined {
  if (i === segs.length) return pick(n.end, method);
  const seg = segs[i]!;
  const lit = n.literal.get(seg);
  if (lit) {
    const e = find(lit, segs, i + 1, method);
    if (e) return e;
  }
  if (n.param && seg !== '') {
    const e = find(n.param, segs, i + 1, method);
    if (e) return e;
  }
  // A greedy variable needs something to take: `/items/{proxy+}` does not match `/items/`.
  if (n.greedy && (seg !== '' || i < segs.length - 1)) return pick(n.greedy, method);
  return undefined;
}

/**
 * Splits a raw request path into decoded segments: `/a/b%20c` → `['a', 'b c']`, `/` → `[]`.
 * API Gateway decodes path parameters before passing them on; a malformed escape stays as sent.
 */
export function splitPath(rawPath: string): string[] {
  if (rawPath === '/' || rawPath === '') return [];
  const parts = rawPath.slice(1).split('/');
  if (rawPath.includes('%')) {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.includes('%')) {
        try {
          parts[i] = decodeURIComponent(p);
        } catch {
          // Not a valid escape: matched and passed on as sent.
        }
      }
    }
  }
  return parts;
}
