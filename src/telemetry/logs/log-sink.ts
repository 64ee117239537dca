import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { LogBackend, LogQuery, LogRecord, StoredLogRecord } from './backend.ts';
import { type InvocationLog, toLogRecord } from './invocation-log.ts';

interface Pending {
  function: string;
  ts: number;
  log: InvocationLog;
}

export interface LogSinkOptions {
  /** Milliseconds between batch writes. */
  flushIntervalMs: number;
  /** Write at once when this many records wait. */
  maxBatch: number;
  /** Days a record is kept. */
  retentionDays: number;
  /** Milliseconds between retention passes. */
  purgeIntervalMs: number;
}

/**
 * Keeps function logs off the hot path: invocations append to memory, and a timer writes them to
 * the backend in one batch. Retention runs on the same clock.
 */
export class LogSink {
  private buffer: Pending[] = [];
  private flushTimer: TimerHandle | undefined;
  private purgeTimer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failures = 0;

  constructor(
    private readonly backend: LogBackend,
    private readonly clock: Clock,
    private readonly opts: LogSinkOptions,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  start(): void {
    const purge = (): void => {
      void this.purge();
      this.purgeTimer = this.clock.setTimer(this.opts.purgeIntervalMs, purge);
    };
    this.purgeTimer = this.clock.setTimer(this.opts.purgeIntervalMs, purge);
  }

  /** Queues an invocation's log; it is formatted and stored with the next batch. */
  write(functionName: string, ts: number, log: InvocationLog): void {
    this.buffer.push({ function: functionName, ts, log });
    if (this.buffer.length >= this.opts.maxBatch) void this.flush();
    else this.flushTimer ??= this.clock.setTimer(this.opts.flushIntervalMs, () => void this.flush());
  }

  /** Writes everything buffered; resolves when it is stored. */
  flush(): Promise<void> {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    const pending = this.buffer;
    this.buffer = [];
    if (pending.length > 0) {
      const batch: LogRecord[] = pending.map((p) => toLogRecord(p.function, p.ts, p.log));
      this.writing = this.writing.then(() =>
        this.backend.append(batch).catch((e: unknown) => {
          this.failures++;
          this.onError(e);
        }),
      );
    }
    return this.writing;
  }

  async query(q: LogQuery): Promise<StoredLogRecord[]> {
    await this.flush();
    return this.backend.query(q);
  }

  async purge(): Promise<number> {
    return this.backend.purgeBefore(this.clock.now() - this.opts.retentionDays * 86_400_000);
  }

  async deleteFunction(name: string): Promise<void> {
    await this.flush();
    await this.backend.deleteFunction(name);
  }

  /** Batches that could not be written. */
  get failedBatches(): number {
    return this.failures;
  }

  async close(): Promise<void> {
    this.purgeTimer?.cancel();
    await this.flush();
  }
}
