import { type RequestContext, RequestKeys, type RequestPrincipal } from './caller.ts';
import type { CompiledPolicy, CompiledStatement } from './compile.ts';
import type { PolicyKind } from './document.ts';

/**
 * The decision for one request, within one account, following AWS's documented logic. Pure: the
 * time comes in the request (`now`, or `aws:CurrentTime` in its context).
 *
 * 1. An explicit Deny in any policy that applies wins: identity-based policies first, then the
 *    resource-based policy (a Deny there applies when its Principal names the caller or the
 *    caller's account).
 * 2. The root user is allowed everything else. It has no identity-based policies (they are not
 *    consulted for it), but a resource-based Deny still binds it, as on AWS, where a bucket policy
 *    that denies everyone locks the root user out until the policy is deleted.
 * 3. An Allow in an identity-based policy, or in the resource-based policy when its Principal
 *    grants to the caller itself (its user, role or session ARN, `*`, or a service). A Principal
 *    naming only the caller's account delegates to the account: the user or role still needs an
 *    identity-based Allow.
 * 4. Otherwise an implicit deny.
 *
 * Permissions boundaries, session policies and SCPs are not modelled: Baton has none.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * Guarded by `test/governance/policy/evaluation.test.ts` (a table of AWS's examples).
 */

export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, as AWS names it: `sqs:SendMessage`, `lambda:InvokeFunction`. */
  readonly action: string;
  /** The resource's ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Condition keys the caller knows: `aws:SourceArn`, `aws:SourceIp`, service keys. */
  readonly context?: RequestContext;
  /** The caller's policies: its inline policies, a role session's role policies. */
  readonly identityPolicies: readonly CompiledPolicy[];
  /** The resource's own policy (queue, topic or function policy), if it has one. */
  readonly resourcePolicy?: CompiledPolicy;
  /** Whether the caller is the account's root user; defaults to `principal.type === 'Account'`. */
  readonly isRoot?: boolean;
  /** Milliseconds since the epoch; supplies `aws:CurrentTime` and `aws:EpochTime` if the context lacks them. */
  readonly now?: number;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Decision {
  readonly decision: DecisionKind;
  /** The statement that decided: the Deny that matched, or the first Allow. Absent for root and implicit denies. */
  readonly matched?: { readonly policy: string; readonly sid?: string; readonly kind: PolicyKind };
}

const ROOT_ALLOW: Decision = Object.freeze({ decision: 'Allow' });
const IMPLICIT_DENY: Decision = Object.freeze({ decision: 'ImplicitDeny' });

/**
 * Decides a request.
 * @example
 * evaluate({ principal: userPrincipal('000000000000', 'alice'), action: 'sqs:SendMessage',
 *   resource: 'arn:aws:sqs:us-east-1:000000000000:q', identityPolicies: [policy] })
 * // → { decision: 'Allow', matched: { policy: 'alice/Send', sid: 'Send', kind: 'identity' } }
 */
export function evaluate(req: EvaluationRequest): Decision {
  const action = req.action.toLowerCase();
  const isRoot = req.isRoot ?? req.principal.type === 'Account';
  const keys = new RequestKeys(req.principal, req.context, req.now);
  const identity = isRoot ? [] : req.identityPolicies;
  const onResource = req.resourcePolicy?.forAction(action);

  for (const p of identity) {
    for (const s of p.forAction(action).deny) if (applies(s, req, keys, false)) return s.decision;
  }
  if (onResource) for (const s of onResource.deny) if (applies(s, req, keys, true)) return s.decision;
  if (isRoot) return ROOT_ALLOW;
  for (const p of identity) {
    for (const s of p.forAction(action).allow) if (applies(s, req, keys, false)) return s.decision;
  }
  if (onResource) for (const s of onResource.allow) if (applies(s, req, keys, false)) return s.decision;
  return IMPLICIT_DENY;
}

/**
 * Whether a statement (already known to cover the action) applies. `accountBinds`: a Principal
 * naming only the caller's account counts (for a Deny); for an Allow it does not grant.
 */
function applies(
  s: CompiledStatement,
  req: EvaluationRequest,
  keys: RequestKeys,
  accountBinds: boolean,
): boolean {
  if (s.principal !== undefined) {
    const m = s.principal(req.principal);
    if (m === false || (m === 'account' && !accountBinds)) return false;
  }
  if (!s.matchesResource(req.resource, keys)) return false;
  for (const c of s.conditions) if (!c(keys)) return false;
  return true;
}
