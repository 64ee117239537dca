import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { SpanStore } from './span-store.ts';
import { formatAmznTraceId } from './trace-header.ts';

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
 * Trace ids whose first 8 hex digits are the epoch seconds, as X-Ray requires of its ids (it
 * refuses traces older than 30 days), so `Root=1-<time>-<rest>` is a valid X-Ray id.
 */
class XrayIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  generateTraceId(): string {
    const secs = Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0');
    return secs + this.random.generateTraceId().slice(8);
  }
  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

/**
 * One server's tracing: its own TracerProvider (never the global one, so tests can run several
 * servers in one process), the in-memory store, and an OTLP exporter behind a batch processor
 * when an endpoint is set. Spans are started with an explicit parent: no context manager runs on
 * the hot path.
 */
export class Tracing {
  readonly store: SpanStore;
  readonly region: string;
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(opts: TracingOptions) {
    this.region = opts.region;
    this.store = new SpanStore(opts.maxSpans);
    const processors: SpanProcessor[] = [this.store, ...(opts.processors ?? [])];
    if (opts.otlpEndpoint)
      processors.push(
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(opts.otlpEndpoint) }) }),
      );
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': opts.serviceName ?? 'baton',
        'cloud.region': opts.region,
      }),
      idGenerator: new XrayIdGenerator(),
      spanProcessors: processors,
    });
    this.tracer = this.provider.getTracer('baton');
  }

  /** Starts a span under `parent` (a remote or local span context), or a new trace. */
  start(name: string, kind: SpanKind, parent: SpanContext | undefined, attributes: Attributes): Span {
    const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    return this.tracer.startSpan(name, { kind, attributes }, ctx);
  }

  /** Exports what is pending (OTLP) and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }
}

/** The header a span's children receive: `Root=…;Parent=<this span>;Sampled=…`. */
export function headerOf(span: Span): string {
  return formatAmznTraceId(span.spanContext());
}

/** Ends `span` as failed with `error` (its message as the status description). */
export function endWithError(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.end();
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
