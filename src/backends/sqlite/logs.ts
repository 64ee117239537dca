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
  const insertSql = (rows: number) =>
    `INSERT INTO function_logs (function, ts, request_id, message) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')}`;
  const insertOne = db.prepare(insertSql(1));
  // Batches go in as multi-row statements: one statement step per CHUNK records.
  const CHUNK = 64;
  const insertChunk = db.prepare(insertSql(CHUNK));
  const appendAll = db.transaction((records: Parameters<LogBackend['append']>[0]) => {
    let i = 0;
    const args: (string | number | null)[] = [];
    for (; i + CHUNK <= records.length; i += CHUNK) {
      args.length = 0;
      for (let j = i; j < i + CHUNK; j++) {
        const r = records[j]!;
        args.push(r.function, r.ts, r.requestId, r.message);
      }
      insertChunk.run(args);
    }
    for (; i < records.length; i++) {
      const r = records[i]!;
      insertOne.run(r.function, r.ts, r.requestId, r.message);
    }
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
