import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { InvokeTarget } from '../../registry/resolve.ts';
import type { InvocationObserver, InvokeResult } from '../../runtime/invoker.ts';
import { billedMs } from '../../telemetry/logs/invocation-log.ts';
import type { UsageBackend } from './backend.ts';
import { addCounts, dayOf, emptyCounts, type UsageCounts, type UsageRow } from './usage.ts';

export interface MeterOptions {
  /** Ms between flushes of the accumulated usage to the backend. */
  flushIntervalMs: number;
  /** Told of a failed flush (the batch is kept and retried with the same flush id). */
  warn?: (message: string, details: Record<string, unknown>) => void;
  /** Runs after each successful flush (budgets are checked there, off the hot path). */
  afterFlush?: () => Promise<void>;
}

/**
 * Meters billable usage off the hot path: an invocation adds a few integers to an in-memory
 * total per (day, app, function); a timer flushes the totals in one transaction, with a flush id
 * that makes a retried flush count once. A crash loses at most the unflushed window (up to
 * `flushIntervalMs` of usage); a clean shutdown flushes it (README, "Costs and budgets").
 */
export class Meter implements InvocationObserver {
  /** The current day's totals by app, then function: keyed by the records' own strings, no key is built. */
  private rows = new Map<string, Map<string, UsageRow>>();
  private rowsDay = '';
  /** Totals of a day that ended before they were flushed. */
  private carried: UsageRow[] = [];
  /** A batch whose apply failed: retried, with its id, before any newer one. */
  private unsent: { id: string; rows: UsageRow[] } | undefined;
  private timer: TimerHandle | undefined;
  private flushing: Promise<void> | undefined;
  private day = '';
  private dayEnds = 0;
  private closed = false;

  constructor(
    private readonly backend: UsageBackend,
    private readonly clock: Clock,
    private readonly opts: MeterOptions,
  ) {}

  /** The UTC day, recomputed only when it ends. */
  private today(): string {
    const now = this.clock.now();
    if (now >= this.dayEnds) {
      this.day = dayOf(now);
      this.dayEnds = Date.parse(`${this.day}T00:00:00Z`) + 86_400_000;
    }
    return this.day;
  }

  private row(app: string, fn: string): UsageRow {
    const day = this.today();
    if (day !== this.rowsDay) {
      this.carried = this.takeRows();
      this.rowsDay = day;
    }
    let byFn = this.rows.get(app);
    if (byFn === undefined) {
      byFn = new Map();
      this.rows.set(app, byFn);
    }
    let r = byFn.get(fn);
    if (r === undefined) {
      r = { day, app, function: fn, ...emptyCounts() };
      byFn.set(fn, r);
    }
    return r;
  }

  /** Everything accumulated, and a fresh start. */
  private takeRows(): UsageRow[] {
    const out = this.carried;
    this.carried = [];
    for (const byFn of this.rows.values()) for (const r of byFn.values()) out.push(r);
    this.rows = new Map();
    return out;
  }

  invoked(target: InvokeTarget, result: InvokeResult): void {
    const r = this.row(target.record.app ?? '', target.record.name);
    // The REPORT line's rounding, so the metered sum equals the logs' Billed Duration.
    const billed = billedMs(result.durationMs);
    r.invocations++;
    r.billedMs += billed;
    r.mbMs += billed * target.record.memory;
  }

  refused(): void {
    // A throttled invocation is not billed.
  }

  /** The gateway's observer: every request received is billable, matched or not. */
  gatewayRequest(): void {
    this.row('', '').gatewayRequests++;
  }

  /** Adds service usage (queue, topic, bus requests; table units) to a function or app. */
  add(app: string, fn: string, counts: Partial<UsageCounts>): void {
    addCounts(this.row(app, fn), { ...emptyCounts(), ...counts });
  }

  start(): void {
    const tick = (): void => {
      this.timer = undefined;
      void this.flush().finally(() => {
        if (!this.closed) this.timer = this.clock.setTimer(this.opts.flushIntervalMs, tick);
      });
    };
    this.timer = this.clock.setTimer(this.opts.flushIntervalMs, tick);
  }

  /** Writes what has accumulated; concurrent calls share one flush. Never rejects. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    try {
      if (this.unsent) {
        await this.backend.apply(this.unsent.id, this.unsent.rows);
        this.unsent = undefined;
      }
      const rows = this.takeRows();
      if (rows.length > 0) {
        this.unsent = { id: randomUUID(), rows };
        await this.backend.apply(this.unsent.id, this.unsent.rows);
        this.unsent = undefined;
      }
    } catch (e) {
      this.opts.warn?.('flushing metered usage failed; it is retried', { err: e });
      return;
    }
    try {
      await this.opts.afterFlush?.();
    } catch (e) {
      this.opts.warn?.('checking budgets failed', { err: e });
    }
  }

  /** Stops the timer and flushes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.flush();
    if (this.unsent) await this.flush();
  }
}
