/** An accepted asynchronous invocation, kept until it has run or been handed to a destination. */
export interface AsyncEvent {
  /** The request id the caller got with its 202. */
  id: string;
  function: string;
  /** `$LATEST`, a version or an alias, as invoked. */
  qualifier: string;
  /** The event, as JSON. */
  payload: string;
  enqueuedAt: number;
  /** When it may next run (epoch ms). While it runs, the end of its lease. */
  dueAt: number;
  /** Attempts that ended in a function error. */
  attempts: number;
  /** Attempts that were throttled (they do not count against the retries). */
  throttles: number;
}

/** Due time of an event that could not be delivered anywhere: kept, never run again. */
export const PARKED = Number.MAX_SAFE_INTEGER;

/**
 * The durable queue behind Event invocations. Implementations: `backends/sqlite/async-events.ts`
 * and `backends/memory/async-events.ts`; both pass `test/contract/async-events.contract.ts`.
 */
export interface AsyncEventBackend {
  add(event: AsyncEvent): Promise<void>;
  /**
   * Takes up to `limit` events due at `now`, oldest due first, and moves their due time to
   * `leaseUntil`: if the process dies while one runs, it runs again after its lease.
   */
  claim(now: number, limit: number, leaseUntil: number): Promise<AsyncEvent[]>;
  /**
   * Makes the events that were running when the node stopped due at `now` (at start, on a
   * single node: nothing else can be running them).
   */
  releaseLeases(now: number): Promise<number>;
  /** Sets when an event runs next and its counters (and ends its lease). */
  reschedule(id: string, dueAt: number, attempts: number, throttles: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** The earliest due time below PARKED, if any. */
  nextDue(): Promise<number | undefined>;
  /** Events waiting or running, and parked ones. */
  counts(): Promise<{ pending: number; parked: number }>;
}
