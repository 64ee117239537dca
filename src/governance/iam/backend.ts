import type { InlinePolicy, PolicyHolder, Role, User } from './records.ts';

/**
 * Where IAM users, roles and their inline policies are kept. Access keys live in the access-key
 * store (`governance/access-keys.ts`), which SigV4 verification reads.
 *
 * Names (of users, roles, and policies within their holder) are matched regardless of case: a
 * second insert that differs only in case is refused. Lists come in name order, ignoring case.
 * Implementations: `backends/sqlite/iam.ts`, `backends/memory/iam.ts`; both pass
 * `test/contract/iam.contract.ts`.
 */
export interface IamBackend {
  listUsers(): Promise<User[]>;
  /** False when a user of that name exists already. */
  insertUser(user: User): Promise<boolean>;
  /** Deletes the user and its inline policies; false when there was none. */
  deleteUser(name: string): Promise<boolean>;

  listRoles(): Promise<Role[]>;
  /** False when a role of that name exists already. */
  insertRole(role: Role): Promise<boolean>;
  /** Replaces the role's record; false when there is none. */
  updateRole(role: Role): Promise<boolean>;
  /** Deletes the role and its inline policies; false when there was none. */
  deleteRole(name: string): Promise<boolean>;

  /** Every inline policy, ordered by holder kind, holder name and policy name. */
  listPolicies(): Promise<InlinePolicy[]>;
  /** Adds the policy, or replaces the document of the holder's policy of that name. */
  putPolicy(policy: InlinePolicy): Promise<void>;
  /** False when the holder has no policy of that name. */
  deletePolicy(holder: PolicyHolder, holderName: string, name: string): Promise<boolean>;
}
