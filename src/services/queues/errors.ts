/**
 * The queue service's error catalogue. Codes are SQS's own error names; the wire adapters
 * (`src/aws/sqs/`) map each to its HTTP status, its JSON `__type` and the query-compatible code.
 */
export type QueueErrorCode =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'QueueDeletedRecently'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'InvalidMessageContents'
  | 'MessageTooLong'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'BatchRequestTooLong'
  | 'PurgeQueueInProgress'
  | 'UnsupportedOperation'
  | 'ResourceNotFound'
  | 'InvalidAddress'
  | 'InvalidAction'
  | 'InvalidSecurity'
  | 'OverLimit';

export class QueueError extends Error {
  override readonly name = 'QueueError';
  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isQueueError(e: unknown, code?: QueueErrorCode): e is QueueError {
  return e instanceof QueueError && (code === undefined || e.code === code);
}
