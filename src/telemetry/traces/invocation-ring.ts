import type { StoredSpan } from './span-store.ts';

/** What an invocation span hands the store as it ends. */
export interface InvocationFields {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** The function's name. */
  name: string;
  version: string;
  invokedArn: string;
  requestId: string;
  startTime: number;
  durationMs: number;
  statusCode: number;
  statusMessage: string | undefined;
  cold: boolean;
}

const COLD = 8;

/**
 * The last invocation spans, column by column in fixed arrays: times as doubles, status and
 * flags as one byte, and the strings the span had anyway (ids, request id, the function's name,
 * version and ARN). Kept as objects, each span and what it held were copied by every scavenge
 * until promoted (`bench/governance-overhead.ts`: 0.6 µs of GC per warm invoke); the warm path's
 * spans are the one kind kept at that rate. Ids stay strings: writing them as bytes cost more on
 * the invoke path than it saved.
 */
export class InvocationRing {
  private readonly traceIds: string[];
  private readonly spanIds: string[];
  private readonly parentIds: (string | undefined)[];
  private readonly times: Float64Array;
  private readonly flags: Uint8Array;
  private readonly names: string[];
  private readonly versions: string[];
  private readonly arns: string[];
  private readonly requestIds: string[];
  private readonly messages: (string | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private readonly max: number) {
    this.traceIds = new Array(max);
    this.spanIds = new Array(max);
    this.parentIds = new Array(max);
    this.times = new Float64Array(max * 2);
    this.flags = new Uint8Array(max);
    this.names = new Array(max);
    this.versions = new Array(max);
    this.arns = new Array(max);
    this.requestIds = new Array(max);
    this.messages = new Array(max);
  }

  get size(): number {
    return this.count;
  }

  add(f: InvocationFields): void {
    const i = this.next;
    this.traceIds[i] = f.traceId;
    this.spanIds[i] = f.spanId;
    this.parentIds[i] = f.parentSpanId;
    this.times[i * 2] = f.startTime;
    this.times[i * 2 + 1] = f.durationMs;
    this.flags[i] = f.statusCode | (f.cold ? COLD : 0);
    this.names[i] = f.name;
    this.versions[i] = f.version;
    this.arns[i] = f.invokedArn;
    this.requestIds[i] = f.requestId;
    this.messages[i] = f.statusMessage;
    this.next = i + 1 === this.max ? 0 : i + 1;
    if (this.count < this.max) this.count++;
  }

  /** The trace id of the newest span of this request id. */
  traceOf(requestId: string): string | undefined {
    for (let k = 1; k <= this.count; k++) {
      const i = (this.next - k + this.max) % this.max;
      if (this.requestIds[i] === requestId) return this.traceIds[i];
    }
    return undefined;
  }

  /** The spans of a trace (32 hex digits), in ring order. */
  spansOf(traceId: string, shared: Record<string, unknown>): StoredSpan[] {
    const out: StoredSpan[] = [];
    for (let i = 0; i < this.count; i++)
      if (this.traceIds[i] === traceId) out.push(this.stored(i, traceId, shared));
    return out;
  }

  private stored(i: number, traceId: string, shared: Record<string, unknown>): StoredSpan {
    const flags = this.flags[i]!;
    const span: StoredSpan = {
      traceId,
      spanId: this.spanIds[i]!,
      name: this.names[i]!,
      startTime: this.times[i * 2]!,
      durationMs: this.times[i * 2 + 1]!,
      status: flags & 3,
      attributes: {
        ...shared,
        'faas.invocation_id': this.requestIds[i],
        'faas.invoked_name': this.names[i],
        'faas.version': this.versions[i],
        'cloud.resource_id': this.arns[i],
        'faas.coldstart': (flags & COLD) !== 0,
      },
    };
    const parent = this.parentIds[i];
    if (parent !== undefined) span.parentSpanId = parent;
    const message = this.messages[i];
    if (message !== undefined) span.statusMessage = message;
    return span;
  }
}
