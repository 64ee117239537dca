import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { traceIdOf } from './trace-header.ts';

/** One finished span as `baton traces` and `/admin/v1/traces/{id}` show it. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** Epoch ms (fractional). */
  startTime: number;
  durationMs: number;
  /** 0 unset, 1 ok, 2 error (OpenTelemetry's status codes). */
  status: number;
  attributes: Record<string, unknown>;
}

/** Attributes whose value names a request, so a trace can be found by it. */
const REQUEST_ID_KEYS = ['faas.invocation_id', 'aws.request_id'] as const;

const hrToMs = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;

/**
 * The last `maxSpans` finished spans, kept in memory for `baton traces` (README, "Traces"). A
 * span processor rather than an exporter: `onEnd` only appends a reference, so the hot path pays
 * no conversion; spans become JSON when someone asks. The oldest spans go first.
 */
export class SpanStore implements SpanProcessor {
  private readonly ring: ReadableSpan[] = [];
  private head = 0;
  private readonly byTrace = new Map<string, ReadableSpan[]>();
  private readonly byRequest = new Map<string, string>();

  constructor(private readonly maxSpans = 10_000) {}

  get size(): number {
    return this.ring.length - this.head;
  }

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    let spans = this.byTrace.get(traceId);
    if (!spans) {
      spans = [];
      this.byTrace.set(traceId, spans);
    }
    spans.push(span);
    for (const key of REQUEST_ID_KEYS) {
      const id = span.attributes[key];
      if (typeof id === 'string') this.byRequest.set(id, traceId);
    }
    this.ring.push(span);
    if (this.size > this.maxSpans) this.evict();
  }

  /** Drops the oldest span; ended in order, it is also the first of its trace's list. */
  private evict(): void {
    const old = this.ring[this.head]!;
    this.ring[this.head++] = undefined as unknown as ReadableSpan;
    if (this.head > 4096 && this.head * 2 > this.ring.length) {
      this.ring.splice(0, this.head);
      this.head = 0;
    }
    const traceId = old.spanContext().traceId;
    const spans = this.byTrace.get(traceId);
    if (spans) {
      const i = spans.indexOf(old);
      if (i >= 0) spans.splice(i, 1);
      if (spans.length === 0) this.byTrace.delete(traceId);
    }
    for (const key of REQUEST_ID_KEYS) {
      const id = old.attributes[key];
      if (typeof id === 'string' && this.byRequest.get(id) === traceId && !this.byTrace.has(traceId))
        this.byRequest.delete(id);
    }
  }

  /** The trace id a request id (an invocation's, or the gateway's `apigw-requestid`) belongs to. */
  traceOf(requestId: string): string | undefined {
    return this.byRequest.get(requestId);
  }

  /**
   * The spans of a trace, by a request id, a 32-hex trace id or an X-Ray trace id; oldest start
   * first. Empty when none is kept.
   */
  find(id: string): { traceId: string; spans: StoredSpan[] } | undefined {
    const traceId = this.byRequest.get(id) ?? traceIdOf(id);
    const spans = traceId === undefined ? undefined : this.byTrace.get(traceId);
    if (traceId === undefined || !spans || spans.length === 0) return undefined;
    const out = spans.map(toStored);
    // Equal starts (a child started in the same tick): the parent first.
    out.sort(
      (a, b) =>
        a.startTime - b.startTime || (b.parentSpanId === a.spanId ? -1 : a.parentSpanId === b.spanId ? 1 : 0),
    );
    return { traceId, spans: out };
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function toStored(s: ReadableSpan): StoredSpan {
  const ctx = s.spanContext();
  const out: StoredSpan = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    name: s.name,
    startTime: hrToMs(s.startTime),
    durationMs: hrToMs(s.duration),
    status: s.status.code,
    attributes: { ...s.attributes },
  };
  if (s.parentSpanContext) out.parentSpanId = s.parentSpanContext.spanId;
  return out;
}
