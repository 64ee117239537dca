import { BatonError } from '../core/errors.ts';
import type { HttpAuthSpec, HttpCorsSpec, HttpRouteSpec } from '../core/function-spec.ts';
import { parseRouteKey, ROUTE_METHODS } from './route-key.ts';
import { envRefName } from './secrets.ts';

/** Bytes: API Gateway's largest request payload, and the default body limit of a route. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's shortest API key value. */
export const API_KEY_MIN_CHARS = 20;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash (256 bits). */
export const HS256_SECRET_MIN_BYTES = 32;
/** Seconds: API Gateway's largest CORS max age. */
const CORS_MAX_AGE = 86_400;
/** Seconds: HTTP APIs' default and largest Lambda authorizer cache TTL. */
export const AUTHORIZER_TTL_DEFAULT = 300;
export const AUTHORIZER_TTL_MAX = 3600;
/** The identity sources Baton reads: a header or a query parameter. */
const IDENTITY_SOURCE = /^\$request\.(header|querystring)\.[^\s.]+$/;

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKnown(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw invalid(`${path}.${k}`, 'is not a known field');
}

/** A string, or a list of strings (`audience: api` or `audience: [api, web]`). */
function stringList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((s, i) => {
    if (typeof s !== 'string' || s.length === 0)
      throw invalid(Array.isArray(v) ? `${path}[${i}]` : path, 'must be a non-empty string');
    return s;
  });
}

/**
 * Parses a function's `events` list. Only `http` events exist so far; each is a route key
 * (`http: GET /items/{id}`) or a mapping with `route` and the route's options.
 * Returns undefined when the function has no `events` field.
 */
export function parseEvents(value: unknown, path: string): HttpRouteSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid(path, 'must be a list, like [ { http: "GET /items" } ]');
  return value.map((ev, i) => parseHttpEventEntry(ev, `${path}[${i}]`));
}

function parseHttpEventEntry(ev: unknown, p: string): HttpRouteSpec {
  if (!isMapping(ev) || Object.keys(ev).length !== 1)
    throw invalid(p, 'must be a mapping with one event type, like { http: "GET /items" }');
  const [kind, spec] = Object.entries(ev)[0]!;
  if (kind !== 'http')
    throw invalid(
      `${p}.${kind}`,
      'is not a known event type (known: http, queue, topic, schedule, rule, table)',
    );
  return parseHttpEvent(spec, `${p}.http`);
}

/**
 * Splits a function's `events` into its HTTP routes and its other events (`queue`), which
 * other parsers take; errors keep each event's own index in their paths.
 */
export function splitEvents(
  value: unknown,
  path: string,
): { routes: HttpRouteSpec[]; others: { kind: string; event: Record<string, unknown>; path: string }[] } {
  if (value === undefined || value === null) return { routes: [], others: [] };
  if (!Array.isArray(value)) throw invalid(path, 'must be a list, like [ { http: "GET /items" } ]');
  const routes: HttpRouteSpec[] = [];
  const others: { kind: string; event: Record<string, unknown>; path: string }[] = [];
  value.forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (isMapping(ev) && 'queue' in ev) others.push({ kind: 'queue', event: ev, path: p });
    else if (isMapping(ev) && 'topic' in ev) others.push({ kind: 'topic', event: ev, path: p });
    else if (isMapping(ev) && 'schedule' in ev) others.push({ kind: 'schedule', event: ev, path: p });
    else if (isMapping(ev) && 'rule' in ev) others.push({ kind: 'rule', event: ev, path: p });
    else if (isMapping(ev) && 'table' in ev) others.push({ kind: 'table', event: ev, path: p });
    else routes.push(parseHttpEventEntry(ev, p));
  });
  return { routes, others };
}

function routeKeyAt(v: unknown, path: string): string {
  if (typeof v !== 'string') throw invalid(path, 'must be a route key like "GET /items/{id}" or "$default"');
  try {
    return parseRouteKey(v).key;
  } catch (e) {
    throw invalid(path, (e as Error).message);
  }
}

