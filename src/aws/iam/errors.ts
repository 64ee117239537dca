import type { IamErrorCode } from '../../governance/iam/errors.ts';

/** The HTTP status of each IAM error, from the IAM API model's awsQueryError traits. */
export const IAM_STATUS: Record<IamErrorCode | 'ServiceFailure', number> = {
  EntityAlreadyExists: 409,
  NoSuchEntity: 404,
  MalformedPolicyDocument: 400,
  LimitExceeded: 409,
  ValidationError: 400,
  DeleteConflict: 409,
  InvalidInput: 400,
  InvalidAction: 400,
  ServiceFailure: 500,
};
