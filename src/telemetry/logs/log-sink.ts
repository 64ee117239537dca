import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { LogBackend, LogRecord } from './backend.ts';
import { filterLogs, type LogFilter, type LogPage } from './filter-logs.ts';
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
  /** Days a record is kept, unless its function says otherwise (`retentionOverrides`). */
  retentionDays: number;
  /** Functions with their own retention (their `logRetentionDays`), read at each purge. */
  retentionOverrides?: () => ReadonlyMap<string, number>;
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
      this.purge().catch(this.onError);
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

  /** A FilterLogEvents-style page of a function's logs, including what is still buffered. */
  async filter(f: LogFilter): Promise<LogPage> {
    await this.flush();
    return filterLogs(this.backend, f);
  }

  /**
   * Drops records past their retention: each function with its own period gets one pass, and
   * every other function shares one pass at the default.
   */
  async purge(): Promise<number> {
    const now = this.clock.now();
    const cutoff = (days: number) => now - days * 86_400_000;
    const overrides = this.opts.retentionOverrides?.() ?? new Map<string, number>();
    let purged = await this.backend.purgeBefore(
      cutoff(this.opts.retentionDays),
      overrides.size > 0 ? { except: [...overrides.keys()] } : undefined,
    );
    for (const [fn, days] of overrides) purged += await this.backend.purgeBefore(cutoff(days), { only: fn });
    return purged;
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

/** The functions that set their own `logRetentionDays`, for `LogSinkOptions.retentionOverrides`. */
export function retentionOverrides(
  functions: readonly { name: string; logRetentionDays?: number }[],
): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const f of functions) if (f.logRetentionDays !== undefined) out.set(f.name, f.logRetentionDays);
  return out;
}
