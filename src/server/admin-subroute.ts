import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_SERVICE, type Authenticate, readAuthenticated } from '../aws/auth.ts';
import { matchRoute, type RequestTarget, sendJson } from './http-io.ts';

/** An admin route: method, pattern (after the area's prefix), handler, body limit, operation. */
export type AdminRoute<H> = readonly [string, RegExp, H, number, string];

/**
 * The shared front of the admin areas (cache, alarms, costs): finds the route for `rest`, reads
 * and verifies the signed body within the route's limit, and answers a failed signature (403) or
 * an unknown route (404) itself, returning undefined then.
 */
export async function readAdminRoute<H>(
  req: IncomingMessage,
  res: ServerResponse,
  url: RequestTarget,
  rest: string,
  routes: readonly AdminRoute<H>[],
  authenticate: Authenticate,
): Promise<
  | {
      route: AdminRoute<H>;
      match: RegExpExecArray;
      signed: { body: Buffer; accessKeyId: string; region: string };
    }
  | undefined
> {
  const { route, match } = matchRoute(routes, req.method, rest);
  const signed = await readAuthenticated(req, res, url, authenticate, {
    limit: route ? Math.max(route[3], 1024) : 1024,
    operation: route?.[4] ?? 'Unknown',
    service: ADMIN_SERVICE,
  });
  if (!signed) return undefined;
  if (!route || !match) {
    sendJson(res, 404, {
      __type: 'UnknownOperationException',
      message: `No route for ${req.method} ${url.pathname}`,
    });
    return undefined;
  }
  return { route, match, signed };
}
