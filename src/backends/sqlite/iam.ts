import type { IamBackend } from '../../governance/iam/backend.ts';
import { type InlinePolicy, nameKey, type Role, type User } from '../../governance/iam/records.ts';
import { guard, type SqliteDatabase } from './database.ts';

/**
 * IAM users, roles and inline policies in SQLite. Rows are keyed by the lower-cased name, which
 * makes IAM's case-insensitive uniqueness a primary key.
 */
export function sqliteIam(db: SqliteDatabase): IamBackend {
  const listU = db.prepare<[], { record: string }>('SELECT record FROM iam_users ORDER BY name_key');
  const insU = db.prepare<[string, string]>(
    'INSERT INTO iam_users (name_key, record) VALUES (?, ?) ON CONFLICT (name_key) DO NOTHING',
  );
  const delU = db.prepare<[string]>('DELETE FROM iam_users WHERE name_key = ?');
  const listR = db.prepare<[], { record: string }>('SELECT record FROM iam_roles ORDER BY name_key');
  const insR = db.prepare<[string, string]>(
    'INSERT INTO iam_roles (name_key, record) VALUES (?, ?) ON CONFLICT (name_key) DO NOTHING',
  );
  const updR = db.prepare<[string, string]>('UPDATE iam_roles SET record = ? WHERE name_key = ?');
  const delR = db.prepare<[string]>('DELETE FROM iam_roles WHERE name_key = ?');
  const listP = db.prepare<[], { record: string }>(
    'SELECT record FROM iam_inline_policies ORDER BY holder, holder_key, name_key',
  );
  // A put of an existing name (in any case) replaces the document and keeps the stored name.
  const putP = db.prepare<[string, string, string, string, string]>(
    `INSERT INTO iam_inline_policies (holder, holder_key, name_key, record) VALUES (?, ?, ?, ?)
     ON CONFLICT (holder, holder_key, name_key) DO UPDATE SET record = json_set(record, '$.document', ?)`,
  );
  const delP = db.prepare<[string, string, string]>(
    'DELETE FROM iam_inline_policies WHERE holder = ? AND holder_key = ? AND name_key = ?',
  );
  const delPOf = db.prepare<[string, string]>(
    'DELETE FROM iam_inline_policies WHERE holder = ? AND holder_key = ?',
  );
  const parse = <T>(rows: { record: string }[]) => rows.map((r) => JSON.parse(r.record) as T);
  const deleteHolder = db.transaction((holder: 'user' | 'role', key: string) => {
    delPOf.run(holder, key);
    return (holder === 'user' ? delU : delR).run(key).changes > 0;
  });

  return {
    async listUsers() {
      return parse<User>(guard('list IAM users', () => listU.all()));
    },
    async insertUser(user) {
      return guard('insert IAM user', () => insU.run(nameKey(user.name), JSON.stringify(user))).changes > 0;
    },
    async deleteUser(name) {
      return guard('delete IAM user', () => deleteHolder('user', nameKey(name)));
    },
    async listRoles() {
      return parse<Role>(guard('list IAM roles', () => listR.all()));
    },
    async insertRole(role) {
      return guard('insert IAM role', () => insR.run(nameKey(role.name), JSON.stringify(role))).changes > 0;
    },
    async updateRole(role) {
      return guard('update IAM role', () => updR.run(JSON.stringify(role), nameKey(role.name))).changes > 0;
    },
    async deleteRole(name) {
      return guard('delete IAM role', () => deleteHolder('role', nameKey(name)));
    },
    async listPolicies() {
      return parse<InlinePolicy>(guard('list IAM inline policies', () => listP.all()));
    },
    async putPolicy(p) {
      guard('put IAM inline policy', () =>
        putP.run(p.holder, nameKey(p.holderName), nameKey(p.name), JSON.stringify(p), p.document),
      );
    },
    async deletePolicy(holder, holderName, name) {
      return (
        guard('delete IAM inline policy', () => delP.run(holder, nameKey(holderName), nameKey(name)))
          .changes > 0
      );
    },
  };
}
