import type { FunctionRecord } from '../../core/function-spec.ts';
import type { RegistryBackend } from '../../registry/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';

export function sqliteRegistry(db: SqliteDatabase): RegistryBackend {
  const get = db.prepare<[string], { record: string }>('SELECT record FROM functions WHERE name = ?');
  const list = db.prepare<[], { record: string }>('SELECT record FROM functions ORDER BY name');
  const put = db.prepare<[string, string]>(
    'INSERT INTO functions (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record',
  );
  const del = db.prepare<[string]>('DELETE FROM functions WHERE name = ?');
  return {
    async getFunction(name) {
      const row = guard('get function', () => get.get(name));
      return row ? (JSON.parse(row.record) as FunctionRecord) : undefined;
    },
    async listFunctions() {
      return guard('list functions', () => list.all()).map((r) => JSON.parse(r.record) as FunctionRecord);
    },
    async putFunction(record) {
      guard('put function', () => put.run(record.name, JSON.stringify(record)));
    },
    async deleteFunction(name) {
      return guard('delete function', () => del.run(name)).changes > 0;
    },
  };
}
