import type { Clock } from '../../core/clock.ts';
import { type AccessKey, type AccessKeyBackend, AccessKeys } from '../access-keys.ts';
import type { IamBackend } from './backend.ts';
import { IamError, noSuchEntity } from './errors.ts';
import { InlinePolicies } from './inline-policies.ts';
import { checked, type Input, type Page, page } from './input.ts';
import { checkTrustSize, validateTrustPolicy } from './policy-documents.ts';
import type { KeyPrincipal, Principal } from './principals.ts';
import {
  type InlinePolicy,
  nameKey,
  newUniqueId,
  type PolicyHolder,
  type Role,
  roleArn,
  type User,
  userArn,
} from './records.ts';

export interface IamServiceDeps {
  backend: IamBackend;
  /** The access-key store SigV4 verification reads: IAM's keys are kept there. */
  keyBackend: AccessKeyBackend;
  root: { accessKeyId: string; secretAccessKey: string };
  clock: Clock;
  accountId: string;
}

/** A user as GetUser answers it; the root has neither name nor path. */
export type UserView = Pick<User, 'id' | 'arn' | 'createdAt'> & Partial<Pick<User, 'name' | 'path'>>;
/** An access key as ListAccessKeys answers it; the root key has no user name. */
export interface KeyView {
  userName?: string;
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

const ROOT: KeyPrincipal = Object.freeze({ kind: 'root' });
const ROOT_KEY =
  "Baton's root access key comes from BATON_ACCESS_KEY_ID/BATON_SECRET_ACCESS_KEY or credentials.json; IAM cannot create, change or delete it: name a user with UserName";
const sorted = <T extends { name: string }>(m: Map<string, T>): T[] =>
  [...m.values()].sort((a, b) => (nameKey(a.name) < nameKey(b.name) ? -1 : 1));

/**
 * IAM: users, their access keys, roles, and the inline policies of both, with IAM's checks and
 * errors. Reads come from memory (loaded at open); changes go to the backend first, one at a
 * time. `principalOf` and `policiesOf` are the lookups authorization makes on every request.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export class IamService {
  private readonly users = new Map<string, User>();
  private readonly roles = new Map<string, Role>();
  private readonly policies = new InlinePolicies();
  private tail: Promise<unknown> = Promise.resolve();
  /** The root's CreateDate: Baton does not know when its root credentials were made. */
  private readonly startedAt: number;

  private constructor(
    private readonly deps: IamServiceDeps,
    readonly accessKeys: AccessKeys,
  ) {
    this.startedAt = deps.clock.now();
  }

  /**
   * Loads IAM's entities and the access keys. Named keys made before IAM (`baton keys create
   * NAME`) become keys of user NAME, which is made when missing.
   */
  static async open(deps: IamServiceDeps): Promise<IamService> {
    let service: IamService | undefined;
    const keys = await AccessKeys.open(deps.root, deps.keyBackend, deps.clock, {
      ensureUser: (name) => service!.ensureUser(name),
    });
    service = new IamService(deps, keys);
    for (const u of await deps.backend.listUsers()) service.users.set(nameKey(u.name), u);
    for (const r of await deps.backend.listRoles()) service.roles.set(nameKey(r.name), r);
    for (const p of await deps.backend.listPolicies()) service.policies.set(p);
    for (const k of keys.list()) await service.ensureUser(k.name);
    return service;
  }

  // Lookups for authorization: synchronous, from memory.

  /** The principal an access key stands for; undefined for an unknown or inactive key. */
  principalOf(accessKeyId: string): KeyPrincipal | undefined {
    if (this.accessKeys.isRoot(accessKeyId)) return ROOT;
    const key = this.accessKeys.get(accessKeyId);
    if (!key || key.status === 'Inactive') return undefined;
    const user = this.users.get(nameKey(key.name));
    return user && { kind: 'user', user };
  }

  /**
   * The inline policy documents (JSON text) of a user or role; none for the root, whom no
   * policy restricts. The same array comes back until the holder's policies change, so callers
   * may cache what they compile from it by identity (a WeakMap).
   */
  policiesOf(principal: Principal): readonly string[] {
    if (principal.kind === 'root') return [];
    return principal.kind === 'user'
      ? this.policies.documents('user', principal.user.name)
      : this.policies.documents('role', principal.role.name);
  }

  user(name: string): User | undefined {
    return this.users.get(nameKey(name));
  }

  role(name: string): Role | undefined {
    return this.roles.get(nameKey(name));
  }

  // Users.

  async createUser(input: Input): Promise<User> {
    const { UserName, Path } = checked(input, { UserName: ['userName', 'required'], Path: ['path'] });
    return this.serial(() => this.addUser(UserName!, Path ?? '/'));
  }

