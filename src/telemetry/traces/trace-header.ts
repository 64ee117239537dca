import { type SpanContext, TraceFlags } from '@opentelemetry/api';

/**
 * The two ways a trace context travels: W3C `traceparent` (https://www.w3.org/TR/trace-context/)
 * and AWS's `X-Amzn-Trace-Id` (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader),
 * which is also what Lambda puts in `_X_AMZN_TRACE_ID` and SQS in `AWSTraceHeader`. Baton
 * carries the AWS form between its parts, so that every hop speaks what a handler expects.
 */

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const HEX16 = /^[0-9a-f]{16}$/;
const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** A `traceparent` value → a remote span context; undefined when it is malformed or all zeros. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff') return undefined;
  // Version 00 has exactly four fields; later versions may append more (the spec's rule).
  if (m[1] === '00' && value.trim().length !== 55) return undefined;
  const traceId = m[2]!;
  const spanId = m[3]!;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(m[4]!, 16) & 1, isRemote: true };
}

/** A span context → `traceparent` (version 00). */
export function formatTraceparent(ctx: SpanContext): string {
  const flags = ctx.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  return `00-${ctx.traceId}-${ctx.spanId}-${flags}`;
}

/** A 32-hex trace id as X-Ray writes it: `1-<8 hex epoch seconds>-<24 hex>`. */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** `1-5759e988-bd862e3fe1be46a994272793` (or a 32-hex id) → the 32-hex trace id, or undefined. */
export function traceIdOf(id: string): string | undefined {
  const lower = id.toLowerCase();
  if (/^[0-9a-f]{32}$/.test(lower)) return lower === ZERO_TRACE ? undefined : lower;
  const m = XRAY_ROOT.exec(lower);
  return m ? m[1]! + m[2]! : undefined;
}

/** A span context → `Root=1-…;Parent=…;Sampled=1`, as Lambda sets `_X_AMZN_TRACE_ID`. */
export function formatAmznTraceId(ctx: SpanContext): string {
  const sampled = ctx.traceFlags & TraceFlags.SAMPLED ? '1' : '0';
  return `Root=${xrayTraceId(ctx.traceId)};Parent=${ctx.spanId};Sampled=${sampled}`;
}

/**
 * `Root=…;Parent=…;Sampled=…` (fields in any order, other fields such as `Lineage` ignored) → a
 * remote span context. Without a `Parent` there is no span to hang a child on: undefined.
 */
export function parseAmznTraceId(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  let traceId: string | undefined;
  let spanId: string | undefined;
  let sampled = true;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const v = part
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (key === 'Root') {
      const m = XRAY_ROOT.exec(v);
      traceId = m ? m[1]! + m[2]! : undefined;
    } else if (key === 'Parent') spanId = HEX16.test(v) && v !== ZERO_SPAN ? v : undefined;
    else if (key === 'Sampled') sampled = v !== '0';
  }
  if (traceId === undefined || spanId === undefined || traceId === ZERO_TRACE) return undefined;
  return { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

/** Either form: a `traceparent` first (the standard), else an `X-Amzn-Trace-Id`. */
export function parseIncoming(
  traceparent: string | undefined,
  amzn: string | undefined,
): SpanContext | undefined {
  return parseTraceparent(traceparent) ?? parseAmznTraceId(amzn);
}

/** The `AWSTraceHeader` of an SQS event's first record, which the invocation continues. */
export function sqsEventTrace(event: unknown): string | undefined {
  const records = (event as { Records?: { attributes?: { AWSTraceHeader?: unknown } }[] }).Records;
  const header = records?.[0]?.attributes?.AWSTraceHeader;
  return typeof header === 'string' ? header : undefined;
}
