import type { Clock } from '../core/clock.ts';
import type { AppGrants } from '../governance/app-policy.ts';
import { FunctionRoles, type FunctionSubject } from '../governance/function-roles.ts';
import { SessionVendor } from '../governance/sessions.ts';
import type { Registry } from '../registry/registry.ts';
import type { PoolCredentials } from '../runtime/pool.ts';

export interface ComposedFunctionRoles {
  /** Who a function session key is, and the synthesized policies of roleless functions. */
  roles: FunctionRoles;
  /** Issues and ends instances' credentials, for the pool. */
  credentials: PoolCredentials;
}

/**
 * Function roles over the registry: sessions last `ttlS` seconds on `clock`, and a function
 * without an IAM role gets what its app's records declare (`manifestResources`) and its app's
 * functions, recomputed after every registry change.
 */
export function composeFunctionRoles(deps: {
  registry: Registry;
  clock: Clock;
  ttlS: number;
  region: string;
  accountId: string;
}): ComposedFunctionRoles {
  const sessions = new SessionVendor<FunctionSubject>(deps.clock, deps.ttlS * 1000);
  const roles = new FunctionRoles({
    accountId: deps.accountId,
    region: deps.region,
    sessions,
    appGrants: (app) => appGrantsOf(deps.registry, app),
  });
  deps.registry.onChange(() => roles.invalidate());
  return {
    roles,
    credentials: {
      issue: (rec) =>
        roles.issue(
          { name: rec.name, app: rec.app, ...(rec.role === undefined ? {} : { role: rec.role }) },
          rec.timeout * 1000,
        ),
      revoke: (accessKeyId) => roles.revoke(accessKeyId),
    },
  };
}

/** What an app's functions declare (each carries its manifest's resources) and its functions. */
function appGrantsOf(registry: Registry, app: string): AppGrants {
  const fns = registry.list().filter((r) => r.app === app);
  const union = (k: 'queues' | 'topics' | 'tables' | 'buses') => [
    ...new Set(fns.flatMap((f) => f.manifestResources?.[k] ?? [])),
  ];
  return {
    queues: union('queues'),
    topics: union('topics'),
    tables: union('tables'),
    buses: union('buses'),
    functions: fns.map((f) => f.name),
  };
}
