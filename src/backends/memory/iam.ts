import type { IamBackend } from '../../governance/iam/backend.ts';
import {
  type InlinePolicy,
  nameKey,
  type PolicyHolder,
  type Role,
  type User,
} from '../../governance/iam/records.ts';

const byKey = <T>(m: Map<string, T>): T[] =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => structuredClone(v));

/** IAM users, roles and inline policies in process memory: for tests and throwaway runs. */
export function memoryIam(): IamBackend {
  const users = new Map<string, User>();
  const roles = new Map<string, Role>();
  /** `holder\0holder key\0policy key` → policy. */
  const policies = new Map<string, InlinePolicy>();
  const pkey = (holder: PolicyHolder, holderName: string, name: string) =>
    `${holder}\0${nameKey(holderName)}\0${nameKey(name)}`;
  const dropPolicies = (holder: PolicyHolder, holderName: string) => {
    const prefix = `${holder}\0${nameKey(holderName)}\0`;
    for (const k of [...policies.keys()]) if (k.startsWith(prefix)) policies.delete(k);
  };

  return {
    async listUsers() {
      return byKey(users);
    },
    async insertUser(user) {
      if (users.has(nameKey(user.name))) return false;
      users.set(nameKey(user.name), structuredClone(user));
      return true;
    },
    async deleteUser(name) {
      dropPolicies('user', name);
      return users.delete(nameKey(name));
    },
    async listRoles() {
      return byKey(roles);
    },
    async insertRole(role) {
      if (roles.has(nameKey(role.name))) return false;
      roles.set(nameKey(role.name), structuredClone(role));
      return true;
    },
    async updateRole(role) {
      if (!roles.has(nameKey(role.name))) return false;
      roles.set(nameKey(role.name), structuredClone(role));
      return true;
    },
    async deleteRole(name) {
      dropPolicies('role', name);
      return roles.delete(nameKey(name));
    },
    async listPolicies() {
      return byKey(policies);
    },
    async putPolicy(p) {
      const k = pkey(p.holder, p.holderName, p.name);
      const existing = policies.get(k);
      policies.set(k, existing ? { ...existing, document: p.document } : structuredClone(p));
    },
    async deletePolicy(holder, holderName, name) {
      return policies.delete(pkey(holder, holderName, name));
    },
  };
}
