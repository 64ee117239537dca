import { type InvocationFields, InvocationRing } from './invocation-ring.ts';
import { traceIdOf } from './trace-header.ts';
import type { BatonSpan } from './tracing.ts';

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
  statusMessage?: string;
  attributes: Record<string, unknown>;
}

/** Attributes whose value names a request, so a trace can be found by it. */
const REQUEST_ID_KEYS = ['faas.invocation_id', 'aws.request_id'] as const;

/**
 * The last `maxSpans` finished spans, kept in memory for `baton traces` (README, "Traces"): a
 * fixed ring where `add` stores one reference and the oldest span is overwritten, so the hot path
 * pays no conversion and no index upkeep, and beside it the last `maxSpans` invocation spans in
 * a compact ring of their own (`invocation-ring.ts`). A lookup scans both (10,000 spans take well
 * under a millisecond) and turns the trace's spans into JSON.
 */
export class SpanStore {
  private readonly ring: (BatonSpan | undefined)[];
  private readonly invocations: InvocationRing;
  private next = 0;
  private count = 0;

  constructor(
    private readonly maxSpans = 10_000,
    /** The attributes every invocation span has (`hooks.ts`). */
    private readonly invocationShared: Record<string, unknown> = {},
  ) {
    this.ring = new Array(maxSpans);
    this.invocations = new InvocationRing(maxSpans);
  }

  get size(): number {
    return this.count + this.invocations.size;
  }

  addInvocation(f: InvocationFields): void {
    this.invocations.add(f);
  }

  add(span: BatonSpan): void {
    this.ring[this.next] = span;
    this.next = this.next + 1 === this.maxSpans ? 0 : this.next + 1;
    if (this.count < this.maxSpans) this.count++;
  }

  /** The trace id a request id (an invocation's, or the gateway's `apigw-requestid`) belongs to; the newest. */
  traceOf(requestId: string): string | undefined {
    const invocation = this.invocations.traceOf(requestId);
    if (invocation !== undefined) return invocation;
    for (let k = 1; k <= this.count; k++) {
      const span = this.ring[(this.next - k + this.maxSpans) % this.maxSpans]!;
      if (span.hasAttribute(REQUEST_ID_KEYS, requestId)) return span.traceId;
    }
    return undefined;
  }

  /**
   * The spans of a trace, by a request id, a 32-hex trace id or an X-Ray trace id; oldest start
   * first. Undefined when none is kept.
   */
  find(id: string): { traceId: string; spans: StoredSpan[] } | undefined {
    const traceId = this.traceOf(id) ?? traceIdOf(id);
    if (traceId === undefined) return undefined;
    const out = this.invocations.spansOf(traceId, this.invocationShared);
    for (const span of this.ring) if (span?.traceId === traceId) out.push(toStored(span));
    if (out.length === 0) return undefined;
    // Equal starts (a child started in the same tick): the parent first.
    out.sort(
      (a, b) =>
        a.startTime - b.startTime || (b.parentSpanId === a.spanId ? -1 : a.parentSpanId === b.spanId ? 1 : 0),
    );
    return { traceId, spans: out };
  }
}

function toStored(s: BatonSpan): StoredSpan {
  const out: StoredSpan = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    startTime: s.startTime,
    durationMs: s.durationMs,
    status: s.statusCode,
    attributes: s.allAttributes(),
  };
  if (s.statusMessage !== undefined) out.statusMessage = s.statusMessage;
  const parent = s.parentSpanId;
  if (parent !== undefined) out.parentSpanId = parent;
  return out;
}