  /** Makes user `name` unless it exists (in any case); returns its stored name. */
  ensureUser(name: string): Promise<string> {
    return this.serial(async () => this.user(name)?.name ?? (await this.addUser(name, '/')).name);
  }

  /** GetUser: the named user, else the caller (a user, or the root). */
  getUser(input: Input, caller: string): UserView {
    const { UserName } = checked(input, { UserName: ['existingUserName'] });
    if (UserName !== undefined) return this.existingUser(UserName);
    const p = this.principalOf(caller);
    if (p?.kind === 'user') return p.user;
    if (!p) throw noSuchEntity('The user of the access key signing this request cannot be found.');
    const account = this.deps.accountId;
    return { id: account, arn: `arn:aws:iam::${account}:root`, createdAt: this.startedAt };
  }

  async deleteUser(input: Input): Promise<void> {
    const { UserName } = checked(input, { UserName: ['existingUserName', 'required'] });
    await this.serial(async () => {
      const user = this.existingUser(UserName!);
      if (this.accessKeys.forUser(user.name).length > 0)
        throw new IamError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
      if (this.policies.names('user', user.name).length > 0)
        throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      await this.deps.backend.deleteUser(user.name);
      this.users.delete(nameKey(user.name));
    });
  }

  listUsers(input: Input): Page<User> {
    const { PathPrefix } = checked(input, { PathPrefix: ['pathPrefix'] });
    const all = sorted(this.users).filter((u) => u.path.startsWith(PathPrefix ?? '/'));
    return page(all, (u) => nameKey(u.name), input);
  }

  // Access keys: kept in the access-key store, so a new key signs requests at once.

  async createAccessKey(input: Input, caller: string): Promise<AccessKey> {
    const owner = this.keyOwner(input, caller);
    if (!owner) throw new IamError('InvalidInput', ROOT_KEY);
    return this.serial(async () => {
      if (this.accessKeys.forUser(owner.name).length >= 2)
        throw new IamError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
      return this.accessKeys.issue(owner.name);
    });
  }

  async deleteAccessKey(input: Input, caller: string): Promise<void> {
    const { AccessKeyId } = checked(input, { AccessKeyId: ['accessKeyId', 'required'] });
    await this.serial(async () => {
      this.ownedKey(input, caller, AccessKeyId!);
      await this.accessKeys.revoke(AccessKeyId!);
    });
  }

  async updateAccessKey(input: Input, caller: string): Promise<void> {
    const { AccessKeyId, Status } = checked(input, {
      AccessKeyId: ['accessKeyId', 'required'],
      Status: ['status', 'required'],
    });
    if (Status === 'Expired') throw new IamError('InvalidInput', 'An access key cannot be set to Expired');
    await this.serial(async () => {
      this.ownedKey(input, caller, AccessKeyId!);
      await this.accessKeys.setStatus(AccessKeyId!, Status as 'Active' | 'Inactive');
    });
  }

  listAccessKeys(input: Input, caller: string): Page<KeyView> {
    const owner = this.keyOwner(input, caller);
    const keys: KeyView[] = owner
      ? this.accessKeys.forUser(owner.name).map((k) => ({
          userName: owner.name,
          accessKeyId: k.accessKeyId,
          status: k.status ?? 'Active',
          createdAt: k.createdAt,
        }))
      : [{ accessKeyId: this.accessKeys.rootAccessKeyId, status: 'Active', createdAt: this.startedAt }];
    return page(keys, (k) => `${String(k.createdAt).padStart(16, '0')}:${k.accessKeyId}`, input);
  }

  // Roles.

  async createRole(input: Input): Promise<Role> {
    const v = checked(input, {
      RoleName: ['roleName', 'required'],
      AssumeRolePolicyDocument: ['policyDocument', 'required'],
      Path: ['path'],
      Description: ['description'],
      MaxSessionDuration: ['maxSessionDuration'],
    });
    const trust = v.AssumeRolePolicyDocument!;
    validateTrustPolicy(trust);
    checkTrustSize(trust);
    const name = v.RoleName!;
    const path = v.Path ?? '/';
    const role: Role = {
      name,
      id: newUniqueId('AROA'),
      arn: roleArn(this.deps.accountId, path, name),
      path,
      assumeRolePolicyDocument: trust,
      ...(v.Description === undefined ? {} : { description: v.Description }),
      maxSessionDuration: v.MaxSessionDuration === undefined ? 3600 : Number(v.MaxSessionDuration),
      createdAt: this.deps.clock.now(),
    };
    return this.serial(async () => {
      if (this.roles.has(nameKey(name)) || !(await this.deps.backend.insertRole(role)))
        throw new IamError('EntityAlreadyExists', `Role with name ${name} already exists.`);
      this.roles.set(nameKey(name), role);
      return role;
    });
  }

  getRole(input: Input): Role {
    const { RoleName } = checked(input, { RoleName: ['roleName', 'required'] });
    return this.existingRole(RoleName!);
  }

