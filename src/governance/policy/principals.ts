import { principalArn, type RequestPrincipal } from './caller.ts';
import { MalformedPolicy, malformed } from './errors.ts';

/**
 * The Principal and NotPrincipal elements of resource-based policies (queue, topic and function
 * policies). Pure.
 *
 * - `"*"` and `{"AWS": "*"}`: everyone.
 * - `{"AWS": "<12-digit account>"}` or `arn:aws:iam::<account>:root`: the account. This
 *   *delegates* to the account rather than granting its users: an Allow reaches the root user,
 *   and an AWS service acting for that account (the SNS-to-SQS queue policy in AWS's ArnEquals
 *   example), but an IAM user or role of the account still needs an identity-based Allow. A Deny
 *   naming the account binds every principal in it.
 * - A user, role, or role-session ARN: that principal; a role ARN covers the role's sessions.
 * - `{"Service": "sqs.amazonaws.com"}`: that service (case-insensitive).
 * - `Federated` and `CanonicalUser` are accepted and match nobody here.
 * - Wildcards inside a value are refused: "You cannot use a wildcard to match part of a principal".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (resource-based policies, same account)
 */

/** `'*'`, or principal type → values, as parsed from the document. */
export type PrincipalSpec = '*' | Readonly<Record<string, readonly string[]>>;

/**
 * How a statement's principal element relates to the caller: `direct` grants to the caller
 * itself; `account` names the caller's account only (binding for a Deny, delegation for an Allow).
 */
export type PrincipalMatch = 'direct' | 'account' | false;

export type PrincipalTest = (caller: RequestPrincipal) => PrincipalMatch;

const TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:[^:]+:(iam|sts)::\d{12}:.+$/;

/** Checks the element's types and values; throws `MalformedPolicyDocument`. */
export function validatePrincipal(spec: PrincipalSpec): void {
  if (spec === '*') return;
  for (const [type, values] of Object.entries(spec)) {
    if (!TYPES.has(type)) malformed(MalformedPolicy.principal(type, values[0] ?? ''));
    for (const v of values) {
      if (v === '*' && (type === 'AWS' || type === 'Federated')) continue;
      if (v.includes('*') || v.includes('?') || v === '') malformed(MalformedPolicy.principal(type, v));
      if (type === 'AWS' && !ACCOUNT_ID.test(v) && !IAM_ARN.test(v))
        malformed(MalformedPolicy.principal(type, v));
    }
  }
}

/** Compiles a Principal (or NotPrincipal) element. */
export function compilePrincipal(spec: PrincipalSpec): PrincipalTest {
  if (spec === '*' || spec.AWS?.includes('*')) return () => 'direct';
  const accounts = new Set<string>();
  const arns = new Set<string>();
  for (const v of spec.AWS ?? []) {
    const root = ROOT_ARN.exec(v);
    if (ACCOUNT_ID.test(v)) accounts.add(v);
    else if (root) accounts.add(root[1]!);
    else arns.add(v);
  }
  const services = new Set((spec.Service ?? []).map((s) => s.toLowerCase()));
  return (caller) => {
    if (caller.type === 'Service') {
      if (services.has(caller.arn.toLowerCase())) return 'direct';
      return caller.account !== undefined && accounts.has(caller.account) ? 'direct' : false;
    }
    if (arns.size > 0) {
      if (arns.has(caller.arn)) return 'direct';
      if (caller.type === 'AssumedRole') {
        const role = principalArn(caller);
        if (role !== undefined && arns.has(role)) return 'direct';
      }
    }
    if (caller.account === undefined || !accounts.has(caller.account)) return false;
    return caller.type === 'Account' ? 'direct' : 'account';
  };
}

/** NotPrincipal: everyone the element does not name, directly. */
export function compileNotPrincipal(spec: PrincipalSpec): PrincipalTest {
  const named = compilePrincipal(spec);
  return (caller) => (named(caller) === false ? 'direct' : false);
}
