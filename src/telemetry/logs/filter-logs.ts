import { BatonError } from '../../core/errors.ts';
import type { LogBackend, StoredLogRecord } from './backend.ts';
import { compileFilterPattern } from './filter-pattern.ts';
import { splitEvents } from './log-events.ts';

/** A FilterLogEvents-style query of one function's logs. */
export interface LogFilter {
  function: string;
  /** Epoch ms: invocations that started at or after it. */
  startTime?: number;
  /** Epoch ms: invocations that started at or before it. */
  endTime?: number;
  /** A CloudWatch filter pattern (filter-pattern.ts); absent or empty: everything. */
  filterPattern?: string;
  requestId?: string;
  /** Invocations to return at most. Default 1000. */
  limit?: number;
  /** A `nextToken` or `nextForwardToken` of an earlier page with the same conditions. */
  nextToken?: string;
}

export interface LogPage {
  /**
   * One per invocation, oldest first. With a filter pattern, `message` holds only the invocation's
   * events that match (joined by newlines); without one, all of them.
   */
  events: StoredLogRecord[];
  /** Set when more may match: pass it back for the next page. */
  nextToken?: string;
  /** Where this page stopped, always set: passed back later, it finds what was written since. */
  nextForwardToken: string;
}

/** Records read from the store per step while a pattern is matched in memory. */
const SCAN_STEP = 500;
/**
 * Records a patterned query examines before it answers, with a `nextToken`, even with fewer
 * events than asked for: as CloudWatch does, so one request never scans a whole log.
 */
export const SCAN_BUDGET = 10_000;

const encodeToken = (afterId: number): string => Buffer.from(`v1:${afterId}`).toString('base64url');

function decodeToken(token: string): number {
  const m = /^v1:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new BatonError('InvalidParameterValue', 'nextToken: not a token this API returned');
  return Number(m[1]);
}

/**
 * Reads a page of a function's logs. Time range, request id and a pattern's plain terms narrow
 * the rows in the store (SQL for SQLite); the pattern itself is then matched event by event here.
 */
export async function filterLogs(backend: LogBackend, f: LogFilter): Promise<LogPage> {
  const limit = f.limit ?? 1000;
  const pattern = f.filterPattern ? compileFilterPattern(f.filterPattern) : undefined;
  // 0: a page that found nothing yet. Without an id bound the store may use its time index.
  let after = f.nextToken === undefined ? undefined : decodeToken(f.nextToken) || undefined;
  const events: StoredLogRecord[] = [];
  let scanned = 0;
  let more = false;
  while (!more) {
    const want = pattern ? Math.min(SCAN_STEP, SCAN_BUDGET - scanned) : limit;
    const rows = await backend.query({
      function: f.function,
      since: f.startTime,
      until: f.endTime,
      requestId: f.requestId,
      contains: pattern?.required,
      afterId: after,
      limit: want,
    });
    for (const r of rows) {
      after = r.id;
      scanned++;
      if (!pattern) events.push(r);
      else {
        const hits = splitEvents(r.message).filter((e) => pattern.test(e));
        if (hits.length > 0) events.push({ ...r, message: hits.join('\n') });
      }
      if (events.length >= limit) {
        more = true;
        break;
      }
    }
    if (rows.length < want) break;
    if (!pattern || scanned >= SCAN_BUDGET) more = true;
  }
  const forward = encodeToken(after ?? 0);
  return more
    ? { events, nextToken: forward, nextForwardToken: forward }
    : { events, nextForwardToken: forward };
}
