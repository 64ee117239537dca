/**
 * The schedule loop: fires each enabled schedule's slots on the injected clock, once each.
 *
 * - Exactly once: before delivering a slot the loop claims `(schedule, fire time)` in the durable
 *   fire ledger (an insert-or-ignore); only the first claim delivers. A restart, or a second
 *   evaluation of the same slot, finds the claim and does nothing.
 * - After downtime (or a stalled timer), `misfirePolicy` decides: at most the most recent missed
 *   slot fires, and only while younger than the target's MaximumEventAgeInSeconds. No catch-up.
 * - FlexibleTimeWindow: AWS may fire anywhere inside the window; Baton fires at its start.
 * - Delivery failures are retried with back-off (1 s doubling to 60 s) while the retry policy
 *   allows, then the invocation goes to the dead-letter queue if there is one. Retries live in
 *   memory; a fire still retrying when Baton stops stays undelivered in the ledger and is sent
 *   again at the next start.
 * - ActionAfterCompletion DELETE: once a schedule has no slot left (an `at()` that fired, or a
 *   schedule past its EndDate), it is deleted. Its claimed fires keep a snapshot of it in the
 *   ledger, so a fire still being handed over survives the deletion and a crash.
 * - The hand-over and the ledger's "delivered" mark are two steps: a crash between them sends that
 *   one fire again at the next start (at least once in that window, exactly once otherwise).
 * Tests: test/services/scheduler/loop.test.ts.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { ScheduleTracer } from '../hop-trace.ts';
import { parseScheduleExpression, type ScheduleExpression, slotsAfter } from '../schedules/expression.ts';
import { misfirePolicy } from '../schedules/misfire.ts';
import type { ScheduleBackend } from './backend.ts';
import type { ScheduleRecord } from './records.ts';

/** What Scheduler sends when a target has no Input (AWS: "a default notification"; Baton: `{}`). */
export const DEFAULT_PAYLOAD = '{}';
/** The longest a timer is set for: later slots are re-checked then (setTimeout caps near 24.8 days). */
const MAX_TIMER_MS = 3_600_000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;

export interface ScheduleLoopDeps {
  backend: ScheduleBackend;
  clock: Clock;
  /** Delivers one invocation to the target ARN, continuing `trace`; throws when it cannot. */
  deliver: (arn: string, payload: string, schedule: ScheduleRecord, trace?: string) => Promise<void>;
  /** Deletes a completed schedule (ActionAfterCompletion DELETE). */
  deleteSchedule: (group: string, name: string) => Promise<unknown>;
  warn: (message: string, details: Record<string, unknown>) => void;
  /** Multiplies `rate(...)` periods (BATON_RATE_SCALE; 1 outside tests and demos). */
  rateScale?: number;
  /** Traces: a span per fire (a new trace) that parents its delivery; absent when tracing is off. */
  trace?: ScheduleTracer;
}

interface Entry {
  record: ScheduleRecord;
  expr: ScheduleExpression;
  /** Slots at or before this instant are dealt with (fired, claimed elsewhere, or dropped). */
  watermark: number;
  /** Whether this schedule has fired at least once (ledger or this process). */
  fired: boolean;
}

const keyOf = (group: string, name: string) => `${group}\u0000${name}`;

