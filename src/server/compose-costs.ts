import type { Logger } from 'pino';
import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import type { Clock } from '../core/clock.ts';
import type { GatewayObserver } from '../gateway/gateway.ts';
import type { UsageBackend } from '../governance/costs/backend.ts';
import {
  BUDGET_ALERT_DETAIL_TYPE,
  BUDGET_ALERT_SOURCE,
  type BudgetAlert,
  BudgetKeeper,
} from '../governance/costs/budgets.ts';
import { Meter } from '../governance/costs/meter.ts';
import { loadPrices, type PriceTable } from '../governance/costs/prices.ts';
import { type OwnerOf, type ServiceMeter, serviceMeter } from '../governance/costs/service-usage.ts';
import type { InvokeTarget } from '../registry/resolve.ts';
import type { InvocationObserver, InvokeResult } from '../runtime/invoker.ts';
import type { ServerConfig } from './config.ts';
import type { Route } from './control-plane.ts';
import { costsRoutes } from './costs-api.ts';

/** Where alerts go: the event bus (`BusService`), made after the invoker. */
export interface AlertBus {
  putEvents(input: { Entries: Record<string, unknown>[] }): Promise<unknown>;
}

export interface ComposedCosts {
  meter: Meter;
  budgets: BudgetKeeper;
  prices: PriceTable;
  /** The invoker's observer: metrics (when on) and metering. */
  observe(metrics: InvocationObserver | undefined): InvocationObserver;
  /** The gateway's observer: metrics (when on) and metering. */
  observeGateway(metrics: GatewayObserver | undefined): GatewayObserver;
  /**
   * The SQS, SNS, EventBridge and DynamoDB adapters' `meter`: usage on the owner app's row
   * (`manifestOwners(registry)`), else on `(account)`; undefined with metering off.
   */
  services(ownerOf: OwnerOf): ServiceMeter | undefined;
  /** The invoker's `admit`: the budgets' hard stop. */
  admit: (target: InvokeTarget) => void;
  /** The admin routes `/admin/v1/costs` and `/admin/v1/budgets`; place before the admin routes. */
  route(authenticate: Authenticate, authorize: Authorize): Route;
  start(): void;
  close(): Promise<void>;
}

/** Metering, prices and budgets as the server wires them (README, "Costs and budgets"). */
export function composeCosts(
  config: Pick<ServerConfig, 'pricesFile' | 'usageFlushMs' | 'metering'>,
  deps: { backend: UsageBackend; clock: Clock; log: Logger; bus: () => AlertBus },
): ComposedCosts {
  const prices = loadPrices(config.pricesFile);
  const budgets = new BudgetKeeper({
    backend: deps.backend,
    prices,
    clock: deps.clock,
    alert: async (a: BudgetAlert) => {
      deps.log.warn({ budget: a }, 'a budget threshold was crossed');
      const entry = {
        Source: BUDGET_ALERT_SOURCE,
        DetailType: BUDGET_ALERT_DETAIL_TYPE,
        Detail: JSON.stringify(a),
        EventBusName: 'default',
      };
      await deps.bus().putEvents({ Entries: [entry] });
    },
  });
  const meter = new Meter(deps.backend, deps.clock, {
    flushIntervalMs: config.usageFlushMs,
    warn: (message, details) => deps.log.warn(details, message),
    afterFlush: () => budgets.evaluate(),
  });
  return {
    meter,
    budgets,
    prices,
    // With metering off (BATON_METERING=off) nothing is counted, so budgets never stop anything.
    observe: (metrics) =>
      !config.metering
        ? (metrics ?? { invoked: () => undefined, refused: () => undefined })
        : metrics
          ? {
              invoked(t: InvokeTarget, r: InvokeResult) {
                metrics.invoked(t, r);
                meter.invoked(t, r);
              },
              refused: (t, e) => metrics.refused(t, e),
            }
          : meter,
    observeGateway: (metrics) =>
      !config.metering
        ? (metrics ?? (() => undefined))
        : (routeKey, status, latencyMs) => {
            metrics?.(routeKey, status, latencyMs);
            meter.gatewayRequest();
          },
    services: (ownerOf) => (config.metering ? serviceMeter(meter, ownerOf) : undefined),
    admit: (target) => {
      if (config.metering) budgets.admit(target);
    },
    route: (authenticate, authorize) =>
      costsRoutes({ backend: deps.backend, meter, budgets, prices, authenticate, authorize }),
    start() {
      meter.start();
      // Stops recorded before a restart apply again at once.
      void budgets.evaluate().catch((e) => deps.log.warn({ err: e }, 'checking budgets failed'));
    },
    close: () => meter.close(),
  };
}
