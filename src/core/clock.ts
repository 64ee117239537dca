/**
 * Time, injected. Logic that decides (timeouts, scaling, reaping, retention) takes a `Clock`
 * instead of calling `Date.now()` or `setTimeout`, so tests drive it with `ManualClock`.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;
  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.live = false;
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.current = Math.max(this.current, next.at);
      next.live = false;
      next.fn();
    }
    this.current = end;
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

/**
 * `call`'s result, or `'timeout'` when `ms` pass on `clock` first (the call is not stopped; its
 * later result or error is dropped). The gateway's integration timeout and Lambda authorizers.
 */
export function withTimeout<T>(clock: Clock, ms: number, call: Promise<T>): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimer(ms, () => resolve('timeout'));
    call.then(
      (r) => {
        timer.cancel();
        resolve(r);
      },
      (e: unknown) => {
        timer.cancel();
        reject(e);
      },
    );
  });
}
