import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';
import type { FunctionRecord } from '../core/function-spec.ts';
import { limits } from '../core/limits.ts';
import type { InvokeTarget } from '../registry/resolve.ts';
import { applyLogFormat, type InvocationLog } from '../telemetry/logs/invocation-log.ts';
import type { Outcome } from './instance.ts';
import type { Lease, Pool } from './pool.ts';
import type { FunctionErrorBody } from './protocol.ts';

export interface InvokeResult {
  requestId: string;
  /** The response payload as JSON: the handler's result, or Lambda's error body. */
  payload: string;
  /** Set when the function failed ('Unhandled', as Lambda's X-Amz-Function-Error). */
  functionError?: 'Unhandled';
  executedVersion: string;
  /** Handler time in ms. */
  durationMs: number;
  /** Module load time in ms, on a cold start. */
  initDurationMs?: number;
  cold: boolean;
  /** What the invocation logged; `formatInvocationLog` turns it into Lambda's lines. */
  log: InvocationLog;
}

export interface InvokerDeps {
  pool: Pool;
  clock: Clock;
  /** Resolves a name and qualifier to what runs; throws ResourceNotFound. */
  resolve: (name: string, qualifier: string | undefined) => InvokeTarget;
  /** Takes each invocation's log; formatting and storage happen later, in batches. */
  writeLog: (functionName: string, startedAt: number, log: InvocationLog) => void;
  /** Metrics (`telemetry/metrics/function-meter.ts`); absent when they are off. */
  observe?: InvocationObserver;
  /** Traces (`telemetry/traces/hooks.ts`); absent when they are off (`BATON_TRACING=off`). */
  trace?: InvocationTracer;
  /** Refuses an invocation before it is leased (budgets' hard stop); absent: all are admitted. */
  admit?: (target: InvokeTarget) => void;
}

/** Told of each invocation as it ends, from what the invoker already holds: no clock, no I/O. */
export interface InvocationObserver {
  invoked(target: InvokeTarget, result: InvokeResult): void;
  /** The pool refused the invocation (`ThrottledFunction`, `ThrottledAccount`, …). */
  refused(target: InvokeTarget, error: unknown): void;
}

/** Starts an invocation's span; `parent` is an X-Amzn-Trace-Id (gateway, async event, queue). */
export interface InvocationTracer {
  start(target: InvokeTarget, requestId: string, parent: string | undefined): InvocationSpan;
}

export interface InvocationSpan {
  /**
   * The span's context as the instance takes it (`InvokeMessage.trace`: trace id, span id, sampled
   * flag), from which the function's `_X_AMZN_TRACE_ID` is set.
   */
  readonly context: string;
  /** Ends the span with the result, or with the error that refused the invocation. */
  end(result: InvokeResult | undefined, error?: unknown): void;
}

/**
 * The data plane's entry: validates a payload, leases an instance, runs the invocation and
 * frames its logs as Lambda does (START, the function's lines, END, REPORT). Nothing here waits
 * on a disk: logs go to the sink's buffer.
 */
