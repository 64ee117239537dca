import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  type Attributes,
  type AttributeValue,
  type HrTime,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanStore } from './span-store.ts';

export interface TracingOptions {
  /** `cloud.region` of every span. */
  region: string;
  /** `service.name` of the resource; default `baton`. */
  serviceName?: string;
  /** OTLP/HTTP endpoint (`BATON_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`): the base URL. */
  otlpEndpoint?: string;
  /** Spans kept in memory for `baton traces`; default 10,000. */
  maxSpans?: number;
  /** Extra processors (tests add a SimpleSpanProcessor with an InMemorySpanExporter). */
  processors?: SpanProcessor[];
}

/**
 * Random hex from a pooled buffer turned into hex once per refill: one `randomFillSync` and one
 * conversion per 4 KiB of ids instead of one of each per id, which is most of what an id costs.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolHex = '';
let poolAt = 0;
function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (poolAt + chars > poolHex.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolAt = 0;
  }
  const hex = poolHex.slice(poolAt, poolAt + chars);
  poolAt += chars;
  return hex;
}

const ZERO_SPAN = '0'.repeat(16);

function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN) id = randomHex(8);
  return id;
}

let secsHex = '';
let secsUntil = 0;

/** The first part of a new trace id: the epoch seconds of `nowMs`, in 8 hex digits. */
function secondsHex(nowMs: number): string {
  if (nowMs >= secsUntil) {
    const secs = Math.floor(nowMs / 1000);
    secsHex = secs.toString(16).padStart(8, '0');
    secsUntil = (secs + 1) * 1000;
  }
  return secsHex;
}

/** Epoch milliseconds, fractional (the origin read once: its getter is not free). */
const timeOrigin = performance.timeOrigin;
const nowMs = (): number => timeOrigin + performance.now();

const toHrTime = (ms: number): HrTime => {
  const secs = Math.floor(ms / 1000);
  return [secs, Math.round((ms - secs * 1000) * 1e6)];
};