export class ScheduleLoop {
  private readonly entries = new Map<string, Entry>();
  private timer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: ScheduleLoopDeps) {}

  /** Loads every schedule, fires what the misfire policy allows, and arms the timer. */
  async start(schedules: ScheduleRecord[]): Promise<void> {
    // Fires claimed before a crash but never handed over go out now (at least once there), as
    // the schedule was when they were claimed, even if it has been deleted since.
    for (const u of await this.deps.backend.undelivered()) {
      const record = u.schedule ?? schedules.find((s) => s.group === u.group && s.name === u.name);
      if (record) this.dispatch(record, u.fireTime);
    }
    for (const s of schedules) await this.load(s.group, s.name, s);
    await this.evaluate();
  }

  /** Takes a created, updated (record) or deleted (undefined) schedule into account. */
  sync(group: string, name: string, record: ScheduleRecord | undefined): Promise<void> {
    return this.serial(async () => {
      await this.load(group, name, record);
      // Only the changed schedule: the others were evaluated when they last changed or fired.
      await this.runDue(keyOf(group, name));
    });
  }

  /** Evaluates every schedule now (the timer calls this). */
  evaluate(): Promise<void> {
    return this.serial(() => this.runDue());
  }

  /** The next instant the loop will wake at, for tests and diagnostics. */
  nextWake(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) {
      const t = this.nextSlot(e);
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  /** Resolves once queued evaluations and deliveries (with their retries) are done. */
  async idle(): Promise<void> {
    await this.chain;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn).catch((e: unknown) => {
      this.deps.warn('the schedule loop failed', { err: e });
    });
    this.chain = run;
    return run;
  }

  private async load(group: string, name: string, record: ScheduleRecord | undefined): Promise<void> {
    const key = keyOf(group, name);
    if (record?.state !== 'ENABLED') {
      this.entries.delete(key);
      return;
    }
    const last = await this.deps.backend.lastFired(group, name);
    // Slots before the schedule's last change belong to its previous definition.
    this.entries.set(key, {
      record,
      expr: this.scaled(parseScheduleExpression(record.expression)),
      watermark: Math.max(last ?? Number.NEGATIVE_INFINITY, record.lastModifiedAt - 1),
      fired: last !== undefined,
    });
  }

  private scaled(expr: ScheduleExpression): ScheduleExpression {
    const scale = this.deps.rateScale ?? 1;
    return expr.kind === 'rate' && scale !== 1
      ? { ...expr, periodMs: Math.max(1, Math.round(expr.periodMs * scale)) }
      : expr;
  }

  private window(e: Entry) {
    const r = e.record;
    return {
      timezone: r.timezone,
      startDate: r.startDate,
      endDate: r.endDate,
      createdAt: r.createdAt,
    };
  }

  private nextSlot(e: Entry): number | undefined {
    const next = slotsAfter(e.expr, { ...this.window(e), after: e.watermark }).next();
    return next.done ? undefined : next.value;
  }

  private async runDue(only?: string): Promise<void> {
    if (this.closed) return;
    const now = this.deps.clock.now();
    const one = only === undefined ? undefined : this.entries.get(only);
    const due: [string, Entry][] = only === undefined ? [...this.entries] : one ? [[only, one]] : [];
    for (const [key, e] of due) {
      const decision = misfirePolicy(e.expr, {
        ...this.window(e),
        lastFired: e.watermark,
        now,
        maxEventAgeMs: e.record.target.retryPolicy.maximumEventAgeInSeconds * 1000,
      });
      if (decision.expired || decision.skipped > 0)
        this.deps.warn('missed schedule slots were dropped (no catch-up)', {
          schedule: e.record.arn,
          skipped: decision.skipped,
          expired: decision.expired,
        });
      for (const slot of decision.fire) {
        if (await this.deps.backend.claimFire(e.record, slot, now)) {
          e.fired = true;
          this.dispatch(e.record, slot);
        }
      }
      e.watermark = Math.max(e.watermark, decision.resumeAfter);
      if (this.nextSlot(e) === undefined) {
        this.entries.delete(key);
        if (e.record.actionAfterCompletion === 'DELETE' && (e.fired || e.expr.kind !== 'at'))
          await this.deps.deleteSchedule(e.record.group, e.record.name);
      }
    }
    this.arm(now);
  }

  private arm(now: number): void {
    this.timer?.cancel();
    this.timer = undefined;
    const next = this.nextWake();
    if (next === undefined || this.closed) return;
    this.timer = this.deps.clock.setTimer(Math.min(Math.max(0, next - now), MAX_TIMER_MS), () => {
      void this.evaluate();
    });
  }

  /** Delivers one invocation, retrying as the target's RetryPolicy allows, then dead-letters it. */
  private dispatch(record: ScheduleRecord, slot: number): void {
    const { clock } = this.deps;
    const { target } = record;
    const payload = target.input ?? DEFAULT_PAYLOAD;
    const deadline = slot + target.retryPolicy.maximumEventAgeInSeconds * 1000;
    const span = this.deps.trace?.(record, slot);
    let failure: string | undefined;
    // True once the invocation is handed over (or given up for good); false when Baton stops
    // first, so that the next start sends it again.
    const handed = new Promise<boolean>((resolve) => {
      const attempt = (n: number): void => {
        this.deps.deliver(target.arn, payload, record, span?.header).then(
          () => resolve(true),
          (err: unknown) => {
            const delay = Math.min(RETRY_FIRST_MS * 2 ** n, RETRY_MAX_MS);
            if (this.closed) return resolve(false);
            if (n < target.retryPolicy.maximumRetryAttempts && clock.now() + delay <= deadline) {
              clock.setTimer(delay, () => (this.closed ? resolve(false) : attempt(n + 1)));
              return;
            }
            this.deps.warn('a scheduled invocation could not be delivered', {
              schedule: record.arn,
              target: target.arn,
              attempts: n + 1,
              err,
            });
            failure = String((err as Error)?.message ?? err);
            const dlq = target.deadLetterArn;
            if (!dlq) return resolve(true);
            this.deps.deliver(dlq, payload, record, span?.header).then(
              () => resolve(true),
              (e: unknown) => {
                this.deps.warn('the dead-letter queue refused a scheduled invocation', {
                  schedule: record.arn,
                  err: e,
                });
                resolve(true);
              },
            );
          },
        );
      };
      attempt(0);
    });
    const done = handed.then(async (settled) => {
      span?.end(settled ? failure : 'Baton stopped before the hand-over');
      if (settled)
        await this.deps.backend
          .markDelivered(record.group, record.name, slot, clock.now())
          .catch((e: unknown) => this.deps.warn('the fire ledger could not be updated', { err: e }));
    });
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }
}
