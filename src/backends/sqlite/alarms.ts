import type { AlarmBackend, AlarmRecord } from '../../telemetry/alarms/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';

export function sqliteAlarms(db: SqliteDatabase): AlarmBackend {
  const list = db.prepare<[], { record: string }>('SELECT record FROM alarms ORDER BY name');
  const put = db.prepare<[string, string]>(
    'INSERT INTO alarms (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record',
  );
  const del = db.prepare<[string]>('DELETE FROM alarms WHERE name = ?');
  return {
    async list() {
      return guard('list alarms', () => list.all()).map((r) => JSON.parse(r.record) as AlarmRecord);
    },
    async put(record) {
      guard('put alarm', () => put.run(record.spec.name, JSON.stringify(record)));
    },
    async delete(name) {
      return guard('delete alarm', () => del.run(name)).changes > 0;
    },
  };
}
