/**
 * Function roles: the credentials each instance gets, and who a request signed with them is.
 *
 * Each instance gets a session of its function's role (`issue`). A request signed with it is made
 * by `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as on Lambda, and its policies are:
 * - the inline policies of the IAM role the function names (`role: NAME` in the manifest, or
 *   Lambda's `Role` ARN), when Baton's IAM has that role;
 * - otherwise (no role, or a role Baton does not have, such as a placeholder ARN), the policy
 *   granting the resources its own app's manifest declares (`app-policy.ts`); a function that no
 *   manifest deployed gets none.
 * The role is looked up on every request, so creating or deleting the IAM role, or changing its
 * policies, applies at once; changing a function's role changes its revision, so its instances
 * are replaced with sessions of the new one.
 * Guarded by `test/governance/function-roles.test.ts`.
 */
import { createHash } from 'node:crypto';
import type { SessionSecret } from '../aws/sigv4.ts';
import { type AppGrants, appPolicyDocument } from './app-policy.ts';
import { type Caller, roleCaller } from './authorizer.ts';
import type { Principal } from './iam/principals.ts';
import type { Role } from './iam/records.ts';
import { roleArn } from './iam/records.ts';
import {
  refreshAt,
  type Session,
  type SessionCredentials,
  type SessionVendor,
  sessionLifetimeMs,
} from './sessions.ts';

/** What a function session stands for, taken from the function's record when it is issued. */
export interface FunctionSubject {
  /** The function's name: the session name in the principal's ARN. */
  name: string;
  /** The app (manifest) that deployed it; null for one made through the Lambda or admin API. */
  app: string | null;
  /** As configured: an IAM role name or ARN; absent when none. */
  role?: string;
}

/** Credentials for one instance, and when it must stop taking invocations (epoch ms). */
export interface InstanceCredentials extends SessionCredentials {
  refreshAt: number;
}

export interface FunctionRolesDeps {
  accountId: string;
  region: string;
  sessions: SessionVendor<FunctionSubject>;
  /** What an app's manifest declares, and its functions (read once per app until `invalidate`). */
  appGrants(app: string): AppGrants;
}

/** IAM's roles, by name (any case). */
export interface RoleLookup {
  role(name: string): Role | undefined;
}

const DEFAULT_ROLE = 'baton-default';
const NO_POLICIES: readonly string[] = Object.freeze([]);

/**
 * The IAM role name a function's `role` names in Baton's account: the name itself, or the last
 * segment of a role ARN of this account; undefined for none or another account's role.
 */
export function roleNameOf(role: string | undefined, accountId: string): string | undefined {
  if (role === undefined) return undefined;
  if (!role.startsWith('arn:')) return role;
  const m = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(role);
  return m && m[1] === accountId ? m[2] : undefined;
}

export class FunctionRoles {
  /** The caller of each session, with the role it was made for (a new IAM role object: a new caller). */
  readonly #callers = new WeakMap<Session<FunctionSubject>, { role: Role; caller: Caller }>();
  /** Stand-in roles of functions without an IAM role, by app and role name; their app by role. */
  readonly #standIns = new Map<string, Role>();
  readonly #standInApp = new WeakMap<Role, string | null>();
  /** The synthesized policies of each app, until the registry changes. */
  readonly #appPolicies = new Map<string, readonly string[]>();

  constructor(private readonly deps: FunctionRolesDeps) {}

  /** Credentials for a new instance of a function whose invocations last up to `timeoutMs`. */
  issue(subject: FunctionSubject, timeoutMs: number): InstanceCredentials {
    const ttl = this.deps.sessions.ttlMs;
    const s = this.deps.sessions.issue(subject, sessionLifetimeMs(ttl, timeoutMs));
    return {
      accessKeyId: s.accessKeyId,
      secretAccessKey: s.secretAccessKey,
      sessionToken: s.sessionToken,
      expiresAt: s.expiresAt,
      refreshAt: refreshAt(s.expiresAt, ttl, timeoutMs),
    };
  }

  /** For SigV4 verification: a session key's secret, token and expiry; undefined for other keys. */
  secretFor(accessKeyId: string): SessionSecret | undefined {
    return accessKeyId.startsWith('ASIA') ? this.deps.sessions.secretFor(accessKeyId) : undefined;
  }

  /** Ends an instance's session (the instance is gone). */
  revoke(accessKeyId: string): void {
    this.deps.sessions.revoke(accessKeyId);
  }

  /**
   * The caller behind a live function session key, or undefined for any other key (and for an
   * expired or revoked session).
   */
  callerOf(accessKeyId: string, iam: RoleLookup): Caller | undefined {
    if (!accessKeyId.startsWith('ASIA')) return undefined;
    const s = this.deps.sessions.active(accessKeyId);
    if (!s) return undefined;
    const name = roleNameOf(s.subject.role, this.deps.accountId);
    const role = (name !== undefined && iam.role(name)) || this.#standIn(s.subject.app, name, s.subject.role);
    const cached = this.#callers.get(s);
    if (cached?.role === role) return cached.caller;
    const caller = roleCaller(this.deps.accountId, { kind: 'role', role }, s.subject.name);
    this.#callers.set(s, { role, caller });
    return caller;
  }

  /**
   * The policies of a stand-in role (a function without an IAM role): its app's synthesized
   * policy, the same array until `invalidate`. Undefined for every other holder.
   */
  policiesOf(holder: Principal): readonly string[] | undefined {
    if (holder.kind !== 'role') return undefined;
    const app = this.#standInApp.get(holder.role);
    if (app === undefined) return undefined;
    if (app === null) return NO_POLICIES;
    let docs = this.#appPolicies.get(app);
    if (!docs) {
      const doc = appPolicyDocument(
        { region: this.deps.region, account: this.deps.accountId },
        this.deps.appGrants(app),
      );
      docs = doc === undefined ? NO_POLICIES : Object.freeze([doc]);
      this.#appPolicies.set(app, docs);
    }
    return docs;
  }

  /** Forgets the synthesized policies: an app's functions or declared resources changed. */
  invalidate(): void {
    this.#appPolicies.clear();
  }

  /** The stand-in for a role Baton's IAM lacks: it carries the role's name and ARN as configured. */
  #standIn(app: string | null, name: string | undefined, configured: string | undefined): Role {
    const roleName = name ?? DEFAULT_ROLE;
    const key = `${app ?? ''}\0${roleName}\0${configured ?? ''}`;
    let role = this.#standIns.get(key);
    if (!role) {
      const digest = createHash('sha256').update(key).digest();
      let id = 'AROA';
      for (let i = 0; i < 17; i++) id += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[digest[i]! % 32];
      role = Object.freeze({
        name: roleName,
        id,
        arn: configured?.startsWith('arn:') ? configured : roleArn(this.deps.accountId, '/', roleName),
        path: '/',
        assumeRolePolicyDocument: '{}',
        maxSessionDuration: 3600,
        createdAt: 0,
      });
      this.#standIns.set(key, role);
      this.#standInApp.set(role, app);
    }
    return role;
  }
}
