import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { BusTracer } from '../hop-trace.ts';
import type { BusBackend, BusDelivery } from './backend.ts';

/** How long a claimed delivery stays leased: a crash mid-send makes it due again after this. */
export const LEASE_MS = 60_000;
/** Back-off between attempts: doubling from 1 s, at most 5 minutes. */
export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 300_000;
const BATCH = 32;

export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

export interface BusDelivererDeps {
  backend: BusBackend;
  clock: Clock;
  /** Sends one delivery to its target, continuing `trace`; throws (or rejects) when it could not be handed over. */
  send: (d: BusDelivery, trace?: string) => Promise<void>;
  /** Hands a delivery that ran out of retries or age to its dead-letter queue. */
  deadLetter: (d: BusDelivery, reason: string, trace?: string) => Promise<void>;
  warn: (message: string, details: Record<string, unknown>) => void;
  /** Metrics (`telemetry/metrics/event-meters.ts`); absent when they are off. */
  observe?: BusObserver;
  /** Traces: a span per attempt of a traced event's delivery; absent when tracing is off. */
  trace?: BusTracer;
}

/** Told of deliveries that reached their target, and of those that failed for good. */
export interface BusObserver {
  delivered(bus: string, rule: string): void;
  failed(bus: string, rule: string): void;
}

/**
 * Sends the bus outbox's deliveries at least once: each is claimed with a lease, sent, then
 * removed; a failed send is retried with back-off within its RetryPolicy (attempts and event
 * age), then goes to its dead-letter queue, or is dropped with a warning. Runs on the injected
 * clock (`test/services/bus/deliverer.test.ts` drives it with a ManualClock).
 */
export class BusDeliverer {
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(private readonly deps: BusDelivererDeps) {}

  /** Releases the leases a previous run left, then sends what is due. */
  async start(): Promise<void> {
    await this.deps.backend.releaseDeliveryLeases(this.deps.clock.now());
    this.wake();
  }

  /** New deliveries are waiting: send them now. */
  wake(): void {
    this.#schedule(this.deps.clock.now());
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Resolves once no pass is running. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #schedule(at: number): void {
    if (this.#closed) return;
    if (this.#timer && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.deps.clock.setTimer(Math.max(0, at - this.deps.clock.now()), () => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#run();
    });
  }

  #run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass()
      .catch((e: unknown) => this.deps.warn('bus delivery pass failed', { err: e }))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#run();
        }
      });
  }

  async #pass(): Promise<void> {
    const { backend, clock } = this.deps;
    for (;;) {
      if (this.#closed) return;
      const now = clock.now();
      const batch = await backend.claimDeliveries(now, BATCH, now + LEASE_MS);
      if (batch.length === 0) break;
      await Promise.all(batch.map((d) => this.#attempt(d)));
    }
    const next = await backend.nextDeliveryDue();
    if (next !== undefined) this.#schedule(next);
  }

  async #attempt(d: BusDelivery): Promise<void> {
    const { backend, clock } = this.deps;
    const span = this.deps.trace?.delivery(d);
    try {
      await this.deps.send(d, span?.header);
      span?.end();
      await backend.removeDelivery(d.id);
      this.deps.observe?.delivered(d.bus, d.rule);
      return;
    } catch (e) {
      d.attempts++;
      d.lastError = e instanceof Error ? e.message : String(e);
      span?.end(d.lastError);
    }
    const now = clock.now();
    const due = now + retryDelayMs(d.attempts);
    if (d.attempts <= d.maxRetries && due - d.createdAt <= d.maxAgeMs) {
      d.dueAt = due;
      await backend.rescheduleDelivery(d);
      return;
    }
    const reason = d.attempts > d.maxRetries ? 'retries exhausted' : 'maximum event age reached';
    this.deps.observe?.failed(d.bus, d.rule);
    try {
      if (d.deadLetterArn) await this.deps.deadLetter(d, reason, span?.header);
      else
        this.deps.warn('bus delivery dropped', {
          rule: d.ruleArn,
          target: d.targetArn,
          reason,
          error: d.lastError,
        });
    } catch (e) {
      this.deps.warn('bus dead-letter delivery failed', { rule: d.ruleArn, target: d.targetArn, err: e });
    }
    await backend.removeDelivery(d.id);
  }
}
