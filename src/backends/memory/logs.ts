import type { LogBackend, StoredLogRecord } from '../../telemetry/logs/backend.ts';

export function memoryLogs(): LogBackend {
  let records: StoredLogRecord[] = [];
  let nextId = 1;
  return {
    async append(batch) {
      for (const r of batch) records.push({ ...r, id: nextId++ });
    },
    async query(q) {
      const limit = q.limit ?? 1000;
      const mine = records.filter(
        (r) => r.function === q.function && (q.since === undefined || r.ts >= q.since),
      );
      if (q.afterId !== undefined) return mine.filter((r) => r.id > q.afterId!).slice(0, limit);
      return mine.slice(-limit);
    },
    async purgeBefore(ts) {
      const before = records.length;
      records = records.filter((r) => r.ts >= ts);
      return before - records.length;
    },
    async deleteFunction(name) {
      records = records.filter((r) => r.function !== name);
    },
  };
}
