/**
 * The policy engine's error catalogue. Codes are IAM's own error names; the wire adapters map
 * them (IAM: 400 `MalformedPolicyDocument`, 409 `LimitExceeded`; SQS and SNS wrap the message in
 * their own `InvalidAttributeValue` / `InvalidParameter`).
 *
 * Messages are the texts IAM returns for PutUserPolicy / PutRolePolicy. IAM answers most
 * structural mistakes (bad JSON, a missing or unknown Effect, Action beside NotAction, an unknown
 * element or condition operator) with the one text "Syntax errors in policy.", and keeps its
 * specific texts for a handful of cases; `MalformedPolicy` below lists them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html
 * Guarded by `test/governance/policy/parse.test.ts`.
 */
export type PolicyErrorCode =
  /** The document is not a valid policy of its kind (identity-based or resource-based). */
  | 'MalformedPolicyDocument'
  /** The documents attached to one user, role or group exceed IAM's size quota. */
  | 'LimitExceeded';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isPolicyError(e: unknown, code?: PolicyErrorCode): e is PolicyError {
  return e instanceof PolicyError && (code === undefined || e.code === code);
}

/** IAM's `MalformedPolicyDocument` texts. */
export const MalformedPolicy = {
  /** Everything structural: JSON, Version, Statement, Effect, exclusive pairs, unknown elements. */
  syntax: 'Syntax errors in policy.',
  /** Neither Action nor NotAction, or an empty list. */
  noActions: 'Policy statement must contain actions.',
  /** Neither Resource nor NotResource, or an empty list. */
  noResources: 'Policy statement must contain resources.',
  /** Principal or NotPrincipal in an identity-based policy. */
  principalInIdentityPolicy: 'Policy document should not specify a principal.',
  /** A resource-based statement without Principal or NotPrincipal. */
  noPrincipal: 'Missing required field Principal',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  /** Identity-based policies only; resource-based ones (SQS, Lambda) allow `-` and `_`. */
  sidNotAlphanumeric:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  /** An action or condition key without `service:`. */
  noVendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  /** `sqs:Send:Message`. */
  twoColons: 'Actions/Condition can contain only one colon.',
  /** `arn:aws:s3::bucket`: an ARN with fewer than six parts. */
  legacyParsing: 'The policy failed legacy parsing',
  vendor: (vendor: string) => `Vendor ${vendor} is not valid`,
  resourceFormat: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  partition: (partition: string, resource: string) =>
    `Partition "${partition}" is not valid for resource "${resource}".`,
  /** A Principal entry that names nothing IAM knows, or uses a partial wildcard. */
  principal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
} as const;

export const malformed = (message: string): never => {
  throw new PolicyError('MalformedPolicyDocument', message);
};