  async deleteRole(input: Input): Promise<void> {
    const { RoleName } = checked(input, { RoleName: ['roleName', 'required'] });
    await this.serial(async () => {
      const role = this.existingRole(RoleName!);
      if (this.policies.names('role', role.name).length > 0)
        throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      await this.deps.backend.deleteRole(role.name);
      this.roles.delete(nameKey(role.name));
    });
  }

  listRoles(input: Input): Page<Role> {
    const { PathPrefix } = checked(input, { PathPrefix: ['pathPrefix'] });
    const all = sorted(this.roles).filter((r) => r.path.startsWith(PathPrefix ?? '/'));
    return page(all, (r) => nameKey(r.name), input);
  }

  async updateAssumeRolePolicy(input: Input): Promise<void> {
    const { RoleName, PolicyDocument } = checked(input, {
      RoleName: ['roleName', 'required'],
      PolicyDocument: ['policyDocument', 'required'],
    });
    this.existingRole(RoleName!);
    validateTrustPolicy(PolicyDocument!);
    checkTrustSize(PolicyDocument!);
    await this.serial(async () => {
      const updated = { ...this.existingRole(RoleName!), assumeRolePolicyDocument: PolicyDocument! };
      if (!(await this.deps.backend.updateRole(updated))) throw this.noRole(RoleName!);
      this.roles.set(nameKey(updated.name), updated);
    });
  }

  // Inline policies (PutUserPolicy, PutRolePolicy …): `holder` says whose.

  async putPolicy(holder: PolicyHolder, input: Input): Promise<void> {
    const owner = this.holderName(holder, input);
    await this.serial(async () => {
      const policy = this.policies.check(holder, this.existingHolder(holder, owner), input);
      await this.deps.backend.putPolicy(policy);
      this.policies.set(policy);
    });
  }

  getPolicy(holder: PolicyHolder, input: Input): InlinePolicy {
    const owner = this.existingHolder(holder, this.holderName(holder, input));
    return this.policies.existing(holder, owner, input);
  }

  async deletePolicy(holder: PolicyHolder, input: Input): Promise<void> {
    const owner = this.holderName(holder, input);
    await this.serial(async () => {
      const p = this.policies.existing(holder, this.existingHolder(holder, owner), input);
      await this.deps.backend.deletePolicy(holder, p.holderName, p.name);
      this.policies.delete(holder, p.holderName, p.name);
    });
  }

  listPolicyNames(holder: PolicyHolder, input: Input): Page<string> {
    const owner = this.existingHolder(holder, this.holderName(holder, input));
    return page(this.policies.names(holder, owner), nameKey, input);
  }

  // Internals.

  /** Runs changes one at a time, so that a check and the change it allows see the same state. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async addUser(name: string, path: string): Promise<User> {
    const user: User = {
      name,
      id: newUniqueId('AIDA'),
      arn: userArn(this.deps.accountId, path, name),
      path,
      createdAt: this.deps.clock.now(),
    };
    if (this.users.has(nameKey(name)) || !(await this.deps.backend.insertUser(user)))
      throw new IamError('EntityAlreadyExists', `User with name ${name} already exists.`);
    this.users.set(nameKey(name), user);
    return user;
  }

  private existingUser(name: string): User {
    const user = this.users.get(nameKey(name));
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return user;
  }

  private noRole = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);

  private existingRole(name: string): Role {
    const role = this.roles.get(nameKey(name));
    if (!role) throw this.noRole(name);
    return role;
  }

  private holderName(holder: PolicyHolder, input: Input): string {
    return holder === 'user'
      ? checked(input, { UserName: ['existingUserName', 'required'] }).UserName!
      : checked(input, { RoleName: ['roleName', 'required'] }).RoleName!;
  }

  /** The holder's name as stored. */
  private existingHolder(holder: PolicyHolder, name: string): string {
    return holder === 'user' ? this.existingUser(name).name : this.existingRole(name).name;
  }

  /** The user a key operation acts on: `UserName`, else the caller; undefined for the root. */
  private keyOwner(input: Input, caller: string): User | undefined {
    const { UserName } = checked(input, { UserName: ['existingUserName'] });
    if (UserName !== undefined) return this.existingUser(UserName);
    const p = this.principalOf(caller);
    return p?.kind === 'user' ? p.user : undefined;
  }

  /** Checks that the key exists and belongs to the operation's user. */
  private ownedKey(input: Input, caller: string, accessKeyId: string): void {
    const owner = this.keyOwner(input, caller);
    if (!owner && this.accessKeys.isRoot(accessKeyId)) throw new IamError('InvalidInput', ROOT_KEY);
    const key = this.accessKeys.get(accessKeyId);
    if (!key || !owner || nameKey(key.name) !== nameKey(owner.name))
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found`);
  }
}