export class Invoker {
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly deps: InvokerDeps) {}

  /** Parses and checks an invoke payload: at most 6 MB of JSON; empty means `{}`. */
  static parsePayload(payload: string | Buffer | undefined): unknown {
    if (payload === undefined || payload.length === 0) return {};
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size > limits.invokePayloadBytes)
      throw new BatonError(
        'RequestTooLarge',
        `Request must be smaller than ${limits.invokePayloadBytes} bytes for the InvokeFunction operation`,
      );
    try {
      return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch (e) {
      throw new BatonError(
        'InvalidRequestContent',
        `Could not parse request body into json: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Runs one synchronous invocation of `name` (`$LATEST`, or `qualifier`: a version or an alias).
   * `requestId` is given when the invocation was accepted earlier (an async event).
   */
  async invoke(
    name: string,
    payload: string | Buffer | undefined,
    opts: { qualifier?: string; requestId?: string; trace?: string } = {},
  ): Promise<InvokeResult> {
    const event = Invoker.parsePayload(payload);
    return this.run(this.deps.resolve(name, opts.qualifier), event, opts.requestId, opts.trace);
  }

  /** Runs one invocation of an already resolved target with an already parsed event. */
  async run(
    target: InvokeTarget,
    event: unknown,
    requestId?: string,
    /** The caller's trace context, an X-Amzn-Trace-Id; the invocation's span is its child. */
    trace?: string,
  ): Promise<InvokeResult> {
    const fn = target.record;
    this.inFlight++;
    try {
      const rid = requestId ?? randomUUID();
      const span = this.deps.trace?.start(target, rid, trace);
      let lease: Lease;
      try {
        this.deps.admit?.(target);
        lease = await this.deps.pool.acquire(target.key);
      } catch (e) {
        this.deps.observe?.refused(target, e);
        span?.end(undefined, e);
        throw e;
      }
      const started = this.deps.clock.now();
      let outcome: Outcome | undefined;
      try {
        const arn = target.qualifier === undefined ? undefined : target.invokedArn;
        outcome = await lease.instance.invoke(rid, event, fn.timeout * 1000, arn, span?.context);
      } finally {
        this.deps.pool.release(
          lease.instance,
          outcome?.kind === 'done' ? outcome.msg.initDuration : undefined,
          outcome?.kind === 'done' ? outcome.msg.duration : undefined,
        );
      }
      const result = this.toResult(
        fn,
        target.version,
        rid,
        outcome!,
        lease.cold && !lease.instance.provisioned,
      );
      applyLogFormat(result.log, fn.logging, result.functionError !== undefined);
      this.deps.writeLog(fn.name, started, result.log);
      this.deps.observe?.invoked(target, result);
      span?.end(result);
      return result;
    } finally {
      if (--this.inFlight === 0) for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  private toResult(
    fn: FunctionRecord,
    version: string,
    rid: string,
    o: Outcome,
    cold: boolean,
  ): InvokeResult {
    if (o.kind === 'done') {
      const m = o.msg;
      const initDurationMs = cold ? m.initDuration : undefined;
      return {
        requestId: rid,
        payload: m.body,
        functionError: m.error ? 'Unhandled' : undefined,
        executedVersion: version,
        durationMs: m.duration,
        initDurationMs,
        cold,
        log: {
          requestId: rid,
          version,
          lines: m.logs,
          durationMs: m.duration,
          memorySizeMB: fn.memory,
          maxMemoryUsedMB: m.maxMemoryMB,
          initDurationMs,
        },
      };
    }
    let body: FunctionErrorBody;
    const lines: string[] = o.output ? o.output.split('\n').filter(Boolean) : [];
    let status: string;
    let duration: number;
    if (o.kind === 'timeout') {
      const secs = fn.timeout.toFixed(2);
      body = {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${rid} Error: Task timed out after ${secs} seconds`,
      };
      lines.push(
        `${new Date(this.deps.clock.now()).toISOString()} ${rid} Task timed out after ${secs} seconds`,
      );
      status = 'timeout';
      duration = o.elapsedMs;
    } else {
      const type = o.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      body = {
        errorType: type,
        errorMessage: `RequestId: ${rid} Error: Runtime exited with error: ${o.description}`,
      };
      lines.push(body.errorMessage, type);
      status = `error\tError Type: ${type}`;
      duration = 0;
    }
    return {
      requestId: rid,
      payload: JSON.stringify(body),
      functionError: 'Unhandled',
      executedVersion: version,
      durationMs: duration,
      cold,
      log: {
        requestId: rid,
        version,
        lines,
        durationMs: duration,
        memorySizeMB: fn.memory,
        maxMemoryUsedMB: o.kind === 'exit' && o.outOfMemory ? fn.memory : 0,
        status,
      },
    };
  }

  /** Resolves when no invocation is running (used on shutdown). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
}
