import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import { BatonError, type BatonErrorCode } from '../core/errors.ts';
import type { CacheEntry } from '../services/cache/backend.ts';
import { type CacheErrorCode, isCacheError } from '../services/cache/errors.ts';
import type { CacheService } from '../services/cache/service.ts';
import { cacheAccess } from './admin-access.ts';
import { readAdminRoute } from './admin-subroute.ts';
import { parseJsonObject, type RequestTarget, sendJson } from './http-io.ts';

export interface CacheApiDeps {
  cache: CacheService;
  authenticate: Authenticate;
  authorize: Authorize;
}

/** How cache errors reach admin clients; the cache's own code travels as `Reason`. */
const CODES: Record<CacheErrorCode, BatonErrorCode> = {
  InvalidNamespace: 'InvalidParameterValue',
  InvalidKey: 'InvalidParameterValue',
  InvalidValue: 'InvalidParameterValue',
  InvalidTtl: 'InvalidParameterValue',
  InvalidArgument: 'InvalidParameterValue',
  TooManyKeys: 'InvalidParameterValue',
  ValueTooLarge: 'RequestTooLarge',
  NotAnInteger: 'ResourceConflict',
  OutOfRange: 'ResourceConflict',
  Unavailable: 'ShuttingDown',
  BackendFailure: 'BackendFailure',
};

/** Bytes of a single-key request body: a 1 MiB value, even when JSON escapes every character. */
const ONE_BODY_LIMIT = 8 * 1024 * 1024;
/** Bytes of a multi-set request body. */
const BATCH_BODY_LIMIT = 32 * 1024 * 1024;
const PREFIX = '/admin/v1/cache';

type Handler = (res: ServerResponse, ns: string, key: string, body: Buffer) => Promise<void>;

/**
 * The cache over the admin API, under `/admin/v1/cache` (README, "Cache"): SigV4-signed JSON, as
 * every admin route, and authorized as `baton:<operation>` (`./admin-access.ts`). Keys are path
 * segments, percent-encoded (`a%2Fb` for `a/b`).
 */
export function cacheRoutes(
  deps: CacheApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const { cache } = deps;
  const json = (body: Buffer) => (body.length === 0 ? {} : parseJsonObject(body));

  const stats: Handler = async (res) => sendJson(res, 200, await cache.stats());
  const clear: Handler = async (res, ns) => sendJson(res, 200, { deleted: await cache.clear(ns) });
  const get: Handler = async (res, ns, key) => {
    const value = await cache.get(ns, key);
    if (value === null) throw new BatonError('ResourceNotFound', `Key not found: ${key} in ${ns}`);
    sendJson(res, 200, { value });
  };
  const put: Handler = async (res, ns, key, body) => {
    const { value, ttlMs } = json(body);
    await cache.set(ns, key, value as string, ttlMs as number | undefined);
    res.writeHead(204).end();
  };
  const del: Handler = async (res, ns, key) => sendJson(res, 200, { deleted: await cache.delete(ns, key) });
  const increment: Handler = async (res, ns, key, body) => {
    const { by, ttlMs } = json(body);
    const value = await cache.increment(ns, key, (by ?? 1) as number, ttlMs as number | undefined);
    sendJson(res, 200, { value });
  };
  const compareAndSet: Handler = async (res, ns, key, body) => {
    const { expected, value, ttlMs } = json(body);
    const swapped = await cache.compareAndSet(
      ns,
      key,
      (expected ?? null) as string | null,
      value as string,
      ttlMs as number | undefined,
    );
    sendJson(res, 200, { swapped });
  };
  const getMany: Handler = async (res, ns, _key, body) =>
    sendJson(res, 200, { values: await cache.getMany(ns, json(body).keys as string[]) });
  const setMany: Handler = async (res, ns, _key, body) => {
    await cache.setMany(ns, json(body).entries as CacheEntry[]);
    res.writeHead(204).end();
  };

  // [method, pattern (after /admin/v1/cache), handler, body limit, operation name]
  const routes: [string, RegExp, Handler, number, string][] = [
    ['GET', /^\/([^/]+)\/([^/]+)$/, get, 0, 'CacheGet'],
    ['PUT', /^\/([^/]+)\/([^/]+)$/, put, ONE_BODY_LIMIT, 'CacheSet'],
    ['DELETE', /^\/([^/]+)\/([^/]+)$/, del, 0, 'CacheDelete'],
    ['POST', /^\/([^/]+)\/get-many$/, getMany, 256 * 1024, 'CacheGetMany'],
    ['POST', /^\/([^/]+)\/set-many$/, setMany, BATCH_BODY_LIMIT, 'CacheSetMany'],
    ['POST', /^\/([^/]+)\/([^/]+)\/increment$/, increment, 1024, 'CacheIncrement'],
    [
      'POST',
      /^\/([^/]+)\/([^/]+)\/compare-and-set$/,
      compareAndSet,
      2 * ONE_BODY_LIMIT,
      'CacheCompareAndSet',
    ],
    ['DELETE', /^\/([^/]+)$/, clear, 0, 'CacheClear'],
    ['GET', /^\/?$/, stats, 0, 'CacheStats'],
  ];

  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    const found = await readAdminRoute(req, res, url, path.slice(PREFIX.length), routes, deps.authenticate);
    if (!found) return true;
    const { route, match, signed } = found;
    const ns = segment(match[1]);
    deps.authorize(signed.accessKeyId, cacheAccess(route[4], ns), req, signed.region);
    try {
      await route[2](res, ns, segment(match[2]), signed.body);
    } catch (e) {
      if (isCacheError(e))
        throw new BatonError(CODES[e.code], e.message, { cause: e, details: { reason: e.code } });
      throw e;
    }
    return true;
  };
}

function segment(raw: string | undefined): string {
  if (raw === undefined) return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BatonError('InvalidParameterValue', `path: "${raw}" is not valid percent-encoding`);
  }
}
