/**
 * The topic service's error catalogue. Codes are SNS's own query error codes; the wire adapter
 * (`src/aws/sns/`) maps each to its HTTP status. The SDK turns a code into its exception class
 * (`NotFound` → `NotFoundException`, `ParameterValueInvalid` → `InvalidParameterValueException`).
 */
export type TopicErrorCode =
  /** The topic or subscription does not exist. */
  | 'NotFound'
  /** A tagging call names a resource that does not exist. */
  | 'ResourceNotFound'
  /** A parameter is malformed or out of range (most validation errors). */
  | 'InvalidParameter'
  /** A message attribute is malformed (InvalidParameterValueException). */
  | 'ParameterValueInvalid'
  /** A required parameter is missing. */
  | 'ValidationError'
  /** The caller may not do this (a token or unsubscribe that needs a signature). */
  | 'AuthorizationError'
  /** More than 50 tags on a resource. */
  | 'TagLimitExceeded'
  /** A tag key or value breaks the tagging rules. */
  | 'TagPolicy'
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'BatchRequestTooLong'
  | 'InvalidBatchEntryId'
  /** The action is not an SNS action Baton knows. */
  | 'InvalidAction'
  /** Anything else: a bug or a storage failure. */
  | 'InternalError';

export class TopicError extends Error {
  override readonly name = 'TopicError';
  constructor(
    readonly code: TopicErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalidParameter = (what: string): TopicError =>
  new TopicError('InvalidParameter', `Invalid parameter: ${what}`);

export const topicNotFound = (): TopicError => new TopicError('NotFound', 'Topic does not exist');

export const subscriptionNotFound = (): TopicError =>
  new TopicError('NotFound', 'Subscription does not exist');
