import type { KeyLookup } from './variables.ts';

/**
 * Who makes a request, and the request context its policies are evaluated against. Pure.
 *
 * The context holds the keys the caller knows (`aws:SourceArn`, `aws:SourceIp`,
 * `aws:SecureTransport`, `aws:RequestedRegion`, service keys such as `sqs:…`); the keys that
 * describe the principal are derived from it here, so that a caller cannot get them wrong:
 *
 * | key                   | root (Account)          | IAM user        | role session (AssumedRole)   | service |
 * |-----------------------|-------------------------|-----------------|------------------------------|---------|
 * | `aws:PrincipalArn`    | `arn:aws:iam::<a>:root` | the user's ARN  | the role's ARN (not session) | absent  |
 * | `aws:PrincipalType`   | `Account`               | `User`          | `AssumedRole`                | absent  |
 * | `aws:username`        | absent                  | the user's name | absent                       | absent  |
 * | `aws:userid`          | the account id          | `userId`        | `userId` (`role-id:session`) | absent  |
 * | `aws:PrincipalAccount`| the account             | the account     | the account                  | absent  |
 *
 * plus `aws:PrincipalIsAWSService` and `aws:PrincipalServiceName`. `aws:CurrentTime` and
 * `aws:EpochTime` come from the request's `now` when the context does not carry them.
 * Keys are case-insensitive.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */

/** A context value: arrays are multivalued keys (`aws:TagKeys`), tested with ForAllValues/ForAnyValue. */
export type ContextValue = string | number | boolean | readonly string[];

/** The caller-supplied request context, keyed by condition key in any case. */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

export type PrincipalType = 'Account' | 'User' | 'AssumedRole' | 'Service';

export interface RequestPrincipal {
  readonly type: PrincipalType;
  /**
   * `arn:aws:iam::<account>:root`, `arn:aws:iam::<account>:user/<path/><name>`,
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`, or for a service its principal
   * name (`sns.amazonaws.com`).
   */
  readonly arn: string;
  /** The account; for a service, the account it acts for (the owner of the topic that delivers). */
  readonly account?: string;
  /** `aws:userid`: the user's unique id (`AIDA…`), or `role-id:session-name` for a role session. */
  readonly userId?: string;
  /** A role session's role ARN, with its path; derived from `arn` (without a path) when absent. */
  readonly roleArn?: string;
}

export const rootPrincipal = (account: string): RequestPrincipal => ({
  type: 'Account',
  arn: `arn:aws:iam::${account}:root`,
  account,
});

/** An IAM user; `name` may carry the user's path (`division/alice`), as its ARN does. */
export const userPrincipal = (account: string, name: string, userId?: string): RequestPrincipal => ({
  type: 'User',
  arn: `arn:aws:iam::${account}:user/${name}`,
  account,
  ...(userId === undefined ? {} : { userId }),
});

/** A session of a role, as a function's credentials are. */
export const roleSessionPrincipal = (
  account: string,
  role: string,
  session: string,
  roleId?: string,
): RequestPrincipal => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
  account,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
  ...(roleId === undefined ? {} : { userId: `${roleId}:${session}` }),
});

/** An AWS service acting for an account: SNS delivering to a queue, EventBridge invoking a function. */
export const servicePrincipal = (service: string, account?: string): RequestPrincipal => ({
  type: 'Service',
  arn: service,
  ...(account === undefined ? {} : { account }),
});

/** The IAM ARN that names the principal in policies: a session's role, a user, the root. */
export function principalArn(p: RequestPrincipal): string | undefined {
  if (p.type === 'Service') return undefined;
  if (p.type !== 'AssumedRole') return p.arn;
  if (p.roleArn !== undefined) return p.roleArn;
  // arn:aws:sts::<account>:assumed-role/<role>/<session> → arn:aws:iam::<account>:role/<role>
  const m = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\//.exec(p.arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

function derivedKey(key: string, p: RequestPrincipal): ContextValue | undefined {
  switch (key) {
    case 'aws:principalarn':
      return principalArn(p);
    case 'aws:principaltype':
      return p.type === 'Service' ? undefined : p.type;
    case 'aws:username':
      return p.type === 'User' ? p.arn.slice(p.arn.lastIndexOf('/') + 1) : undefined;
    case 'aws:userid':
      return p.userId ?? (p.type === 'Account' ? p.account : undefined);
    case 'aws:principalaccount':
      return p.type === 'Service' ? undefined : p.account;
    case 'aws:principalisawsservice':
      return p.type === 'Service' ? 'true' : 'false';
    case 'aws:principalservicename':
      return p.type === 'Service' ? p.arn : undefined;
    default:
      return undefined;
  }
}

const DERIVED = new Set([
  'aws:principalarn',
  'aws:principaltype',
  'aws:username',
  'aws:userid',
  'aws:principalaccount',
  'aws:principalisawsservice',
  'aws:principalservicename',
]);

/**
 * Key lookups for one request. Built per evaluation; the lower-cased copy of the context is made
 * only when a key is missing under the spelling the policy uses.
 */
export class RequestKeys implements KeyLookup {
  private lowered: Map<string, ContextValue> | undefined;

  constructor(
    private readonly principal: RequestPrincipal,
    private readonly context: RequestContext | undefined,
    private readonly now: number | undefined,
  ) {}

  /**
   * The value of a lower-cased key, or `undefined` when the request does not carry it. Callers
   * nearly always spell keys as AWS does, so the key as the policy wrote it (`asWritten`) is
   * tried first; only a miss pays for the lower-cased copy of the context.
   */
  lookup(key: string, asWritten?: string): ContextValue | undefined {
    if (DERIVED.has(key)) return derivedKey(key, this.principal);
    if (asWritten !== undefined && this.context !== undefined) {
      const v = this.context[asWritten];
      if (v !== undefined && v !== null) return v;
    }
    if (this.lowered === undefined) this.lowered = lower(this.context);
    const v = this.lowered.get(key);
    if (v !== undefined || this.now === undefined) return v;
    if (key === 'aws:currenttime') return new Date(this.now).toISOString();
    if (key === 'aws:epochtime') return Math.floor(this.now / 1000);
    return undefined;
  }
}

function lower(context: RequestContext | undefined): Map<string, ContextValue> {
  const m = new Map<string, ContextValue>();
  if (context === undefined) return m;
  for (const k of Object.keys(context)) {
    const v = context[k];
    if (v !== undefined && v !== null) m.set(k.toLowerCase(), v);
  }
  return m;
}
