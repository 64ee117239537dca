import { type Authorize, one } from '../aws/access.ts';
import { ADMIN_SERVICE, type Authenticate, readAuthenticated } from '../aws/auth.ts';
import { BatonError } from '../core/errors.ts';
import type { SpanStore } from '../telemetry/traces/span-store.ts';
import type { Route } from './control-plane.ts';
import { type RequestTarget, sendJson } from './http-io.ts';

const PREFIX = '/admin/v1/traces/';
/** No AWS counterpart (X-Ray's API is not served): `baton:GetTrace` on `*`, like `baton:GetMetrics`. */
const TRACE_ACCESS = one('baton:GetTrace', '*');

/**
 * `GET /admin/v1/traces/{id}`: the spans of one trace, found by a request id (an invocation's, or
 * the gateway's `apigw-requestid`) or a trace id (32 hex, or X-Ray's `1-…-…`). Signed like every
 * admin route and authorized as `baton:GetTrace`. Undefined store: tracing is off.
 */
export function tracesRoutes(deps: {
  store: SpanStore | undefined;
  authenticate: Authenticate;
  authorize: Authorize;
}): Route {
  return async (req, res, url: RequestTarget) => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const signed = await readAuthenticated(req, res, url, deps.authenticate, {
      limit: 1024,
      operation: 'GetTrace',
      service: ADMIN_SERVICE,
    });
    if (!signed) return true;
    deps.authorize(signed.accessKeyId, TRACE_ACCESS, req, signed.region);
    if (req.method !== 'GET') {
      sendJson(
        res,
        405,
        { __type: 'MethodNotAllowed', message: 'Traces are read with GET' },
        { allow: 'GET' },
      );
      return true;
    }
    if (!deps.store)
      throw new BatonError('ResourceNotFound', 'Tracing is off on this server (BATON_TRACING=off)');
    let id: string;
    try {
      id = decodeURIComponent(url.pathname.slice(PREFIX.length));
    } catch {
      id = '';
    }
    const found = id ? deps.store.find(id) : undefined;
    if (!found) throw new BatonError('ResourceNotFound', `No trace kept for ${id || '(none)'}`);
    sendJson(res, 200, found);
    return true;
  };
}
