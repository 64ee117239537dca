/**
 * Schedule expressions for EventBridge rules (`rate`, `cron`; always UTC) and EventBridge
 * Scheduler (`rate`, `cron`, `at`; in `ScheduleExpressionTimezone`), as pure functions of time.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *
 * Daylight saving time (Scheduler's documented behaviour, see the DST section of schedule-types
 * and https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst):
 * - a cron slot whose local time does not exist (spring forward) is skipped;
 * - a cron slot whose local time happens twice (fall back) runs once, at the first occurrence;
 * - `rate` counts fixed durations from its start, so `rate(1 day)` is every 24 hours and drifts
 *   an hour against the local clock across a change;
 * - `at()` in a gap fires when the clock jumps past it, in a fold at the first occurrence
 *   (AWS documents neither; Baton never drops a one-time schedule).
 * Tests: "DST" in test/services/schedules/expression.test.ts.
 */
import { type CronSpec, nextWallMatch, parseCron } from './cron.ts';
import { invalidExpression, ScheduleError } from './errors.ts';
import { assertTimezone, fromWall, fromWallCompatible, toWall } from './zone.ts';

export type { CronSpec } from './cron.ts';

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type RateUnit = keyof typeof UNIT_MS;

export type ScheduleExpression =
  | { kind: 'rate'; source: string; value: number; unit: RateUnit; periodMs: number }
  | { kind: 'cron'; source: string; spec: CronSpec }
  /** `wall` is the local date-time read as if UTC (see zone.ts); the zone is applied later. */
  | { kind: 'at'; source: string; wall: number };

/** Where and when a schedule may fire. All instants are epoch milliseconds. */
export interface FireWindow {
  /** Slots strictly after this instant are returned. */
  after: number;
  /** IANA zone cron and at() are read in (Scheduler's ScheduleExpressionTimezone); default UTC. */
  timezone?: string;
  /** No slot before this (inclusive bound); for `rate`, the first slot. Ignored by `at()`. */
  startDate?: number;
  /** No slot after this (inclusive bound). Ignored by `at()`. */
  endDate?: number;
  /** When the rule or schedule was created: a `rate` without `startDate` counts from here. */
  createdAt?: number;
}

/** Parses and validates `rate(...)`, `cron(...)` or `at(...)`; throws `ValidationException`. */
export function parseScheduleExpression(source: string): ScheduleExpression {
  const m = /^(rate|cron|at)\((.*)\)$/s.exec(source);
  if (!m) throw invalidExpression(`Expected rate(...), cron(...) or at(...), got '${source}'.`);
  const body = m[2]!;
  if (m[1] === 'cron') return { kind: 'cron', source, spec: parseCron(body) };
  if (m[1] === 'at') return { kind: 'at', source, wall: parseAt(body) };
  return { kind: 'rate', source, ...parseRate(body) };
}

/** `value unit`: AWS wants the singular unit for 1 and the plural for more. */
function parseRate(body: string): { value: number; unit: RateUnit; periodMs: number } {
  const m = /^\s*(\d+)\s+(minute|hour|day)(s?)\s*$/.exec(body);
  if (!m)
    throw invalidExpression(`A rate is 'value unit' with unit minute(s), hour(s) or day(s): '${body}'.`);
  const value = Number(m[1]);
  const unit = m[2] as RateUnit;
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalidExpression('The rate value must be a positive integer.');
  if ((value === 1) !== (m[3] === '')) {
    throw invalidExpression(`Use '${unit}' for a value of 1 and '${unit}s' for more: '${body}'.`);
  }
  return { value, unit, periodMs: value * UNIT_MS[unit] };
}

/** `yyyy-mm-ddThh:mm:ss`, a real calendar date-time. */
function parseAt(body: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) throw invalidExpression(`A one-time schedule is at(yyyy-mm-ddThh:mm:ss), got at(${body}).`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw invalidExpression(`at(${body}) is not a real date and time.`);
  }
  return wall;
}

function parsed(expr: ScheduleExpression | string): ScheduleExpression {
  return typeof expr === 'string' ? parseScheduleExpression(expr) : expr;
}

/**
 * The schedule's slots strictly after `window.after`, ascending and lazily, within
 * `startDate`/`endDate`. Never ends for `rate` without `endDate`; callers bound it.
 */
export function* slotsAfter(expr: ScheduleExpression | string, window: FireWindow): Generator<number> {
  const e = parsed(expr);
  const { timezone, startDate, endDate } = window;
  if (timezone !== undefined) assertTimezone(timezone);
  if (e.kind === 'at') {
    const t = fromWallCompatible(timezone, e.wall);
    if (t > window.after) yield t;
    return;
  }
  const inRange = (t: number) => endDate === undefined || t <= endDate;
  // Slots before startDate are not slots: begin the search just before it.
  const after = startDate === undefined ? window.after : Math.max(window.after, startDate - 1);
  if (e.kind === 'rate') {
    const anchor = startDate ?? window.createdAt;
    if (anchor === undefined) {
      throw new ScheduleError(
        'ValidationException',
        'A rate schedule needs a startDate or createdAt to count from.',
      );
    }
    let k = after < anchor ? 0 : Math.floor((after - anchor) / e.periodMs) + 1;
    for (let t = anchor + k * e.periodMs; inRange(t); t = anchor + ++k * e.periodMs) yield t;
    return;
  }
  let wall = Math.floor(toWall(timezone, after) / 60_000) * 60_000 + 60_000;
  for (;;) {
    const match = nextWallMatch(e.spec, wall);
    if (match === undefined) return;
    wall = match + 60_000;
    // Gap: no instant, skipped. Fold: only the first instant counts, and only if still ahead.
    const first = fromWall(timezone, match)[0];
    if (first === undefined || first <= after) continue;
    if (!inRange(first)) return;
    yield first;
  }
}

/**
 * The next `count` slots strictly after `window.after`.
 * @example
 * nextFireTimes('cron(0 9 ? * MON-FRI *)', { after: Date.now(), timezone: 'Europe/Berlin' }, 3)
 */
export function nextFireTimes(
  expr: ScheduleExpression | string,
  window: FireWindow,
  count: number,
): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  for (const t of slotsAfter(expr, window)) {
    out.push(t);
    if (out.length >= count) break;
  }
  return out;
}
