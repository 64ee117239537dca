import { Registry } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { GatewayObserver } from '../../gateway/gateway.ts';
import type { AsyncObserver } from '../../runtime/async/dispatcher.ts';
import type { UnitUsage } from '../../runtime/function-state.ts';
import type { InvocationObserver } from '../../runtime/invoker.ts';
import type { BusObserver } from '../../services/bus/deliverer.ts';
import type { TopicObserver } from '../../services/topics/deliverer.ts';
import { defineFamilies } from './definitions.ts';
import { AsyncMeter, busMeter, gatewayMeter, topicMeter } from './event-meters.ts';
import { FunctionMeter } from './function-meter.ts';
import { poolGauges, type QueueSource, queueGauges } from './scrape-gauges.ts';

export interface PlatformMetricsDeps {
  clock: Clock;
  /** Busy instances per unit (`Pool.usage`), read on scrape. */
  usage: () => UnitUsage[];
  /** The queue backend, read on scrape. */
  queues: QueueSource;
  warn: (message: string, details: Record<string, unknown>) => void;
}

/**
 * The platform's metrics, in one prom-client Registry of the server's own (not prom-client's
 * global one: tests and benchmarks run several servers in one process). Event metrics are
 * recorded through the observers below, from numbers their callers already hold; depth and
 * concurrency gauges are read on scrape.
 * @example
 * const metrics = new PlatformMetrics({ clock, usage: () => pool.usage(), queues, warn });
 * const invoker = new Invoker({ ...deps, observe: metrics.invocations });
 * const { contentType, body } = await metrics.scrape();
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly invocations: InvocationObserver;
  readonly asyncEvents: AsyncObserver;
  readonly gateway: GatewayObserver;
  readonly topics: TopicObserver;
  readonly bus: BusObserver;

  constructor(deps: PlatformMetricsDeps) {
    const families = defineFamilies(this.registry);
    this.invocations = new FunctionMeter(families);
    this.asyncEvents = new AsyncMeter(families);
    this.gateway = gatewayMeter(families);
    this.topics = topicMeter(families);
    this.bus = busMeter(families);
    poolGauges(this.registry, deps.usage);
    queueGauges(this.registry, deps.queues, deps.clock, deps.warn);
  }

  /** The exposition text (Prometheus 0.0.4) and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
