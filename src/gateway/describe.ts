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
    } else if (r.auth?.type === 'lambda') {
      const { type: _t, ...lambda } = r.auth;
      out.auth = { lambda };
    }
    if (r.throttle) out.throttle = r.throttle;
    if (r.maxBodyBytes !== undefined) out.maxBodyBytes = r.maxBodyBytes;
    return out;
  });
}

/**
 * One line per route for a console: `GET  http://127.0.0.1:4747/hello  → hello`. A `$default`
 * route shows as `*` on the gateway's root.
 */
export function routeLines(
  gatewayUrl: string,
  functions: Record<string, { routes?: HttpRouteSpec[] }>,
): string[] {
  const rows: [string, string, string][] = [];
  for (const [name, fn] of Object.entries(functions))
    for (const r of fn.routes ?? []) {
      const [method, path] = r.route === '$default' ? ['*', '/…'] : r.route.split(' ');
      rows.push([method!, `${gatewayUrl}${path}`, name]);
    }
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([m, url, name]) => `  ${m.padEnd(width)}  ${url}  → ${name}`);
}
