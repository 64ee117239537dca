/**
 * Route keys as API Gateway HTTP APIs write them: `METHOD /path`, where a path segment is a
 * literal, a `{variable}`, or (last only) a greedy `{variable+}`; or `$default`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

export type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

export interface RouteKey {
  /** As API Gateway reports it in `routeKey`: `GET /items/{id}` or `$default`. */
  key: string;
  /** `ANY` for `$default`. */
  method: string;
  isDefault: boolean;
  /** The path template (`/items/{id}`); `$default` for the default route. */
  path: string;
  segments: Segment[];
  /**
   * What makes two routes the same for selection: the method and the path with variable names
   * erased (`GET /items/{}`), so `GET /items/{id}` and `GET /items/{itemId}` collide.
   */
  shape: string;
}

const LITERAL_RE = /^[A-Za-z0-9._~!$&'()*,;=:@-]+$/;
const PARAM_RE = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/;

/** Parses and validates a route key; the error message says what is wrong, without a field path. */
export function parseRouteKey(text: string): RouteKey {
  const trimmed = text.trim();
  if (trimmed === '$default')
    return {
      key: '$default',
      method: 'ANY',
      isDefault: true,
      path: '$default',
      segments: [],
      shape: '$default',
    };
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 2)
    throw new Error(
      `"${text}" is not a route key: write "METHOD /path" (for example "GET /items/{id}") or "$default"`,
    );
  const method = parts[0]!.toUpperCase();
  const path = parts[1]!;
  if (!(ROUTE_METHODS as readonly string[]).includes(method))
    throw new Error(`"${parts[0]}" is not a method: use one of ${ROUTE_METHODS.join(', ')}`);
  if (!path.startsWith('/')) throw new Error(`the path "${path}" must start with /`);
  if (path.length > 1 && path.endsWith('/')) throw new Error(`the path "${path}" must not end with /`);
  const segments: Segment[] = [];
  const names = new Set<string>();
  const raw = path === '/' ? [] : path.slice(1).split('/');
  raw.forEach((seg, i) => {
    if (seg === '') throw new Error(`the path "${path}" has an empty segment`);
    const m = PARAM_RE.exec(seg);
    if (m) {
      const name = m[1]!;
      if (names.has(name)) throw new Error(`the path "${path}" uses the variable {${name}} twice`);
      names.add(name);
      if (m[2] === '+') {
        if (i !== raw.length - 1)
          throw new Error(`the greedy variable {${name}+} must be the last segment of "${path}"`);
        segments.push({ kind: 'greedy', name });
      } else segments.push({ kind: 'param', name });
      return;
    }
    if (seg.includes('{') || seg.includes('}'))
      throw new Error(`"${seg}" in "${path}": a path variable must be a whole segment, like {id}`);
    if (!LITERAL_RE.test(seg))
      throw new Error(`"${seg}" in "${path}" has characters a route path cannot hold`);
    segments.push({ kind: 'literal', value: seg });
  });
  const shapePath =
    '/' + segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}')).join('/');
  return {
    key: `${method} ${path}`,
    method,
    isDefault: false,
    path,
    segments,
    shape: `${method} ${shapePath}`,
  };
}
