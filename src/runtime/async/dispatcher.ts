import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import type { InvokeTarget } from '../../registry/resolve.ts';
import type { InvokeResult } from '../invoker.ts';
import { type AsyncEvent, type AsyncEventBackend, PARKED } from './backend.ts';
import { invocationRecord, retryDelayMs, throttleDelayMs } from './policy.ts';

/** Lambda's limit on an Event invocation's payload. */
export const ASYNC_PAYLOAD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_EVENT_AGE_S = 21_600;

export interface AsyncDispatcherDeps {
  backend: AsyncEventBackend;
  registry: Registry;
  clock: Clock;
  resolve: (name: string, qualifier: string | undefined) => InvokeTarget;
  /** `trace`: the enqueue span's X-Amzn-Trace-Id, which the run continues. */
  run: (target: InvokeTarget, event: unknown, requestId: string, trace?: string) => Promise<InvokeResult>;
  /** Hands a record to a destination that is not a function (queues, topics, buses). */
  /** `trace`: the event's trace header, when it has one (an SQS target's `AWSTraceHeader`, …). */
  deliver?: (arn: string, record: unknown, trace?: string) => Promise<boolean>;
  /** Reports what the platform operator should know (an event parked, a storage failure). */
  warn: (message: string, details: Record<string, unknown>) => void;
  /** Most async invocations running at once. */
  maxInFlight?: number;
  /** Metrics (`telemetry/metrics/event-meters.ts`); absent when they are off. */
  observe?: AsyncObserver;
  /**
   * Traces (`telemetry/traces/hooks.ts`): starts and ends the enqueue span under the caller's
   * X-Amzn-Trace-Id and returns the one the run continues. Absent when tracing is off.
   */
  enqueued?: (fn: string, parent: string | undefined) => string | undefined;
}

/** Trace headers of waiting events, kept in memory only: an event run after a restart starts a new trace. */
const MAX_TRACED_EVENTS = 10_000;

/** Where a record went: AWS's names for the destinations of async invocations. */
export type DestinationKind = 'OnSuccess' | 'OnFailure' | 'DeadLetter';

/** Told of an async event's life: accepted, each attempt's age, dropped, and its records' fate. */
export interface AsyncObserver {
  received(fn: string): void;
  /** An attempt is about to run, `ageMs` after the event was accepted. */
  attempt(fn: string, ageMs: number): void;
  /** The event left the queue without a successful run (AWS's AsyncEventsDropped). */
  dropped(fn: string, reason: 'FunctionDeleted' | 'RetriesExhausted' | 'EventAgeExceeded'): void;
  /** A record was handed to its destination, or parked because it could not be. */
  destination(fn: string, kind: DestinationKind, delivered: boolean): void;
}

/** `arn:aws:lambda:region:account:function:name[:qualifier]` → name and qualifier. */
export function parseLambdaArn(arn: string): { name: string; qualifier: string | undefined } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:[^:]*:\d{12}:function:([a-zA-Z0-9_-]+)(?::([$a-zA-Z0-9_-]+))?$/.exec(
    arn,
  );
  return m ? { name: m[1]!, qualifier: m[2] } : undefined;
}

/**
 * Runs Event invocations as Lambda does: accepted into a durable queue (a 202 means the event is
 * stored), run as soon as capacity allows, retried after function errors (1 and then 2 minutes
 * later, `MaximumRetryAttempts` times) and after throttles (with back-off, until
 * `MaximumEventAgeInSeconds`), then handed to the OnSuccess/OnFailure destination or the
 * dead-letter target. An event that cannot be delivered anywhere is parked, never dropped.
 * All timing goes through the injected clock.
 */
export class AsyncDispatcher {
  private inFlight = 0;
  private readonly maxInFlight: number;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumping = false;
  private again = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly traces = new Map<string, string>();

  constructor(private readonly deps: AsyncDispatcherDeps) {
    this.maxInFlight = deps.maxInFlight ?? 16;
  }

  /**
   * Starts running what the queue holds: events accepted before a restart, and those that were
   * running when the last process stopped (they run again: delivery is at least once).
   */
  async start(): Promise<void> {
    await this.deps.backend.releaseLeases(this.deps.clock.now());
    this.pump();
  }