function parseHttpEvent(v: unknown, path: string): HttpRouteSpec {
  if (typeof v === 'string') return { route: routeKeyAt(v, path), payload: '2.0' };
  if (!isMapping(v)) throw invalid(path, 'must be a route key or a mapping with "route"');
  onlyKnown(v, ['route', 'payload', 'cors', 'auth', 'throttle', 'maxBodyBytes'], path);
  if (v.route === undefined)
    throw invalid(`${path}.route`, 'is required: a route key like "GET /items/{id}"');
  const spec: HttpRouteSpec = { route: routeKeyAt(v.route, `${path}.route`), payload: '2.0' };
  if (v.payload !== undefined) {
    const p = String(v.payload);
    if (p === '1.0' || p === '1') spec.payload = '1.0';
    else if (p === '2.0' || p === '2') spec.payload = '2.0';
    else throw invalid(`${path}.payload`, `must be "2.0" or "1.0" (got ${JSON.stringify(v.payload)})`);
  }
  const cors = parseCors(v.cors, `${path}.cors`);
  if (cors) spec.cors = cors;
  const auth = parseAuth(v.auth, `${path}.auth`);
  if (auth) spec.auth = auth;
  if (v.throttle !== undefined) spec.throttle = parseThrottle(v.throttle, `${path}.throttle`);
  if (v.maxBodyBytes !== undefined) {
    const n = v.maxBodyBytes;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_BODY_BYTES)
      throw invalid(`${path}.maxBodyBytes`, `must be a whole number of bytes from 1 to ${MAX_BODY_BYTES}`);
    spec.maxBodyBytes = n;
  }
  return spec;
}

function parseCors(v: unknown, path: string): HttpCorsSpec | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true)
    return {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
    };
  if (!isMapping(v)) throw invalid(path, 'must be true, or a mapping of CORS settings');
  onlyKnown(
    v,
    ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'],
    path,
  );
  const cors: HttpCorsSpec = {
    allowOrigins: stringList(v.allowOrigins, `${path}.allowOrigins`),
    allowMethods: stringList(v.allowMethods, `${path}.allowMethods`).map((m) => m.toUpperCase()),
    allowHeaders: stringList(v.allowHeaders, `${path}.allowHeaders`).map((h) => h.toLowerCase()),
    exposeHeaders: stringList(v.exposeHeaders, `${path}.exposeHeaders`).map((h) => h.toLowerCase()),
    allowCredentials: false,
  };
  if (cors.allowOrigins.length === 0) throw invalid(`${path}.allowOrigins`, 'is required: origins, or "*"');
  for (const m of cors.allowMethods)
    if (m !== '*' && !(ROUTE_METHODS as readonly string[]).includes(m))
      throw invalid(`${path}.allowMethods`, `"${m}" is not a method`);
  if (v.maxAge !== undefined) {
    const n = v.maxAge;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > CORS_MAX_AGE)
      throw invalid(`${path}.maxAge`, `must be a whole number of seconds from 0 to ${CORS_MAX_AGE}`);
    cors.maxAge = n;
  }
  if (v.allowCredentials !== undefined) {
    if (typeof v.allowCredentials !== 'boolean')
      throw invalid(`${path}.allowCredentials`, 'must be true or false');
    cors.allowCredentials = v.allowCredentials;
  }
  // As API Gateway: browsers refuse a wildcard origin on a request with credentials.
  if (cors.allowCredentials && cors.allowOrigins.includes('*'))
    throw invalid(`${path}.allowCredentials`, 'cannot be true when allowOrigins holds "*": list the origins');
  return cors;
}

function secretAt(v: unknown, path: string, minBytes: number, what: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw invalid(
      path,
      `must be a string: the ${what}, or "\${env:NAME}" to read it from Baton's environment`,
    );
  if (envRefName(v) === undefined && Buffer.byteLength(v) < minBytes)
    throw invalid(path, `must be at least ${minBytes} characters long (or "\${env:NAME}")`);
  return v;
}

function parseAuth(v: unknown, path: string): HttpAuthSpec | undefined {
  if (v === undefined || v === null || v === 'none') return undefined;
  if (!isMapping(v) || Object.keys(v).length !== 1)
    throw invalid(path, 'must be "none", { apiKeys: [...] }, { jwt: {...} } or { lambda: {...} }');
  if (v.lambda !== undefined) return parseLambdaAuth(v.lambda, `${path}.lambda`);
  if (v.apiKeys !== undefined) {
    const keys: { name: string; value: string }[] = [];
    const p = `${path}.apiKeys`;
    if (Array.isArray(v.apiKeys))
      v.apiKeys.forEach((k, i) => {
        keys.push({ name: `key-${i + 1}`, value: secretAt(k, `${p}[${i}]`, API_KEY_MIN_CHARS, 'key') });
      });
    else if (isMapping(v.apiKeys))
      for (const [name, k] of Object.entries(v.apiKeys))
        keys.push({ name, value: secretAt(k, `${p}.${name}`, API_KEY_MIN_CHARS, 'key') });
    else throw invalid(p, 'must be a list of keys, or a mapping of key names to keys');
    if (keys.length === 0) throw invalid(p, 'must hold at least one key');
    return { type: 'apiKey', keys };
  }
  if (v.jwt !== undefined) {
    const p = `${path}.jwt`;
    const j = v.jwt;
    if (!isMapping(j)) throw invalid(p, 'must be a mapping with issuer, audience and jwksUrl or secret');
    onlyKnown(j, ['issuer', 'audience', 'jwksUrl', 'secret', 'scopes'], p);
    if (typeof j.issuer !== 'string' || j.issuer.length === 0)
      throw invalid(`${p}.issuer`, 'is required: the "iss" tokens must carry');
    const audience = stringList(j.audience, `${p}.audience`);
    if (audience.length === 0)
      throw invalid(`${p}.audience`, 'is required: the "aud" (or "client_id") to accept');
    if ((j.jwksUrl === undefined) === (j.secret === undefined))
      throw invalid(p, 'needs exactly one of jwksUrl (RS256 keys) or secret (HS256)');
    const spec: HttpAuthSpec = {
      type: 'jwt',
      issuer: j.issuer,
      audience,
      scopes: stringList(j.scopes, `${p}.scopes`),
    };
    if (j.jwksUrl !== undefined) {
      if (typeof j.jwksUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(j.jwksUrl))
        throw invalid(`${p}.jwksUrl`, 'must be an http(s) URL of a JSON Web Key Set');
      spec.jwksUrl = j.jwksUrl;
    } else spec.secret = secretAt(j.secret, `${p}.secret`, HS256_SECRET_MIN_BYTES, 'HS256 secret');
    return spec;
  }
  throw invalid(path, 'must be "none", { apiKeys: [...] }, { jwt: {...} } or { lambda: {...} }');
}

