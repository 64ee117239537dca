/**
 * IAM's error catalogue. Codes are IAM's own error names; the wire adapter
 * (`src/aws/iam/errors.ts`) maps each to its HTTP status.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 */
export type IamErrorCode =
  /** A user or role of that name exists already (HTTP 409). */
  | 'EntityAlreadyExists'
  /** The user, role, policy or access key does not exist (HTTP 404). */
  | 'NoSuchEntity'
  /** The policy document is not valid JSON policy language of its kind (HTTP 400). */
  | 'MalformedPolicyDocument'
  /** A quota: two access keys per user, or the policy size quotas (HTTP 409). */
  | 'LimitExceeded'
  /** A parameter breaks its model constraint: missing, too long, wrong pattern (HTTP 400). */
  | 'ValidationError'
  /** The user still has access keys or policies, or the role still has policies (HTTP 409). */
  | 'DeleteConflict'
  /** A well-formed request that asks for something Baton cannot do, e.g. change the root key (HTTP 400). */
  | 'InvalidInput'
  /** No such operation in the 2010-05-08 API (HTTP 400). */
  | 'InvalidAction';

export class IamError extends Error {
  override readonly name = 'IamError';
  constructor(
    readonly code: IamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const noSuchEntity = (message: string): IamError => new IamError('NoSuchEntity', message);
