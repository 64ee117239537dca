import type Database from 'better-sqlite3';
import type { LogBackend, LogQuery, StoredLogRecord } from '../../telemetry/logs/backend.ts';
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
  // One statement per query shape (which conditions are present, how many terms).
  const selects = new Map<string, Database.Statement<(string | number)[], Row>>();
  const select = (q: LogQuery): Row[] => {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const and = (condition: string, arg: string | number | undefined): void => {
      if (arg === undefined) return;
      where.push(condition);
      args.push(arg);
    };
    and('function = ?', q.function);
    and('id > ?', q.afterId);
    and('ts >= ?', q.since);
    and('ts <= ?', q.until);
    and('request_id = ?', q.requestId);
    // instr() is case-sensitive, as filter pattern terms are (LIKE is not).
    for (const term of q.contains ?? []) and('instr(message, ?) > 0', term);
    const sql = `SELECT * FROM function_logs WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`;
    let stmt = selects.get(sql);
    if (!stmt) {
      if (selects.size >= 64) selects.clear();
      stmt = db.prepare<(string | number)[], Row>(sql);
      selects.set(sql, stmt);
    }
    args.push(q.limit ?? 1000);
    return stmt.all(...args);
  };
  const purge = db.prepare<[number]>('DELETE FROM function_logs WHERE ts < ?');
  const purgeOne = db.prepare<[number, string]>('DELETE FROM function_logs WHERE ts < ? AND function = ?');
  const purgeOthers = db.prepare<[number, string]>(
    'DELETE FROM function_logs WHERE ts < ? AND function NOT IN (SELECT value FROM json_each(?))',
  );
  const delFn = db.prepare<[string]>('DELETE FROM function_logs WHERE function = ?');
  return {
    async append(records) {
      guard('append logs', () => appendAll(records));
    },
    async query(q) {
      return guard('query logs', () => select(q)).map(toRecord);
    },
    async purgeBefore(ts, scope) {
      return guard('purge logs', () =>
        scope === undefined
          ? purge.run(ts)
          : 'only' in scope
            ? purgeOne.run(ts, scope.only)
            : purgeOthers.run(ts, JSON.stringify(scope.except)),
      ).changes;
    },
    async deleteFunction(name) {
      guard('delete logs', () => delFn.run(name));
    },
  };
}
