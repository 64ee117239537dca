/**
 * Baton's IAM policy engine: parse and validate AWS JSON policies, compile them once, and decide
 * requests the way AWS does within one account. Pure: no I/O, no clock. Callers (the AWS wire
 * adapters, the admin API, function credentials) hold compiled policies and call `evaluate` on
 * every request, then turn a denial into their service's error with `accessDeniedMessage`.
 * Issue 7, "Access: IAM-style policies". Benchmarked by `bench/policy.ts`.
 */
export { accessDeniedMessage, type DenyReason, denyReason } from './access-denied.ts';
export {
  type ContextValue,
  type PrincipalType,
  principalArn,
  type RequestContext,
  type RequestPrincipal,
  roleSessionPrincipal,
  rootPrincipal,
  servicePrincipal,
  userPrincipal,
} from './caller.ts';
export {
  type ActionStatements,
  type CompiledPolicy,
  type CompiledStatement,
  type CompileOptions,
  compilePolicy,
} from './compile.ts';
export {
  type Effect,
  type PolicyDocument,
  type PolicyKind,
  type PolicyStatement,
  type PolicyVersion,
  parsePolicy,
} from './document.ts';
export { isPolicyError, MalformedPolicy, PolicyError, type PolicyErrorCode } from './errors.ts';
export { type Decision, type DecisionKind, type EvaluationRequest, evaluate } from './evaluate.ts';
export {
  checkInlinePolicySize,
  checkManagedPolicySize,
  checkTrustPolicySize,
  INLINE_POLICY_SIZE_LIMITS,
  MANAGED_POLICY_SIZE_LIMIT,
  type PolicyHolder,
  policySize,
  TRUST_POLICY_SIZE_LIMIT,
} from './limits.ts';
