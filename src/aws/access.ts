/**
 * What every AWS wire adapter shares for authorization: the scope its ARNs are built in, and the
 * `Authorize` step each router runs right after SigV4 verification and before the operation.
 * Each service's own `access.ts` maps an operation and its parsed input to the actions and ARNs
 * AWS checks; this module adds the keys of the HTTP request itself and asks the `Authorizer`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import type { IncomingMessage } from 'node:http';
import type { AccessRequest, Authorizer } from '../governance/authorizer.ts';
import type { RequestContext } from '../governance/policy/index.ts';

/** The region and account that Baton's ARNs carry (`BATON_REGION`, `BATON_ACCOUNT_ID`). */
export interface ArnScope {
  region: string;
  account: string;
}

/**
 * Decides one call: throws `AccessDenied` unless the signer may make every one of `requests`.
 * `region` is the SigV4 scope's (`aws:RequestedRegion`).
 */
export type Authorize = (
  accessKeyId: string,
  requests: readonly AccessRequest[],
  req: IncomingMessage,
  region: string,
) => void;

/**
 * The global condition keys of an HTTP request: `aws:SourceIp` (the peer's address; IPv4-mapped
 * IPv6 is tested as IPv4 by the engine), `aws:RequestedRegion`, and `aws:SecureTransport`
 * (`false`: the control port speaks plain HTTP; TLS in front of it is invisible to Baton).
 * `aws:CurrentTime` and `aws:EpochTime` come from the clock, in the engine.
 */
export function requestKeys(req: IncomingMessage, region: string): RequestContext {
  return {
    'aws:SourceIp': req.socket.remoteAddress ?? '',
    'aws:RequestedRegion': region,
    'aws:SecureTransport': 'false',
  };
}

/** The `Authorize` step over an `Authorizer`. */
export function authorizeWith(authorizer: Pick<Authorizer, 'checkAll'>): Authorize {
  return (accessKeyId, requests, req, region) =>
    authorizer.checkAll(accessKeyId, requests, requestKeys(req, region));
}

/** One request, as most operations make. */
export const one = (action: string, resource: string, context?: RequestContext): AccessRequest[] => [
  context ? { action, resource, context } : { action, resource },
];

/**
 * The service principals Baton's operations hand roles to, as `iam:PassedToService` names them:
 * Lambda (a function's role), EventBridge Scheduler (a schedule target's role) and EventBridge (a
 * rule target's role).
 */
export const PASSED_TO = {
  lambda: 'lambda.amazonaws.com',
  scheduler: 'scheduler.amazonaws.com',
  events: 'events.amazonaws.com',
} as const;

/** An IAM role's ARN (path and all) by name, if Baton's IAM has the role. */
export type RoleArnLookup = (name: string) => string | undefined;

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * `iam:PassRole` on each role a call hands to `service`, with `iam:PassedToService`, as AWS asks
 * of the caller beside the operation's own action (CreateFunction's `Role`, a schedule's or rule
 * target's `RoleArn`). The resource is the role's ARN as given; a bare name (Baton's manifests and
 * `Role` take one) becomes the ARN of the IAM role of that name, or `role/NAME` when there is none.
 * PassRole does not need the role to exist: a placeholder ARN is checked like any other. A value
 * that is no role name or ARN asks nothing: the operation rejects it with its own error after.
 * Distinct roles only, in the order given.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 * Guarded by `test/governance/pass-role.test.ts`.
 */
export function passRole(
  roles: readonly unknown[],
  service: string,
  account: string,
  roleArn?: RoleArnLookup,
): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const role of roles) {
    if (typeof role !== 'string') continue;
    let resource: string;
    if (ROLE_ARN.test(role)) resource = role;
    else if (ROLE_NAME.test(role)) resource = roleArn?.(role) ?? `arn:aws:iam::${account}:role/${role}`;
    else continue;
    if (out.some((r) => r.resource === resource)) continue;
    out.push({ action: 'iam:PassRole', resource, context: { 'iam:PassedToService': service } });
  }
  return out;
}

/** A string member of a parsed input, or undefined. */
export function member(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Attaches each request's resource policy (a queue's or topic's `Policy` attribute, a function's
 * policy), as the service stores it, so that the authorizer weighs it beside the caller's
 * identity policies. `policyOf` answers undefined for a resource without one, or one that does
 * not exist (the operation fails on its own after). Requests on `*` have no resource to ask.
 */
export async function withResourcePolicies(
  requests: AccessRequest[],
  policyOf: (resource: string) => string | undefined | Promise<string | undefined>,
): Promise<AccessRequest[]> {
  for (const r of requests) {
    if (r.resource === '*' || r.resourcePolicy !== undefined) continue;
    const policy = await policyOf(r.resource);
    if (policy) r.resourcePolicy = policy;
  }
  return requests;
}
