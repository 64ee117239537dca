import { type Attributes, type SpanContext, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { RULE_SCHEDULE_GROUP } from '../../services/bus/rule-schedules.ts';
import type {
  BusTracer,
  HopSpan,
  ScheduleTracer,
  StreamTracer,
  TopicTracer,
} from '../../services/hop-trace.ts';
import type { Item } from '../../services/tables/types.ts';
import { parseAmznTraceId } from './trace-header.ts';
import type { BatonSpan, Tracing } from './tracing.ts';

/**
 * The hops between services (`services/hop-trace.ts`): a PRODUCER span per topic delivery, bus
 * target delivery and schedule fire, and the trace headers that wait, in memory, for a delivery
 * or a stream record. Attribute names follow OpenTelemetry's messaging and FaaS conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/, …/faas/).
 */

/** Trace headers kept per kind of hop: the oldest go first past this many. */
export const MAX_KEPT_TRACES = 10_000;

/** Trace headers by key, in memory, forgetting the oldest beyond `max` (insertion order). */
export class TraceMemo {
  private readonly headers = new Map<string, string>();

  constructor(private readonly max = MAX_KEPT_TRACES) {}

  get size(): number {
    return this.headers.size;
  }

  set(key: string, header: string): void {
    this.headers.set(key, header);
    if (this.headers.size > this.max) this.headers.delete(this.headers.keys().next().value!);
  }

  get(key: string): string | undefined {
    return this.headers.get(key);
  }
}

function hop(span: BatonSpan): HopSpan {
  return {
    header: span.traceHeader(),
    end(error?: string) {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}

/**
 * A span under a kept or given header. A header that is not a valid `Root=…;Parent=…` is dropped
 * (as X-Ray drops one EventBridge passes), so nothing is started: undefined.
 */
function under(
  t: Tracing,
  header: string | undefined,
  name: string,
  attributes: Attributes,
  shared: Attributes,
): BatonSpan | undefined {
  const parent: SpanContext | undefined = parseAmznTraceId(header);
  return parent && t.start(name, SpanKind.PRODUCER, parent, attributes, shared);
}

/** `orders deliver`: a publish's hand-over to one subscription (SNS passes the trace through). */
export function topicTracer(t: Tracing, max?: number): TopicTracer {
  const kept = new TraceMemo(max);
  const shared = {
    'messaging.system': 'aws_sns',
    'messaging.operation.type': 'send',
    'cloud.region': t.region,
  };
  return {
    keep: (id, header) => kept.set(id, header),
    sent(topic, protocol, parent) {
      const span = under(
        t,
        parent,
        `${topic} deliver`,
        {
          'messaging.destination.name': topic,
          'baton.subscription.protocol': protocol,
        },
        shared,
      );
      span?.end();
      return span?.traceHeader();
    },
    delivery(entry, sub) {
      const span = under(
        t,
        kept.get(entry.id),
        `${sub.topic} deliver`,
        {
          'messaging.destination.name': sub.topic,
          'baton.subscription.protocol': sub.protocol,
          'baton.subscription.id': sub.id,
          'baton.delivery.attempt': entry.attempts + 1,
        },
        shared,
      );
      return span && hop(span);
    },
  };
}

/** `orders/audit deliver`: a matched event's hand-over to one rule target. */
export function busTracer(t: Tracing, max?: number): BusTracer {
  const kept = new TraceMemo(max);
  const shared = {
    'messaging.system': 'aws_eventbridge',
    'messaging.operation.type': 'send',
    'cloud.region': t.region,
  };
  return {
    keep: (id, header) => kept.set(id, header),
    delivery(d) {
      const span = under(
        t,
        kept.get(d.id),
        `${d.bus}/${d.rule} deliver`,
        {
          'messaging.destination.name': d.bus,
          'baton.rule': d.ruleArn,
          'baton.target': d.targetArn,
          'baton.delivery.attempt': d.attempts + 1,
        },
        shared,
      );
      return span && hop(span);
    },
  };
}

/**
 * `schedule default/nightly` (EventBridge Scheduler) or `rule default/tick` (a scheduled rule):
 * each fire is a new trace, the parent of what it starts.
 */
export function scheduleTracer(t: Tracing): ScheduleTracer {
  const shared = { 'messaging.operation.type': 'send', 'cloud.region': t.region };
  return (schedule, fireTime) => {
    const rule = schedule.group === RULE_SCHEDULE_GROUP;
    const name = rule ? `rule ${schedule.name}` : `schedule ${schedule.group}/${schedule.name}`;
    const span = t.start(
      name,
      SpanKind.PRODUCER,
      undefined,
      {
        'faas.cron': schedule.expression,
        'faas.time': new Date(fireTime).toISOString(),
        'cloud.resource_id': schedule.arn,
        'baton.target': schedule.target.arn,
      },
      shared,
    );
    return hop(span);
  };
}

/** A stream record's key: its stream, its write's time and its item's key attributes (sorted). */
function recordKey(streamArn: string, at: number, key: Item): string {
  let out = `${streamArn}\n${at}`;
  for (const name of Object.keys(key).sort()) out += `\n${name}=${JSON.stringify(key[name])}`;
  return out;
}

/**
 * Trace headers of traced writes, for the stream records they leave. The backends do not hand
 * back a record's sequence number, so a record is known by what it holds: stream, write time and
 * key (two traced writes of one item in the same millisecond: the later header wins).
 */
export function streamTracer(max?: number): StreamTracer {
  const kept = new TraceMemo(max);
  return {
    wrote: (streamArn, key, at, header) => kept.set(recordKey(streamArn, at, key), header),
    traceOf: (r) => kept.get(recordKey(r.streamArn, r.createdAt, r.keys)),
  };
}
