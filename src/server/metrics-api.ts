import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorize } from '../aws/access.ts';
import { ADMIN_SERVICE, type Authenticate, readAuthenticated } from '../aws/auth.ts';
import { METRICS_ACCESS } from './admin-access.ts';
import type { Route } from './control-plane.ts';
import { type RequestTarget, sendJson } from './http-io.ts';

export interface MetricsApiDeps {
  /** The exposition; undefined when metrics are off (`BATON_METRICS=off`). */
  scrape: (() => Promise<{ contentType: string; body: string }>) | undefined;
  /** `BATON_METRICS_TOKEN`: lets `GET /metrics` in with `Authorization: Bearer <token>`. */
  token: string | undefined;
  authenticate: Authenticate;
  authorize: Authorize;
}

const OPEN_PATH = '/metrics';
const ADMIN_PATH = '/admin/v1/metrics';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares in constant time: both sides are hashed first, so not even the length leaks. */
export function tokenMatches(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/**
 * The metrics on the control port, in Prometheus text format. `/admin/v1/metrics` is signed like
 * the rest of the admin API. `/metrics` takes the same signature, or, when `BATON_METRICS_TOKEN`
 * is set, that token as a bearer token: Prometheus cannot sign, but sends
 * `authorization: { credentials }` as `Authorization: Bearer …` (README, "Metrics"). A signed
 * request needs `baton:GetMetrics`; the token grants that and nothing else.
 */
export function metricsRoutes(deps: MetricsApiDeps): Route {
  const expected = deps.token === undefined ? undefined : digest(deps.token);

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET') {
      sendJson(
        res,
        405,
        { __type: 'MethodNotAllowed', message: 'Metrics are read with GET' },
        { allow: 'GET' },
      );
      return;
    }
    if (!deps.scrape) {
      sendJson(res, 404, {
        __type: 'ResourceNotFoundException',
        message: 'Metrics are off on this server (BATON_METRICS=off)',
      });
      return;
    }
    const { contentType, body } = await deps.scrape();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  return async (req, res, url: RequestTarget) => {
    const open = url.pathname === OPEN_PATH;
    if (!open && url.pathname !== ADMIN_PATH) return false;
    const bearer = open ? /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '') : null;
    if (bearer) {
      req.resume();
      if (expected === undefined || !tokenMatches(bearer[1]!, expected)) {
        const message =
          expected === undefined
            ? 'No metrics token is configured (BATON_METRICS_TOKEN): sign the request instead'
            : 'The metrics token is not valid';
        sendJson(
          res,
          401,
          { __type: 'UnrecognizedClientException', message },
          { 'www-authenticate': 'Bearer realm="baton-metrics"' },
        );
        return true;
      }
      await answer(req, res);
      return true;
    }
    const signed = await readAuthenticated(req, res, url, deps.authenticate, {
      limit: 1024,
      operation: 'GetMetrics',
      service: ADMIN_SERVICE,
    });
    if (!signed) return true;
    deps.authorize(signed.accessKeyId, METRICS_ACCESS, req, signed.region);
    await answer(req, res);
    return true;
  };
}
