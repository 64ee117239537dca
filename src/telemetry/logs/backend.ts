/**
 * One log event of a function. The invoker writes one per invocation (its lines from START to
 * REPORT, joined by newlines), so that storing logs costs one row per invocation.
 */
export interface LogRecord {
  function: string;
  /** Epoch ms. */
  ts: number;
  requestId: string | null;
  message: string;
}

export interface StoredLogRecord extends LogRecord {
  /** Increasing: `--follow` asks for records after the last id it saw. */
  id: number;
}

export interface LogQuery {
  function: string;
  /** Epoch ms: records at or after this time. */
  since?: number;
  /** Records with a larger id only. */
  afterId?: number;
  /** At most this many (the newest of them when only `since` is given). */
  limit?: number;
}

/** Where function logs are kept. Implementations: sqlite, memory. */
export interface LogBackend {
  append(records: readonly LogRecord[]): Promise<void>;
  query(q: LogQuery): Promise<StoredLogRecord[]>;
  /** Deletes records older than `ts`; returns how many went. */
  purgeBefore(ts: number): Promise<number>;
  /** Deletes every record of a function. */
  deleteFunction(name: string): Promise<void>;
}
