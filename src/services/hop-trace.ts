import type { BusDelivery } from './bus/backend.ts';
import type { ScheduleRecord } from './scheduler/records.ts';
import type { StoredStreamRecord } from './tables/backend.ts';
import type { Item } from './tables/types.ts';
import type { OutboxEntry, SubscriptionRecord } from './topics/backend.ts';

/**
 * The trace hooks of the hops between services: a topic's deliveries, a bus's targets, a
 * schedule's fires and a table's stream (README, "Traces"). Trace context travels as an
 * `X-Amzn-Trace-Id` value, as it does between AWS services. Each hook is optional and absent
 * when tracing is off (`BATON_TRACING=off`), so a service then pays one `?.` per hop.
 *
 * A header that waits for a later delivery (an outbox entry, a stream record) is kept in memory
 * only, keyed by the entry, with a bound: an entry delivered after a restart, or by another node,
 * starts a new trace. Implementations: `telemetry/traces/hop-tracers.ts`.
 */

/** A span around one hand-over; the receiver continues `header`. */
export interface HopSpan {
  /** `Root=…;Parent=<this span>;Sampled=…`. */
  readonly header: string;
  /** Ends the span; `error`: why the hand-over failed. */
  end(error?: string): void;
}

/** Topics: from a publish to each subscription. */
export interface TopicTracer {
  /** Keeps a publish's trace header for an outbox entry until the deliverer takes it. */
  keep(entryId: string, header: string): void;
  /**
   * A queue message written in the publish's transaction: a span, ended at once, whose header
   * the message carries; undefined when `parent` is not a valid header (it is dropped).
   */
  sent(topic: string, protocol: string, parent: string): string | undefined;
  /** An outbox entry's attempt, under the header kept for it; undefined when none was. */
  delivery(entry: OutboxEntry, subscription: SubscriptionRecord): HopSpan | undefined;
}

/** Buses: from a PutEvents entry (or a scheduled rule, or a forward) to each target. */
export interface BusTracer {
  keep(deliveryId: string, header: string): void;
  /** A delivery's attempt, under the header kept for it; undefined when none was. */
  delivery(d: BusDelivery): HopSpan | undefined;
}

/** Schedules (EventBridge Scheduler and scheduled rules): each fire starts a trace. */
export type ScheduleTracer = (schedule: ScheduleRecord, fireTime: number) => HopSpan;

/** Tables: from a write to the stream records it leaves, to the stream-triggered invocation. */
export interface StreamTracer {
  /** A traced write of `key` at `at` (the mutation's time) on a table with a stream. */
  wrote(streamArn: string, key: Item, at: number, header: string): void;
  /** The header of the write that left `record`, if this node took it. */
  traceOf(record: StoredStreamRecord): string | undefined;
}

/** The SQS system attribute that carries a trace header with a message. */
export function traceAttribute(header: string): Record<string, unknown> {
  return { AWSTraceHeader: { DataType: 'String', StringValue: header } };
}
