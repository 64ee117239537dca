import type { HttpRouteSpec } from '../core/function-spec.ts';
import { redactSecret } from './secrets.ts';

/**
 * A function's routes as the admin API shows them: everything but secret values. An API key or
 * HS256 secret shows as its `${env:NAME}` reference, or as hidden when it is a literal.
 */
export function describeRoutes(routes: readonly HttpRouteSpec[] | undefined): Record<string, unknown>[] {
  return (routes ?? []).map((r) => {
    const out: Record<string, unknown> = { route: r.route, payload: r.payload };
    if (r.cors) out.cors = r.cors;
    if (r.auth?.type === 'apiKey')
      out.auth = { apiKeys: r.auth.keys.map((k) => ({ name: k.name, value: redactSecret(k.value) })) };
    else if (r.auth?.type === 'jwt') {
      const { secret, type: _t, ...jwt } = r.auth;
      out.auth = { jwt: secret === undefined ? jwt : { ...jwt, secret: redactSecret(secret) } };
    }
    if (r.throttle) out.throttle = r.throttle;
    if (r.maxBodyBytes !== undefined) out.maxBodyBytes = r.maxBodyBytes;
    return out;
  });
}