  /**
   * Accepts an Event invocation: checks that the target exists and the payload is JSON within
   * 1 MB, stores it, and returns its request id. It runs after this resolves.
   */
  async enqueue(
    name: string,
    qualifier: string | undefined,
    payload: string | Buffer,
    trace?: string,
  ): Promise<string> {
    if (this.closed) throw new BatonError('ShuttingDown', 'Baton is shutting down');
    const text = typeof payload === 'string' ? payload : payload.toString('utf8');
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size > ASYNC_PAYLOAD_BYTES)
      throw new BatonError(
        'RequestTooLarge',
        `Request must be smaller than ${ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    if (size > 0) {
      try {
        JSON.parse(text);
      } catch (e) {
        throw new BatonError(
          'InvalidRequestContent',
          `Could not parse request body into json: ${(e as Error).message}`,
        );
      }
    }
    this.deps.resolve(name, qualifier);
    const now = this.deps.clock.now();
    const event: AsyncEvent = {
      id: randomUUID(),
      function: name,
      qualifier: qualifier ?? '$LATEST',
      payload: size > 0 ? text : '{}',
      enqueuedAt: now,
      dueAt: now,
      attempts: 0,
      throttles: 0,
    };
    await this.deps.backend.add(event);
    const header = this.deps.enqueued?.(name, trace);
    if (header !== undefined) {
      this.traces.set(event.id, header);
      if (this.traces.size > MAX_TRACED_EVENTS) this.traces.delete(this.traces.keys().next().value!);
    }
    this.deps.observe?.received(name);
    this.pump();
    return event.id;
  }

  /** Claims due events while there is capacity, then sleeps until the next one is due. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((e) => this.deps.warn('async queue: claiming events failed', { error: String(e) }))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.closed && this.inFlight < this.maxInFlight) {
      const now = this.deps.clock.now();
      const room = this.maxInFlight - this.inFlight;
      // The lease outlasts the longest run (15 minutes) so a live run is never duplicated.
      const events = await this.deps.backend.claim(now, room, now + 16 * 60_000);
      for (const e of events) {
        this.inFlight++;
        void this.process(e)
          .catch((err) =>
            this.deps.warn('async event: storage failed; it runs again after a restart', {
              requestId: e.id,
              error: String(err),
            }),
          )
          .finally(() => {
            this.inFlight--;
            if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
            this.pump();
          });
      }
      if (events.length < room) break;
    }
    await this.arm();
  }

  /** Sets the timer for the next due event (leases of running events included). */
  private async arm(): Promise<void> {
    const next = await this.deps.backend.nextDue();
    if (next === undefined || this.closed) return;
    if (this.timer && this.timerAt <= next) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.deps.clock.setTimer(Math.max(0, next - this.deps.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    });
  }

  private config(e: AsyncEvent): {
    maxRetries: number;
    maxAgeMs: number;
    onSuccess?: string;
    onFailure?: string;
  } {
    const c = this.deps.registry.getInvokeConfig(e.function, e.qualifier);
    return {
      maxRetries: c?.maximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
      maxAgeMs: (c?.maximumEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000,
      onSuccess: c?.onSuccess ?? undefined,
      onFailure: c?.onFailure ?? undefined,
    };
  }

  private async process(e: AsyncEvent): Promise<void> {
    const { backend, clock } = this.deps;
    let target: InvokeTarget;
    try {
      target = this.deps.resolve(e.function, e.qualifier === '$LATEST' ? undefined : e.qualifier);
    } catch {
      // The function (or its alias) was deleted after the event was accepted: Lambda drops it.
      this.deps.warn('async event dropped: its function no longer exists', {
        requestId: e.id,
        function: e.function,
      });
      await backend.remove(e.id);
      this.deps.observe?.dropped(e.function, 'FunctionDeleted');
      return;
    }
    const cfg = this.config(e);
    const event = JSON.parse(e.payload) as unknown;
    if (clock.now() - e.enqueuedAt > cfg.maxAgeMs) {
      await this.fail(e, target, event, cfg.onFailure, 'EventAgeExceeded', undefined);
      return;
    }
    let result: InvokeResult;
    this.deps.observe?.attempt(e.function, clock.now() - e.enqueuedAt);
    try {
      result = await this.deps.run(target, event, e.id, this.traces.get(e.id));
    } catch (err) {
      // Throttled, or the platform could not run it: retried until the event is too old.
      const throttles = e.throttles + 1;
      const due = clock.now() + throttleDelayMs(throttles);
      if (due - e.enqueuedAt > cfg.maxAgeMs)
        await this.fail(e, target, event, cfg.onFailure, 'EventAgeExceeded', undefined);
      else await backend.reschedule(e.id, due, e.attempts, throttles);
      if (!(err instanceof BatonError))
        this.deps.warn('async invocation failed to run', { requestId: e.id, error: String(err) });
      return;
    }
    const attempts = e.attempts + 1;
    if (!result.functionError) {
      if (cfg.onSuccess)
        await this.toDestination(
          e,
          'OnSuccess',
          cfg.onSuccess,
          invocationRecord(e, target, event, 'Success', attempts, result, clock.now()),
        );
      await backend.remove(e.id);
      return;
    }
    if (attempts <= cfg.maxRetries) {
      const due = clock.now() + retryDelayMs(attempts);
      if (due - e.enqueuedAt <= cfg.maxAgeMs) {
        await backend.reschedule(e.id, due, attempts, e.throttles);
        return;
      }
      await this.fail({ ...e, attempts }, target, event, cfg.onFailure, 'EventAgeExceeded', result);
      return;
    }
    await this.fail({ ...e, attempts }, target, event, cfg.onFailure, 'RetriesExhausted', result);
  }

  /** The event failed for good: OnFailure destination, else the function's dead-letter target. */
  private async fail(
    e: AsyncEvent,
    target: InvokeTarget,
    event: unknown,
    onFailure: string | undefined,
    condition: 'RetriesExhausted' | 'EventAgeExceeded',
    result: InvokeResult | undefined,
  ): Promise<void> {
    const now = this.deps.clock.now();
    this.deps.observe?.dropped(e.function, condition);
    if (onFailure) {
      await this.toDestination(
        e,
        'OnFailure',
        onFailure,
        invocationRecord(e, target, event, condition, e.attempts, result, now),
      );
      await this.deps.backend.remove(e.id);
      return;
    }
    const dlq = target.record.deadLetterTargetArn ?? this.deps.registry.get(e.function)?.deadLetterTargetArn;
    if (dlq) {
      // A dead-letter queue gets the event itself.
      const delivered = await this.deliverElsewhere(dlq, event, this.traces.get(e.id));
      this.deps.observe?.destination(e.function, 'DeadLetter', delivered);
      if (delivered) await this.deps.backend.remove(e.id);
      else await this.park(e, dlq);
      return;
    }
    await this.deps.backend.remove(e.id);
  }

  private async toDestination(
    e: AsyncEvent,
    kind: DestinationKind,
    arn: string,
    record: unknown,
  ): Promise<void> {
    const fn = parseLambdaArn(arn);
    if (fn) {
      try {
        await this.enqueue(fn.name, fn.qualifier, JSON.stringify(record), this.traces.get(e.id));
        this.deps.observe?.destination(e.function, kind, true);
        return;
      } catch (err) {
        this.deps.warn('async destination function is unavailable', {
          requestId: e.id,
          destination: arn,
          error: String(err),
        });
      }
    } else if (await this.deliverElsewhere(arn, record, this.traces.get(e.id))) {
      this.deps.observe?.destination(e.function, kind, true);
      return;
    }
    this.deps.observe?.destination(e.function, kind, false);
    // Keep the record where an operator can find it rather than lose it.
    await this.deps.backend.add({
      id: randomUUID(),
      function: e.function,
      qualifier: e.qualifier,
      payload: JSON.stringify({ destination: arn, record }),
      enqueuedAt: this.deps.clock.now(),
      dueAt: PARKED,
      attempts: 0,
      throttles: 0,
    });
    this.deps.warn('async destination record parked', { requestId: e.id, destination: arn });
  }

  private async deliverElsewhere(arn: string, payload: unknown, trace?: string): Promise<boolean> {
    if (!this.deps.deliver) return false;
    try {
      return await this.deps.deliver(arn, payload, trace);
    } catch {
      return false;
    }
  }

  private async park(e: AsyncEvent, target: string): Promise<void> {
    await this.deps.backend.reschedule(e.id, PARKED, e.attempts, e.throttles);
    this.deps.warn('async event parked: its dead-letter target cannot be reached yet', {
      requestId: e.id,
      target,
    });
  }

  /** Resolves when no async invocation is running. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops claiming events; running ones finish (the queue keeps the rest for the next start). */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }
}
