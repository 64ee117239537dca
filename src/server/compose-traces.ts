import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import {
  asyncEnqueueTracer,
  controlPlaneTracer,
  gatewayTracer,
  invocationTracer,
} from '../telemetry/traces/hooks.ts';
import { busTracer, scheduleTracer, streamTracer, topicTracer } from '../telemetry/traces/hop-tracers.ts';
import { sqsEventTrace } from '../telemetry/traces/trace-header.ts';
import { Tracing } from '../telemetry/traces/tracing.ts';
import type { ServerConfig } from './config.ts';
import type { Route } from './control-plane.ts';
import type { RequestTarget } from './http-io.ts';
import { tracesRoutes } from './traces-api.ts';

/**
 * Tracing for one server (README, "Traces"): its own provider and store, and the hooks each part
 * takes. With `BATON_TRACING=off` every hook is undefined, so the hot path pays one `?.` each.
 */
export function composeTraces(config: Pick<ServerConfig, 'tracing' | 'otlpEndpoint' | 'region'>) {
  const tracing = config.tracing
    ? new Tracing({ region: config.region, otlpEndpoint: config.otlpEndpoint })
    : undefined;
  const apiCall = tracing && controlPlaneTracer(tracing);
  return {
    tracing,
    invocations: tracing && invocationTracer(tracing),
    gateway: tracing && gatewayTracer(tracing),
    enqueued: tracing && asyncEnqueueTracer(tracing),
    /** The hops between services (`services/hop-trace.ts`): topics, buses, schedules, streams. */
    topics: tracing && topicTracer(tracing),
    bus: tracing && busTracer(tracing),
    schedules: tracing && scheduleTracer(tracing),
    streams: tracing && streamTracer(),
    /** A queue-triggered invocation continues the first record's `AWSTraceHeader`. */
    sqsTrace: (event: unknown): string | undefined => (tracing ? sqsEventTrace(event) : undefined),
    /**
     * The first control-plane route: starts each AWS API call's span (ended when the response
     * is), then answers `/admin/v1/traces/{id}` or lets the other routes have the request.
     */
    route(authenticate: Authenticate, authorize: Authorize): Route {
      const traces = tracesRoutes({ store: tracing?.store, authenticate, authorize });
      return (req, res, url: RequestTarget) => {
        apiCall?.(req, res, url);
        return traces(req, res, url);
      };
    },
    close: async (): Promise<void> => {
      await tracing?.shutdown().catch(() => {});
    },
  };
}
