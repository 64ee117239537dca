import { type AsyncEvent, type AsyncEventBackend, PARKED } from '../../runtime/async/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';

interface Row {
  id: string;
  function: string;
  qualifier: string;
  payload: string;
  enqueued_at: number;
  due_at: number;
  attempts: number;
  throttles: number;
}

const toEvent = (r: Row): AsyncEvent => ({
  id: r.id,
  function: r.function,
  qualifier: r.qualifier,
  payload: r.payload,
  enqueuedAt: r.enqueued_at,
  dueAt: r.due_at,
  attempts: r.attempts,
  throttles: r.throttles,
});

export function sqliteAsyncEvents(db: SqliteDatabase): AsyncEventBackend {
  const add = db.prepare<[string, string, string, string, number, number, number, number]>(
    `INSERT INTO async_events (id, function, qualifier, payload, enqueued_at, due_at, attempts, throttles)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const claim = db.prepare<[{ lease: number; now: number; limit: number }], Row>(
    `UPDATE async_events SET due_at = @lease, leased = 1
     WHERE id IN (SELECT id FROM async_events WHERE due_at <= @now ORDER BY due_at LIMIT @limit)
     RETURNING *`,
  );
  const reschedule = db.prepare<[number, number, number, string]>(
    'UPDATE async_events SET due_at = ?, attempts = ?, throttles = ?, leased = 0 WHERE id = ?',
  );
  const release = db.prepare<[number]>('UPDATE async_events SET due_at = ?, leased = 0 WHERE leased = 1');
  const remove = db.prepare<[string]>('DELETE FROM async_events WHERE id = ?');
  const next = db.prepare<[number], { due: number | null }>(
    'SELECT min(due_at) AS due FROM async_events WHERE due_at < ?',
  );
  const counts = db.prepare<[{ parked: number }], { pending: number; parked: number }>(
    `SELECT count(*) FILTER (WHERE due_at < @parked) AS pending, count(*) FILTER (WHERE due_at >= @parked) AS parked
     FROM async_events`,
  );
  return {
    async add(e) {
      guard('enqueue async event', () =>
        add.run(e.id, e.function, e.qualifier, e.payload, e.enqueuedAt, e.dueAt, e.attempts, e.throttles),
      );
    },
    async claim(now, limit, leaseUntil) {
      const rows = guard('claim async events', () => claim.all({ lease: leaseUntil, now, limit }));
      // RETURNING has no order: restore the queue's.
      return rows.map(toEvent).sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },
    async releaseLeases(now) {
      return guard('release async leases', () => release.run(now)).changes;
    },
    async reschedule(id, dueAt, attempts, throttles) {
      guard('reschedule async event', () => reschedule.run(dueAt, attempts, throttles, id));
    },
    async remove(id) {
      guard('remove async event', () => remove.run(id));
    },
    async nextDue() {
      return guard('next async event', () => next.get(PARKED))?.due ?? undefined;
    },
    async counts() {
      return guard('count async events', () => counts.get({ parked: PARKED })!);
    },
  };
}
