import type { ManualClock } from '../../src/core/clock.ts';

/**
 * Advances the injected clock by `step` ms every few real milliseconds until `p` settles, so that
 * timers on the clock (timeouts, memory checks, queue waits) fire while real processes work.
 */
export async function drive<T>(p: Promise<T>, clock: ManualClock, step: number): Promise<T> {
  let settled = false;
  const tracked = p.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < 2000 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(step);
  }
  return tracked;
}
