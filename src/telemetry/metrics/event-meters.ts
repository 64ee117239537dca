import type { GatewayObserver } from '../../gateway/gateway.ts';
import type { AsyncObserver, DestinationKind } from '../../runtime/async/dispatcher.ts';
import type { BusObserver } from '../../services/bus/deliverer.ts';
import type { TopicObserver } from '../../services/topics/deliverer.ts';
import type { Families } from './definitions.ts';
import type { CounterChild, CounterFamily, HistogramChild } from './families.ts';

/** Children of a two-label counter, bound on first use and kept by their label values. */
class BoundPairs {
  private readonly children = new Map<string, Map<string, CounterChild>>();
  constructor(private readonly family: CounterFamily) {}

  get(a: string, b: string): CounterChild {
    let inner = this.children.get(a);
    if (!inner) {
      inner = new Map();
      this.children.set(a, inner);
    }
    let child = inner.get(b);
    if (!child) {
      child = this.family.labels(a, b);
      inner.set(b, child);
    }
    return child;
  }
}

/** Async invocations: events accepted, their age at each attempt, drops and destinations. */
export class AsyncMeter implements AsyncObserver {
  private readonly accepted = new Map<string, CounterChild>();
  private readonly ages = new Map<string, HistogramChild>();
  private readonly drops: BoundPairs;
  private readonly delivered: BoundPairs;
  private readonly failed: BoundPairs;

  constructor(private readonly f: Families) {
    this.drops = new BoundPairs(f.asyncDropped);
    this.delivered = new BoundPairs(f.destinationDelivered);
    this.failed = new BoundPairs(f.destinationFailed);
  }

  received(fn: string): void {
    let c = this.accepted.get(fn);
    if (!c) {
      c = this.f.asyncReceived.labels(fn);
      this.accepted.set(fn, c);
    }
    c.inc();
  }

  attempt(fn: string, ageMs: number): void {
    let h = this.ages.get(fn);
    if (!h) {
      h = this.f.asyncAge.labels(fn);
      this.ages.set(fn, h);
    }
    h.observe(Math.max(0, ageMs) / 1000);
  }

  dropped(fn: string, reason: string): void {
    this.drops.get(fn, reason).inc();
  }

  destination(fn: string, kind: DestinationKind, delivered: boolean): void {
    (delivered ? this.delivered : this.failed).get(fn, kind).inc();
  }
}

/** Route label of requests no route matched (404s, and preflights of unknown paths). */
export const NO_ROUTE = '(none)';

/** Gateway requests by route key and status, and their latency by route key. */
export function gatewayMeter(f: Families): GatewayObserver {
  const routes = new Map<string, { latency: HistogramChild; byStatus: Map<number, CounterChild> }>();
  return (routeKey, status, latencyMs) => {
    const key = routeKey ?? NO_ROUTE;
    let r = routes.get(key);
    if (!r) {
      r = { latency: f.gatewayLatency.labels(key), byStatus: new Map() };
      routes.set(key, r);
    }
    let c = r.byStatus.get(status);
    if (!c) {
      c = f.gatewayRequests.labels(key, String(status));
      r.byStatus.set(status, c);
    }
    c.inc();
    r.latency.observe(latencyMs / 1000);
  };
}

/** Topic deliveries and failures, by topic and subscription protocol. */
export function topicMeter(f: Families): TopicObserver {
  const delivered = new BoundPairs(f.topicDelivered);
  const failed = new BoundPairs(f.topicFailed);
  return {
    delivered: (topic, protocol, count = 1) => delivered.get(topic, protocol).inc(count),
    failed: (topic, protocol, count = 1) => failed.get(topic, protocol).inc(count),
  };
}

/** Bus deliveries and failures, by bus and rule. */
export function busMeter(f: Families): BusObserver {
  const delivered = new BoundPairs(f.busDelivered);
  const failed = new BoundPairs(f.busFailed);
  return {
    delivered: (bus, rule) => delivered.get(bus, rule).inc(),
    failed: (bus, rule) => failed.get(bus, rule).inc(),
  };
}
