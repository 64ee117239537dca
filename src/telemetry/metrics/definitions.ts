import type { Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, registerFamily } from './families.ts';

/**
 * Seconds, from 1 ms to Lambda's 15-minute timeout: CloudWatch's Duration spans the same range,
 * and most handlers sit in the first few buckets.
 */
export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
] as const;
/** Seconds, up to Lambda's 10-second init phase. */
export const INIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Seconds an async event waited, up to MaximumEventAgeInSeconds' 6 hours. */
export const EVENT_AGE_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600, 21_600] as const;
/** Seconds a gateway request took, up to API Gateway's 30-second integration timeout. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

const FN = ['function', 'version', 'app'] as const;

/** Every event-driven metric of the platform. Gauges read on scrape live in `scrape-gauges.ts`. */
export function defineFamilies(registry: Registry) {
  const counter = (name: string, help: string, labels: readonly string[]) =>
    registerFamily(registry, new CounterFamily(name, help, labels));
  const histogram = (name: string, help: string, labels: readonly string[], buckets: readonly number[]) =>
    registerFamily(registry, new HistogramFamily(name, help, labels, buckets));
  return {
    invocations: counter(
      'baton_function_invocations_total',
      'Invocations that ran, whatever their outcome (CloudWatch Invocations; throttles excluded).',
      FN,
    ),
    errors: counter(
      'baton_function_errors_total',
      'Invocations that ended in a function error, a timeout or a crashed instance (CloudWatch Errors).',
      FN,
    ),
    throttles: counter(
      'baton_function_throttles_total',
      'Invocations refused for concurrency: reserved concurrency or BATON_MAX_INSTANCES (CloudWatch Throttles).',
      FN,
    ),
    duration: histogram(
      'baton_function_duration_seconds',
      'Handler time of each invocation, as the REPORT line gives it.',
      FN,
      DURATION_BUCKETS,
    ),
    initDuration: histogram(
      'baton_function_init_duration_seconds',
      'Module load time of each cold start (the REPORT line’s Init Duration).',
      FN,
      INIT_BUCKETS,
    ),
    coldStarts: counter(
      'baton_function_cold_starts_total',
      'Invocations that started a new instance (provisioned instances excluded).',
      FN,
    ),
    billedMs: counter(
      'baton_function_billed_milliseconds_total',
      'Billed duration: each invocation’s handler time rounded up to the millisecond, as its REPORT line says.',
      FN,
    ),
    gbSeconds: counter(
      'baton_function_gb_seconds_total',
      'Billed duration times configured memory, in GB-seconds (1 GB = 1024 MB), as Lambda prices it.',
      FN,
    ),
    asyncReceived: counter(
      'baton_function_async_events_received_total',
      'Event (async) invocations accepted into the queue (CloudWatch AsyncEventsReceived).',
      ['function'],
    ),
    asyncAge: histogram(
      'baton_function_async_event_age_seconds',
      'Time from accepting an async event to each attempt to run it (CloudWatch AsyncEventAge).',
      ['function'],
      EVENT_AGE_BUCKETS,
    ),
    asyncDropped: counter(
      'baton_function_async_events_dropped_total',
      'Async events that left the queue without a successful run (CloudWatch AsyncEventsDropped); ' +
        'an OnFailure destination or dead-letter queue may still have received them.',
      ['function', 'reason'],
    ),
    destinationDelivered: counter(
      'baton_function_destination_deliveries_total',
      'Invocation records and events handed to an OnSuccess or OnFailure destination or a dead-letter target.',
      ['function', 'destination'],
    ),
    destinationFailed: counter(
      'baton_function_destination_delivery_failures_total',
      'Records that could not be handed to their destination and were parked (DestinationDeliveryFailures, DeadLetterErrors).',
      ['function', 'destination'],
    ),
    gatewayRequests: counter(
      'baton_gateway_requests_total',
      'Gateway requests answered, by route key and HTTP status (`(none)`: no route matched).',
      ['route', 'status'],
    ),
    gatewayLatency: histogram(
      'baton_gateway_request_duration_seconds',
      'Gateway requests from arrival to the response, by route key.',
      ['route'],
      LATENCY_BUCKETS,
    ),
    topicDelivered: counter(
      'baton_topic_deliveries_total',
      'Notifications delivered to subscriptions (NumberOfNotificationsDelivered).',
      ['topic', 'protocol'],
    ),
    topicFailed: counter(
      'baton_topic_delivery_failures_total',
      'Notifications that failed for good, after retries (NumberOfNotificationsFailed).',
      ['topic', 'protocol'],
    ),
    busDelivered: counter(
      'baton_bus_deliveries_total',
      'Events delivered to a rule’s targets (EventBridge Invocations).',
      ['bus', 'rule'],
    ),
    busFailed: counter(
      'baton_bus_delivery_failures_total',
      'Deliveries that failed for good, after retries; dead-lettered or dropped (EventBridge FailedInvocations).',
      ['bus', 'rule'],
    ),
  };
}

export type Families = ReturnType<typeof defineFamilies>;
