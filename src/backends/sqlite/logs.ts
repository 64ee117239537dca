import type { LogBackend, StoredLogRecord } from '../../telemetry/logs/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';

interface Row {
  id: number;
  function: string;
  ts: number;
  request_id: string | null;
  message: string;
}

const toRecord = (r: Row): StoredLogRecord => ({
  id: r.id,
  function: r.function,
  ts: r.ts,
  requestId: r.request_id,
  message: r.message,
});

export function sqliteLogs(db: SqliteDatabase): LogBackend {
  const insert = db.prepare<[string, number, string | null, string]>(
    'INSERT INTO function_logs (function, ts, request_id, message) VALUES (?, ?, ?, ?)',
  );
  const appendAll = db.transaction((records: Parameters<LogBackend['append']>[0]) => {
    for (const r of records) insert.run(r.function, r.ts, r.requestId, r.message);
  });
  const after = db.prepare<[string, number, number], Row>(
    'SELECT * FROM function_logs WHERE function = ? AND id > ? ORDER BY id LIMIT ?',
  );
  const newest = db.prepare<[string, number, number], Row>(
    'SELECT * FROM (SELECT * FROM function_logs WHERE function = ? AND ts >= ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  const purge = db.prepare<[number]>('DELETE FROM function_logs WHERE ts < ?');
  const delFn = db.prepare<[string]>('DELETE FROM function_logs WHERE function = ?');
  return {
    async append(records) {
      guard('append logs', () => appendAll(records));
    },
    async query(q) {
      const limit = q.limit ?? 1000;
      if (q.afterId !== undefined) {
        const rows = guard('query logs', () => after.all(q.function, q.afterId!, limit));
        return rows.filter((r) => q.since === undefined || r.ts >= q.since).map(toRecord);
      }
      return guard('query logs', () => newest.all(q.function, q.since ?? 0, limit)).map(toRecord);
    },
    async purgeBefore(ts) {
      return guard('purge logs', () => purge.run(ts)).changes;
    },
    async deleteFunction(name) {
      guard('delete logs', () => delFn.run(name));
    },
  };
}
