import { type AsyncEvent, type AsyncEventBackend, PARKED } from '../../runtime/async/backend.ts';

/** The async queue in process memory: for tests and throwaway runs; lost on exit. */
export function memoryAsyncEvents(): AsyncEventBackend {
  const events = new Map<string, AsyncEvent>();
  const leased = new Set<string>();
  return {
    async add(e) {
      events.set(e.id, { ...e });
    },
    async claim(now, limit, leaseUntil) {
      const due = [...events.values()]
        .filter((e) => e.dueAt <= now)
        .sort((a, b) => a.dueAt - b.dueAt)
        .slice(0, limit);
      for (const e of due) {
        e.dueAt = leaseUntil;
        leased.add(e.id);
      }
      return due.map((e) => ({ ...e })).sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },
    async releaseLeases(now) {
      let n = 0;
      for (const e of events.values())
        if (leased.delete(e.id)) {
          e.dueAt = now;
          n++;
        }
      return n;
    },
    async reschedule(id, dueAt, attempts, throttles) {
      leased.delete(id);
      const e = events.get(id);
      if (e) Object.assign(e, { dueAt, attempts, throttles });
    },
    async remove(id) {
      leased.delete(id);
      events.delete(id);
    },
    async nextDue() {
      let min: number | undefined;
      for (const e of events.values())
        if (e.dueAt < PARKED && (min === undefined || e.dueAt < min)) min = e.dueAt;
      return min;
    },
    async counts() {
      let parked = 0;
      for (const e of events.values()) if (e.dueAt >= PARKED) parked++;
      return { pending: events.size - parked, parked };
    },
  };
}