/** The attributes of a span that has none of its own yet: shared, never written (`setAttribute` copies). */
export const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * One span: a plain record with the few methods the hooks call (OpenTelemetry's `Span` names).
 * Ending it hands it to the store and, when an exporter is configured, to OpenTelemetry's
 * processors as a `ReadableSpan`. A span under an unsampled parent is not recorded, as
 * OpenTelemetry's default parent-based sampler decides; it still gets its own id to pass on.
 * `shared` attributes (the same for every span of a kind) are not copied per span, and a subclass
 * may derive more from what it holds (`derivedAttributes`) only when the span is read; readers see
 * them merged under the span's own.
 */
export class BatonSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly startTime: number;
  durationMs = 0;
  statusCode: SpanStatusCode = SpanStatusCode.UNSET;
  statusMessage: string | undefined = undefined;
  private ended = false;

  constructor(
    private readonly owner: Tracing,
    public name: string,
    readonly kind: SpanKind,
    readonly parent: SpanContext | undefined,
    /** The span's own attributes; `NO_ATTRIBUTES` until one is set (invocation spans derive theirs). */
    public attributes: Attributes,
    readonly shared: Attributes | undefined,
  ) {
    this.startTime = nowMs();
    if (parent === undefined) {
      // A new trace: its id begins with the epoch seconds, as X-Ray requires of its ids (it
      // refuses traces older than 30 days), so `Root=1-<time>-<rest>` is a valid X-Ray id.
      this.traceId = secondsHex(this.startTime) + randomHex(12);
    } else {
      this.traceId = parent.traceId;
    }
    this.spanId = newSpanId();
    this.sampled = parent === undefined || (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
  }

  get parentSpanId(): string | undefined {
    return this.parent?.spanId;
  }

  /** Attributes computed from what a subclass holds, when the span is read. */
  protected derivedAttributes(): Attributes | undefined {
    return undefined;
  }

  /** Whether one of `keys` has the value `value`: the store's lookup by request id. */
  hasAttribute(keys: readonly string[], value: string): boolean {
    const derived = this.derivedAttributes();
    for (const key of keys) if (this.attributes[key] === value || derived?.[key] === value) return true;
    return false;
  }

  spanContext(): SpanContext {
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      traceFlags: this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    };
  }

  /** Trace id, span id and `1`/`0` (sampled): the compact context an instance takes. */
  compactContext(): string {
    return `${this.traceId}${this.spanId}${this.sampled ? 1 : 0}`;
  }

  /** `Root=1-…;Parent=<this span>;Sampled=…`: what its children receive. */
  traceHeader(): string {
    const t = this.traceId;
    return `Root=1-${t.slice(0, 8)}-${t.slice(8)};Parent=${this.spanId};Sampled=${this.sampled ? 1 : 0}`;
  }

  /** The shared and derived attributes under the span's own. */
  allAttributes(): Attributes {
    return { ...this.shared, ...this.derivedAttributes(), ...this.attributes };
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended) return this;
    if (this.attributes === NO_ATTRIBUTES) this.attributes = {};
    this.attributes[key] = value;
    return this;
  }

  setStatus(status: { code: SpanStatusCode; message?: string }): this {
    if (!this.ended) {
      this.statusCode = status.code;
      this.statusMessage = status.message;
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  /** Hands the ended span to the store: as itself, unless a subclass keeps it more compactly. */
  keepIn(store: SpanStore): void {
    store.add(this);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.durationMs = nowMs() - this.startTime;
    if (this.sampled) this.owner.finished(this);
  }

  /** The span as OpenTelemetry's exporters take it. */
  toReadable(resource: Resource): ReadableSpan {
    const context = this.spanContext();
    const status: SpanStatus = { code: this.statusCode };
    if (this.statusMessage !== undefined) status.message = this.statusMessage;
    return {
      name: this.name,
      kind: this.kind,
      spanContext: () => context,
      parentSpanContext: this.parent,
      startTime: toHrTime(this.startTime),
      endTime: toHrTime(this.startTime + this.durationMs),
      duration: toHrTime(this.durationMs),
      status,
      attributes: this.allAttributes(),
      links: [],
      events: [],
      ended: true,
      resource,
      instrumentationScope: { name: 'baton' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }
}

/**
 * One server's tracing: spans of its own (README, "Traces"), kept in the in-memory store and,
 * when an OTLP endpoint is set, exported through OpenTelemetry's batch processor and OTLP/HTTP
 * exporter. The hot path builds no OpenTelemetry SDK span and runs no context manager: a span is
 * started with an explicit parent, and becomes a `ReadableSpan` only when something exports it
 * (`bench/governance-overhead.ts`: the SDK's span cost more than the rest of tracing together).
 */
export class Tracing {
  readonly store: SpanStore;
  readonly region: string;
  /** The attributes every invocation span has: kept once, not per span. */
  readonly invocationShared: Attributes;
  private readonly processors: SpanProcessor[];
  private readonly resource: Resource;

  constructor(opts: TracingOptions) {
    this.region = opts.region;
    this.invocationShared = {
      'faas.invoked_provider': 'aws',
      'faas.invoked_region': opts.region,
      'cloud.region': opts.region,
    };
    this.store = new SpanStore(opts.maxSpans, this.invocationShared);
    this.processors = [...(opts.processors ?? [])];
    if (opts.otlpEndpoint)
      this.processors.push(
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(opts.otlpEndpoint) }) }),
      );
    this.resource = resourceFromAttributes({
      'service.name': opts.serviceName ?? 'baton',
      'cloud.region': opts.region,
    });
  }

  /**
   * Starts a span under `parent` (a remote or local span context), or a new trace. `shared`:
   * attributes every span of its kind has, kept once rather than copied into each span.
   */
  start(
    name: string,
    kind: SpanKind,
    parent: SpanContext | undefined,
    attributes: Attributes,
    shared?: Attributes,
  ): BatonSpan {
    return new BatonSpan(this, name, kind, parent, attributes, shared);
  }

  /** Called by a sampled span as it ends. */
  finished(span: BatonSpan): void {
    span.keepIn(this.store);
    if (this.processors.length === 0) return;
    const readable = span.toReadable(this.resource);
    for (const p of this.processors) p.onEnd(readable);
  }

  /** Exports what is pending (OTLP) and stops. */
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
}

/**
 * The OTLP/HTTP signal URL: `OTEL_EXPORTER_OTLP_ENDPOINT` is a base to which `/v1/traces` is
 * appended (https://opentelemetry.io/docs/specs/otel/protocol/exporter/#endpoint-urls-for-otlphttp);
 * a URL that already ends with it is kept.
 */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

export { SpanKind, SpanStatusCode };
