import type { LogBackend, LogQuery, StoredLogRecord } from '../../telemetry/logs/backend.ts';

const matches = (r: StoredLogRecord, q: LogQuery): boolean =>
  r.function === q.function &&
  (q.afterId === undefined || r.id > q.afterId) &&
  (q.since === undefined || r.ts >= q.since) &&
  (q.until === undefined || r.ts <= q.until) &&
  (q.requestId === undefined || r.requestId === q.requestId) &&
  (q.contains ?? []).every((term) => r.message.includes(term));

export function memoryLogs(): LogBackend {
  let records: StoredLogRecord[] = [];
  let nextId = 1;
  return {
    async append(batch) {
      for (const r of batch) records.push({ ...r, id: nextId++ });
    },
    async query(q) {
      const limit = q.limit ?? 1000;
      const out: StoredLogRecord[] = [];
      for (const r of records) {
        if (out.length >= limit) break;
        if (matches(r, q)) out.push(r);
      }
      return out;
    },
    async purgeBefore(ts, scope) {
      const before = records.length;
      const covered = (fn: string) =>
        scope === undefined || ('only' in scope ? fn === scope.only : !scope.except.includes(fn));
      records = records.filter((r) => r.ts >= ts || !covered(r.function));
      return before - records.length;
    },
    async deleteFunction(name) {
      records = records.filter((r) => r.function !== name);
    },
  };
}
