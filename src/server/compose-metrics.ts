import type { Logger } from 'pino';
import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import type { Clock } from '../core/clock.ts';
import type { Pool } from '../runtime/pool.ts';
import type { QueueBackend } from '../services/queues/backend.ts';
import { PlatformMetrics } from '../telemetry/metrics/index.ts';
import type { ServerConfig } from './config.ts';
import type { Route } from './control-plane.ts';
import { metricsRoutes } from './metrics-api.ts';

/**
 * Metrics as the server wires them: the observers each subsystem is given (all undefined when
 * `BATON_METRICS=off`, so the instrumented code skips them) and the control-plane route.
 */
export type ComposedMetrics = Partial<
  Pick<PlatformMetrics, 'invocations' | 'asyncEvents' | 'gateway' | 'topics' | 'bus'>
> & {
  /** The metrics' registry (alarms read their metrics from it); undefined when metrics are off. */
  registry?: PlatformMetrics['registry'];
  /** `GET /metrics` and `GET /admin/v1/metrics`; place it before the admin routes. */
  route(authenticate: Authenticate, authorize: Authorize): Route;
};

export function composeMetrics(
  config: Pick<ServerConfig, 'metrics' | 'metricsToken'>,
  deps: { pool: Pool; queues: QueueBackend; clock: Clock; log: Logger },
): ComposedMetrics {
  const metrics = config.metrics
    ? new PlatformMetrics({
        clock: deps.clock,
        usage: () => deps.pool.usage(),
        queues: deps.queues,
        warn: (message, details) => deps.log.warn(details, message),
      })
    : undefined;
  return {
    invocations: metrics?.invocations,
    asyncEvents: metrics?.asyncEvents,
    gateway: metrics?.gateway,
    topics: metrics?.topics,
    bus: metrics?.bus,
    registry: metrics?.registry,
    route: (authenticate, authorize) =>
      metricsRoutes({
        scrape: metrics && (() => metrics.scrape()),
        token: config.metricsToken,
        authenticate,
        authorize,
      }),
  };
}
