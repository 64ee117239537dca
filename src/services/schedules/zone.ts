/**
 * Converting between UTC instants and wall-clock time in an IANA zone with `Intl.DateTimeFormat`
 * only (no tz database dependency). A "wall" time is the local reading encoded as if it were UTC
 * milliseconds, so calendar arithmetic on it is plain `Date.UTC` arithmetic.
 */
import { ScheduleError } from './errors.ts';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Throws `ValidationException` unless `timezone` is an IANA zone name this runtime knows. */
export function assertTimezone(timezone: string): void {
  try {
    formatter(timezone);
  } catch {
    throw new ScheduleError(
      'ValidationException',
      `Parameter ScheduleExpressionTimezone is not valid. Unknown time zone: ${timezone}.`,
    );
  }
}

function isUtc(timezone: string | undefined): boolean {
  return timezone === undefined || timezone === 'UTC' || timezone === 'Etc/UTC';
}

/** The zone's offset from UTC at `utcMs`, in milliseconds (wall = utc + offset). */
export function offsetAt(timezone: string | undefined, utcMs: number): number {
  if (isUtc(timezone)) return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone!).formatToParts(utcMs)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/** The wall-clock reading (as UTC-encoded ms) of instant `utcMs` in `timezone`. */
export function toWall(timezone: string | undefined, utcMs: number): number {
  return utcMs + offsetAt(timezone, utcMs);
}

/**
 * Every instant at which the zone's clocks read `wall`, ascending: none inside a spring-forward
 * gap, two inside a fall-back fold, one otherwise. Assumes no zone changes its offset twice
 * within two days (true of every tz rule in force).
 */
export function fromWall(timezone: string | undefined, wall: number): number[] {
  if (isUtc(timezone)) return [wall];
  const found = new Set<number>();
  for (const offset of [offsetAt(timezone, wall - DAY_MS), offsetAt(timezone, wall + DAY_MS)]) {
    const t = wall - offset;
    if (offsetAt(timezone, t) === offset) found.add(t);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * The one instant a one-time `at()` wall time stands for. In a fold: the first. In a gap: the
 * moment the clock jumps past it, read with the offset in force before the change (what
 * `Temporal`'s `"compatible"` disambiguation does), so a one-time schedule is never lost.
 */
export function fromWallCompatible(timezone: string | undefined, wall: number): number {
  const instants = fromWall(timezone, wall);
  return instants[0] ?? wall - offsetAt(timezone, wall - DAY_MS);
}
