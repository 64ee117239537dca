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

/** Bytes per slot: trace id 16, span id 8, parent span id 8. */
const ID_BYTES = 32;
const HAS_PARENT = 4;
const COLD = 8;

/**
 * The last invocation spans, in a fixed ring of typed arrays: ids as bytes, times as doubles, the
 * status and flags as one byte, and references to strings that live anyway (the function's name
 * and version, its ARN once interned). Only the request id is a string per span. Keeping spans as
 * objects made every scavenge copy them (`bench/governance-overhead.ts`): the warm path's spans
 * are the one kind kept at that rate.
 */
export class InvocationRing {
  private readonly ids: Buffer;
  private readonly times: Float64Array;
  private readonly flags: Uint8Array;
  private readonly names: string[];
  private readonly versions: string[];
  private readonly arns: string[];
  private readonly requestIds: string[];
  private readonly messages: (string | undefined)[];
  /** ARNs by value: an invocation's ARN is built per call; the ring keeps one copy of each. */
  private readonly arnCopies = new Map<string, string>();
  private next = 0;
  private count = 0;

  constructor(private readonly max: number) {
    this.ids = Buffer.alloc(max * ID_BYTES);
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
    const o = i * ID_BYTES;
    this.ids.write(f.traceId, o, 16, 'hex');
    this.ids.write(f.spanId, o + 16, 8, 'hex');
    if (f.parentSpanId !== undefined) this.ids.write(f.parentSpanId, o + 24, 8, 'hex');
    this.times[i * 2] = f.startTime;
    this.times[i * 2 + 1] = f.durationMs;
    this.flags[i] = f.statusCode | (f.parentSpanId === undefined ? 0 : HAS_PARENT) | (f.cold ? COLD : 0);
    this.names[i] = f.name;
    this.versions[i] = f.version;
    let arn = this.arnCopies.get(f.invokedArn);
    if (arn === undefined) {
      if (this.arnCopies.size >= this.max) this.arnCopies.clear();
      arn = f.invokedArn;
      this.arnCopies.set(arn, arn);
    }
    this.arns[i] = arn;
    this.requestIds[i] = f.requestId;
    this.messages[i] = f.statusMessage;
    this.next = i + 1 === this.max ? 0 : i + 1;
    if (this.count < this.max) this.count++;
  }

  /** The trace id of the newest span of this request id. */
  traceOf(requestId: string): string | undefined {
    for (let k = 1; k <= this.count; k++) {
      const i = (this.next - k + this.max) % this.max;
      if (this.requestIds[i] === requestId) return this.ids.toString('hex', i * ID_BYTES, i * ID_BYTES + 16);
    }
    return undefined;
  }

  /** The spans of a trace (32 hex digits), in ring order. */
  spansOf(traceId: string, shared: Record<string, unknown>): StoredSpan[] {
    const want = Buffer.from(traceId, 'hex');
    const out: StoredSpan[] = [];
    for (let i = 0; i < this.count; i++) {
      const o = i * ID_BYTES;
      if (this.ids.compare(want, 0, 16, o, o + 16) === 0) out.push(this.stored(i, traceId, shared));
    }
    return out;
  }

  private stored(i: number, traceId: string, shared: Record<string, unknown>): StoredSpan {
    const o = i * ID_BYTES;
    const flags = this.flags[i]!;
    const span: StoredSpan = {
      traceId,
      spanId: this.ids.toString('hex', o + 16, o + 24),
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
    if (flags & HAS_PARENT) span.parentSpanId = this.ids.toString('hex', o + 24, o + 32);
    const message = this.messages[i];
    if (message !== undefined) span.statusMessage = message;
    return span;
  }
}
