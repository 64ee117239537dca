import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Gateway, type GatewayDeps } from './gateway.ts';

export { Gateway, type GatewayDeps, type GatewayObserver } from './gateway.ts';
export type { GatewaySpan, GatewayTracer } from './request-tracing.ts';

/**
 * A stable API id for `requestContext.apiId`: 10 lower-case characters derived from the account
 * and region, as API Gateway's ids look (`r3pmxmplak`).
 */
export function apiIdFor(accountId: string, region: string): string {
  const digest = createHash('sha256').update(`baton:${accountId}:${region}`).digest();
  let id = '';
  for (let i = 0; i < 10; i++) id += 'abcdefghijklmnopqrstuvwxyz0123456789'[digest[i]! % 36];
  return id;
}

/**
 * The public gateway listener: app routes, as API Gateway HTTP APIs serve them.
 * @example
 * const { server } = gatewayServer({ routes: registry, invoke, clock, log, api });
 * server.listen(4747, '127.0.0.1');
 */
export function gatewayServer(deps: GatewayDeps): { gateway: Gateway; server: Server } {
  const gateway = new Gateway(deps);
  const server = createServer(gateway.listener);
  server.keepAliveTimeout = 65_000;
  return { gateway, server };
}
