import type { Decision } from './evaluate.ts';

/**
 * The message of an access-denied error, in AWS's current shape: "User: <principal> is not
 * authorized to perform: <action> on resource: <resource> because no identity-based policy allows
 * the <action> action" for an implicit deny, "… with an explicit deny in an identity-based policy"
 * (or "a resource-based policy") for an explicit one. The principal is always introduced as
 * "User:", a role session included. Services wrap it in their own error (`AccessDeniedException`,
 * SQS's `AccessDenied`, SNS's `AuthorizationError`) at the edge.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * Guarded by `test/governance/policy/evaluation.test.ts`.
 */

export type DenyReason =
  /** No Allow anywhere (the usual case in one account). */
  | 'ImplicitDeny'
  /** A Deny statement in one of the caller's identity-based policies. */
  | 'IdentityDeny'
  /** A Deny statement in the resource's policy. */
  | 'ResourceDeny'
  /** The resource's policy grants nothing, where only it could (cross-account access). */
  | 'NoResourceAllow';

/** Why a decision denies; throws for an Allow, which has no reason to give. */
export function denyReason(d: Decision): DenyReason {
  if (d.decision === 'ImplicitDeny') return 'ImplicitDeny';
  if (d.decision === 'ExplicitDeny') return d.matched?.kind === 'resource' ? 'ResourceDeny' : 'IdentityDeny';
  throw new TypeError('an Allow decision has no access-denied message');
}

/**
 * @example
 * accessDeniedMessage('arn:aws:iam::000000000000:user/alice', 'sqs:SendMessage',
 *   'arn:aws:sqs:us-east-1:000000000000:q', 'ImplicitDeny')
 * // 'User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sqs:SendMessage on
 * //  resource: arn:aws:sqs:us-east-1:000000000000:q because no identity-based policy allows the
 * //  sqs:SendMessage action'
 */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  reason: DenyReason | Decision,
): string {
  const why = typeof reason === 'string' ? reason : denyReason(reason);
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (why) {
    case 'ImplicitDeny':
      return `${head} because no identity-based policy allows the ${action} action`;
    case 'IdentityDeny':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'ResourceDeny':
      return `${head} with an explicit deny in a resource-based policy`;
    case 'NoResourceAllow':
      return `${head} because no resource-based policy allows the ${action} action`;
  }
}
