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
  // Keys are `function:qualifier`; function names cannot hold a colon, so the prefix is exact.
  const delUnder = db.prepare<[{ name: string }]>(
    "DELETE FROM function_resources WHERE substr(key, 1, length(@name) + 1) = @name || ':'",
  );
  const listRes = db.prepare<[string], { key: string; record: string }>(
    'SELECT key, record FROM function_resources WHERE kind = ? ORDER BY key',
  );
  const putRes = db.prepare<[string, string, string]>(
    'INSERT INTO function_resources (kind, key, record) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET record = excluded.record',
  );
  const delRes = db.prepare<[string, string]>('DELETE FROM function_resources WHERE kind = ? AND key = ?');
  const deleteFunction = db.transaction((name: string) => {
    delUnder.run({ name });
    return del.run(name).changes > 0;
  });
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
      return guard('delete function', () => deleteFunction(name));
    },
    async listResources(kind) {
      return guard(`list ${kind}`, () => listRes.all(kind)).map((r) => ({
        key: r.key,
        record: JSON.parse(r.record),
      }));
    },
    async putResource(kind, key, record) {
      guard(`put ${kind}`, () => putRes.run(kind, key, JSON.stringify(record)));
    },
    async deleteResource(kind, key) {
      return guard(`delete ${kind}`, () => delRes.run(kind, key)).changes > 0;
    },
  };
}
