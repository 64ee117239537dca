import { parseDuration } from './duration.ts';

/**
 * A point in time for `--since` and `--until`: a duration ago (`30s`, `10m`, `2h`, `1d`), epoch
 * milliseconds, or an ISO 8601 date-time (`2024-05-01T12:00:00Z`). Undefined when it is none.
 */
export function parseTimeArg(text: string, now: number): number | undefined {
  const t = text.trim();
  if (/^\d{12,}$/.test(t)) return Number(t);
  const ago = parseDuration(t);
  if (ago !== undefined) return now - ago;
  const at = /^\d{4}-\d\d-\d\d/.test(t) ? Date.parse(t) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}
