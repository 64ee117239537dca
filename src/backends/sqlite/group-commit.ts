import type { SqliteDatabase } from './database.ts';

// The event loop's own setImmediate, taken at load: a test that fakes timers must not stall writes.
const nextTurn = globalThis.setImmediate;

/**
 * Thrown by a grouped write that failed after it had begun writing: the group's transaction is
 * rolled back, and each write of the group runs again in a transaction of its own.
 */
export class PartialWrite {
  constructor(readonly error: unknown) {}
}

/**
 * Group commit: the writes that arrive in one turn of the event loop (concurrent requests) run
 * one after another in one transaction, so they share one commit, the WAL write that costs more
 * than a small write itself. Each write sees the ones before it, and none resolves before the
 * commit. `apply` must throw before writing anything, or else throw a `PartialWrite`; it gets a
 * scratch map that lives as long as the transaction (for reads that cannot change within it).
 * Errors reach each caller through `translate`.
 */
export function groupCommit<I, R>(
  db: SqliteDatabase,
  apply: (input: I, scratch: Map<string, unknown>) => R,
  translate: (e: unknown) => unknown,
): (input: I) => Promise<R> {
  interface Waiter {
    input: I;
    resolve(result: R): void;
    reject(error: unknown): void;
  }
  let waiting: Waiter[] = [];
  const unwrap = (e: unknown) => translate(e instanceof PartialWrite ? e.error : e);

  const alone = db.transaction((input: I) => apply(input, new Map()));
  const together = db.transaction((batch: Waiter[]) => {
    const scratch = new Map<string, unknown>();
    return batch.map((w) => {
      try {
        return { result: apply(w.input, scratch) };
      } catch (e) {
        if (e instanceof PartialWrite) throw e;
        return { error: unwrap(e) };
      }
    });
  });

  const runAlone = (w: Waiter) => {
    try {
      w.resolve(alone(w.input));
    } catch (e) {
      w.reject(unwrap(e));
    }
  };

  const flush = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 1) return runAlone(batch[0]!);
    let outcomes: ReturnType<typeof together>;
    try {
      outcomes = together(batch);
    } catch {
      // A write failed midway, or the commit did: nothing of the group stayed. One by one, each
      // write succeeds or fails on its own.
      for (const w of batch) runAlone(w);
      return;
    }
    for (const [i, o] of outcomes.entries()) {
      if ('error' in o) batch[i]!.reject(o.error);
      else batch[i]!.resolve(o.result);
    }
  };

  return (input) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      if (waiting.length === 1) nextTurn(flush);
    });
}
