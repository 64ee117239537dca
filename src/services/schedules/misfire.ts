/**
 * What to fire after a restart, from the durable fire ledger's last recorded slot.
 *
 * AWS never replays a backlog: each slot is one invocation, and an invocation that cannot be
 * delivered is retried only until its age reaches the retry policy's MaximumEventAgeInSeconds
 * (60–86400 s, default 86400: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html;
 * EventBridge rule targets also stop at 24 hours). So Baton fires at most one missed slot, the
 * most recent, and only while it is younger than that age; older missed slots are dropped,
 * and the caller records them as skipped so the ledger moves on. No catch-up storm.
 * Tests: "misfirePolicy" in test/services/schedules/expression.test.ts.
 */
import { type FireWindow, type ScheduleExpression, slotsAfter } from './expression.ts';

/** AWS's default (and largest) MaximumEventAgeInSeconds, in milliseconds. */
export const DEFAULT_MAX_EVENT_AGE_MS = 86_400_000;

export interface MisfireInput extends Omit<FireWindow, 'after'> {
  /** The last slot the fire ledger recorded; undefined when the schedule has never fired. */
  lastFired?: number;
  /** The current time, epoch ms. */
  now: number;
  /** Missed slots older than this are dropped (ms; default 24 h). */
  maxEventAgeMs?: number;
}

export interface MisfireDecision {
  /** Slots to fire now: empty, or the single most recent missed slot. */
  fire: number[];
  /** Missed slots passed over inside the age window (all older than the one fired). */
  skipped: number;
  /** True when missed slots older than the age window were dropped without counting them. */
  expired: boolean;
  /** Resume normal scheduling with the first slot strictly after this instant. */
  resumeAfter: number;
}

export function misfirePolicy(expr: ScheduleExpression | string, input: MisfireInput): MisfireDecision {
  const { lastFired, now, maxEventAgeMs = DEFAULT_MAX_EVENT_AGE_MS, ...window } = input;
  const resumeAfter = now;
  // A schedule that never fired has missed the slots since it was created (or started).
  const since = lastFired ?? (window.createdAt ?? window.startDate ?? now + 1) - 1;
  if (since >= now) return { fire: [], skipped: 0, expired: false, resumeAfter };
  const oldest = now - maxEventAgeMs;
  const firstMissed = slotsAfter(expr, { ...window, after: since }).next();
  const expired = !firstMissed.done && firstMissed.value < oldest && firstMissed.value <= now;
  let latest: number | undefined;
  let inWindow = 0;
  for (const t of slotsAfter(expr, { ...window, after: Math.max(since, oldest - 1) })) {
    if (t > now) break;
    latest = t;
    inWindow++;
  }
  if (latest === undefined) return { fire: [], skipped: 0, expired, resumeAfter };
  return { fire: [latest], skipped: inWindow - 1, expired, resumeAfter };
}
