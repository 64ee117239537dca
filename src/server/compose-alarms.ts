import type { Logger } from 'pino';
import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import type { Clock } from '../core/clock.ts';
import type { AlarmBackend } from '../telemetry/alarms/backend.ts';
import { AlarmEvaluator } from '../telemetry/alarms/evaluator.ts';
import { stateChangeEntry } from '../telemetry/alarms/event.ts';
import { type MetricReader, registryReader } from '../telemetry/alarms/metric-reader.ts';
import { AlarmService } from '../telemetry/alarms/service.ts';
import { alarmArn } from './admin-access.ts';
import { alarmRoutes } from './alarms-api.ts';
import type { ComposedMetrics } from './compose-metrics.ts';
import type { ServerConfig } from './config.ts';
import type { Route } from './control-plane.ts';

/** Where state changes go: the event bus (`BusService.putEvents`), made after the deployer. */
export interface AlarmBus {
  putEvents(input: { Entries: Record<string, unknown>[] }): Promise<Record<string, unknown>>;
}

export interface ComposedAlarms {
  service: AlarmService;
  /** `/admin/v1/alarms`; place it before the admin routes. */
  route(authenticate: Authenticate, authorize: Authorize): Route;
  start(): Promise<void>;
  close(): void;
}

/**
 * Metric alarms as the server wires them (README, "Alarms"): rules in the alarm backend, an
 * evaluator on the server's clock reading the metrics' registry, state changes put on a bus. With
 * `BATON_METRICS=off` there is nothing to read: every period is missing data.
 */
export function composeAlarms(
  config: Pick<ServerConfig, 'alarmMinPeriodS' | 'region' | 'accountId'>,
  deps: { backend: AlarmBackend; clock: Clock; log: Logger; metrics: ComposedMetrics; bus: () => AlarmBus },
): ComposedAlarms {
  const scope = { region: config.region, account: config.accountId };
  const arn = (name: string) => alarmArn(scope, name);
  const registry = deps.metrics.registry;
  const read: MetricReader = registry
    ? registryReader(registry)
    : async (spec) => (spec.metric === 'queue_depth' ? { kind: 'gauge', value: undefined } : nothing);
  const evaluator = new AlarmEvaluator({
    clock: deps.clock,
    read,
    emit: async (change) => {
      deps.log.info(
        { alarm: change.spec.name, state: change.state, previous: change.previous.state },
        'an alarm changed state',
      );
      const out = await deps.bus().putEvents({ Entries: [stateChangeEntry(change, arn(change.spec.name))] });
      if (out.FailedEntryCount !== 0)
        deps.log.warn(
          { alarm: change.spec.name, result: out.Entries },
          'alarms: the state-change event was refused',
        );
    },
    warn: (message, details) => deps.log.warn(details, message),
  });
  const service = new AlarmService({
    backend: deps.backend,
    evaluator,
    clock: deps.clock,
    minPeriodS: config.alarmMinPeriodS,
    arn,
  });
  return {
    service,
    route: (authenticate, authorize) => alarmRoutes({ alarms: service, scope, authenticate, authorize }),
    start: () => service.start(),
    close: () => service.close(),
  };
}

/** Metrics off: a histogram read with no invocations, so duration periods are missing data. */
const nothing = { kind: 'histogram', buckets: new Map<number, number>(), sum: 0, count: 0 } as const;
