import { PolicyError } from './errors.ts';

/**
 * IAM's size quotas for policy documents, in characters, not counting white space. Inline
 * policies count together: the sum over every inline policy of one user (or role, or group)
 * must stay within its quota. Pure.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 * Guarded by `test/governance/policy/parse.test.ts`.
 */

/** Aggregate size of a user's, role's or group's inline policies. */
export const INLINE_POLICY_SIZE_LIMITS = { user: 2048, role: 10240, group: 5120 } as const;
/** One managed policy (IAM's `PolicySize` quota). */
export const MANAGED_POLICY_SIZE_LIMIT = 6144;
/** A role's trust policy (IAM's `ACLSizePerRole` quota; raisable to 4096 on AWS). */
export const TRUST_POLICY_SIZE_LIMIT = 2048;

export type PolicyHolder = keyof typeof INLINE_POLICY_SIZE_LIMITS;

/** A document's size as IAM counts it: every character but white space. */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) n++;
  }
  return n;
}

/**
 * Checks a holder's inline policies, with the one being put among them, against its quota.
 * Throws `LimitExceeded` with IAM's text, e.g.
 * "Maximum policy size of 2048 bytes exceeded for user alice".
 */
export function checkInlinePolicySize(
  holder: PolicyHolder,
  name: string,
  documents: readonly string[],
): void {
  const limit = INLINE_POLICY_SIZE_LIMITS[holder];
  let total = 0;
  for (const d of documents) total += policySize(d);
  if (total > limit)
    throw new PolicyError(
      'LimitExceeded',
      `Maximum policy size of ${limit} bytes exceeded for ${holder} ${name}`,
    );
}

/** Checks a role's trust policy: "Cannot exceed quota for ACLSizePerRole: 2048". */
export function checkTrustPolicySize(text: string): void {
  if (policySize(text) > TRUST_POLICY_SIZE_LIMIT)
    throw new PolicyError(
      'LimitExceeded',
      `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE_LIMIT}`,
    );
}

/** Checks a managed policy: "Cannot exceed quota for PolicySize: 6144". */
export function checkManagedPolicySize(text: string): void {
  if (policySize(text) > MANAGED_POLICY_SIZE_LIMIT)
    throw new PolicyError(
      'LimitExceeded',
      `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE_LIMIT}`,
    );
}
