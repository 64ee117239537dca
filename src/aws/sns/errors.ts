import type { TopicErrorCode } from '../../services/topics/errors.ts';
import type { SigV4Failure } from '../sigv4.ts';

/** The HTTP status of each topic error, from the SNS API model's awsQueryError traits. */
export const SNS_STATUS: Record<TopicErrorCode, number> = {
  NotFound: 404,
  ResourceNotFound: 404,
  InvalidParameter: 400,
  ParameterValueInvalid: 400,
  ValidationError: 400,
  AuthorizationError: 403,
  TagLimitExceeded: 400,
  TagPolicy: 400,
  EmptyBatchRequest: 400,
  TooManyEntriesInBatchRequest: 400,
  BatchEntryIdsNotDistinct: 400,
  BatchRequestTooLong: 400,
  InvalidBatchEntryId: 400,
  InvalidAction: 400,
  InternalError: 500,
};

/** How SigV4 failures read in the query protocol's error codes. */
export const SIGV4_CODES: Record<SigV4Failure, string> = {
  MissingAuthentication: 'MissingAuthenticationToken',
  IncompleteSignature: 'IncompleteSignature',
  UnknownAccessKey: 'InvalidClientTokenId',
  SignatureMismatch: 'SignatureDoesNotMatch',
  RequestExpired: 'RequestExpired',
  WrongService: 'SignatureDoesNotMatch',
  ExpiredToken: 'ExpiredToken',
};