/**
 * A Lambda authorizer, with HTTP APIs' settings and defaults (identity source `Authorization`,
 * TTL 300 s, payload 2.0, IAM policy responses).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
function parseLambdaAuth(l: unknown, p: string): HttpAuthSpec {
  if (typeof l === 'string') l = { function: l };
  if (!isMapping(l)) throw invalid(p, 'must be a function name, or a mapping with "function"');
  onlyKnown(
    l,
    ['function', 'identitySource', 'enableSimpleResponses', 'resultTtlSeconds', 'payloadFormatVersion'],
    p,
  );
  if (typeof l.function !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(l.function))
    throw invalid(`${p}.function`, "is required: the authorizer function's name");
  const identitySource =
    l.identitySource === undefined
      ? ['$request.header.Authorization']
      : stringList(l.identitySource, `${p}.identitySource`);
  identitySource.forEach((s, i) => {
    if (!IDENTITY_SOURCE.test(s))
      throw invalid(
        `${p}.identitySource[${i}]`,
        `"${s}" is not "$request.header.NAME" or "$request.querystring.NAME"`,
      );
  });
  const version = l.payloadFormatVersion === undefined ? '2.0' : String(l.payloadFormatVersion);
  if (version !== '2.0' && version !== '1.0')
    throw invalid(`${p}.payloadFormatVersion`, 'must be "2.0" or "1.0"');
  const simple = l.enableSimpleResponses ?? false;
  if (typeof simple !== 'boolean') throw invalid(`${p}.enableSimpleResponses`, 'must be true or false');
  if (simple && version !== '2.0')
    throw invalid(`${p}.enableSimpleResponses`, 'needs payloadFormatVersion "2.0"');
  const ttl = l.resultTtlSeconds ?? (identitySource.length > 0 ? AUTHORIZER_TTL_DEFAULT : 0);
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > AUTHORIZER_TTL_MAX)
    throw invalid(
      `${p}.resultTtlSeconds`,
      `must be a whole number of seconds from 0 to ${AUTHORIZER_TTL_MAX}`,
    );
  // As API Gateway: results are cached by the identity sources, so caching needs one.
  if (ttl > 0 && identitySource.length === 0)
    throw invalid(`${p}.resultTtlSeconds`, 'must be 0 when identitySource is empty');
  return {
    type: 'lambda',
    function: l.function,
    identitySource,
    enableSimpleResponses: simple,
    resultTtlSeconds: ttl,
    payloadFormatVersion: version,
  };
}

function parseThrottle(v: unknown, path: string): { rate: number; burst: number } {
  if (!isMapping(v)) throw invalid(path, 'must be a mapping: { rate: requests per second, burst: requests }');
  onlyKnown(v, ['rate', 'burst'], path);
  const rate = v.rate;
  if (typeof rate !== 'number' || !(rate > 0) || rate > 1_000_000)
    throw invalid(`${path}.rate`, 'is required: requests per second, more than 0');
  const burst = v.burst === undefined ? Math.max(1, Math.ceil(rate)) : v.burst;
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1 || burst > 1_000_000)
    throw invalid(`${path}.burst`, 'must be a whole number of requests, at least 1');
  return { rate, burst };
}

/** Route keys that select the same requests: `GET /items/{id}` and `GET /items/{x}` are one. */
export function routeShape(route: string): string {
  return parseRouteKey(route).shape;
}
