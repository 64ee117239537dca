import type { AccessKey, AccessKeyBackend } from '../../governance/access-keys.ts';
import { guard, type SqliteDatabase } from './database.ts';

export function sqliteAccessKeys(db: SqliteDatabase): AccessKeyBackend {
  const list = db.prepare<[], { record: string }>('SELECT record FROM access_keys ORDER BY id');
  const put = db.prepare<[string, string]>(
    'INSERT INTO access_keys (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
  );
  const del = db.prepare<[string]>('DELETE FROM access_keys WHERE id = ?');
  return {
    async list() {
      return guard('list access keys', () => list.all()).map((r) => JSON.parse(r.record) as AccessKey);
    },
    async put(key) {
      guard('put access key', () => put.run(key.accessKeyId, JSON.stringify(key)));
    },
    async delete(id) {
      return guard('delete access key', () => del.run(id)).changes > 0;
    },
  };
}
