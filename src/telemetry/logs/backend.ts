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

/** Which records to read. Every condition narrows; results come oldest (lowest id) first. */
export interface LogQuery {
  function: string;
  /** Epoch ms: records at or after this time (FilterLogEvents' startTime). */
  since?: number;
  /** Epoch ms: records at or before this time (endTime). */
  until?: number;
  /** Only the record of this invocation. */
  requestId?: string;
  /** Records with a larger id only: where the previous page stopped. */
  afterId?: number;
  /** Substrings every record's message must hold (case-sensitive): a filter pattern's terms. */
  contains?: readonly string[];
  /** At most this many (the oldest of the matches). Default 1000. */
  limit?: number;
}

/** The records a purge covers besides their age: one function's, or all but some functions'. */
export type PurgeScope = { only: string } | { except: readonly string[] };

/** Where function logs are kept. Implementations: sqlite, memory. */
export interface LogBackend {
  append(records: readonly LogRecord[]): Promise<void>;
  query(q: LogQuery): Promise<StoredLogRecord[]>;
  /** Deletes records older than `ts` (of the functions in `scope`; default all); returns how many went. */
  purgeBefore(ts: number, scope?: PurgeScope): Promise<number>;
  /** Deletes every record of a function. */
  deleteFunction(name: string): Promise<void>;
}
