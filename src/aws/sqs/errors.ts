import type { QueueErrorCode } from '../../services/queues/errors.ts';

/**
 * How each queue error reaches a client: its HTTP status, and the code the query protocol uses
 * (JSON clients read it from `x-amzn-query-error`). From the SQS API model's awsQueryError traits.
 */
export const SQS_ERRORS: Record<QueueErrorCode, { status: number; queryCode: string }> = {
  QueueDoesNotExist: { status: 400, queryCode: 'AWS.SimpleQueueService.NonExistentQueue' },
  QueueNameExists: { status: 400, queryCode: 'QueueAlreadyExists' },
  QueueDeletedRecently: { status: 400, queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently' },
  InvalidAttributeName: { status: 400, queryCode: 'InvalidAttributeName' },
  InvalidAttributeValue: { status: 400, queryCode: 'InvalidAttributeValue' },
  InvalidParameterValue: { status: 400, queryCode: 'InvalidParameterValue' },
  MissingParameter: { status: 400, queryCode: 'MissingParameter' },
  InvalidMessageContents: { status: 400, queryCode: 'InvalidMessageContents' },
  MessageTooLong: { status: 400, queryCode: 'InvalidParameterValue' },
  ReceiptHandleIsInvalid: { status: 404, queryCode: 'ReceiptHandleIsInvalid' },
  MessageNotInflight: { status: 400, queryCode: 'AWS.SimpleQueueService.MessageNotInflight' },
  EmptyBatchRequest: { status: 400, queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest' },
  TooManyEntriesInBatchRequest: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  },
  BatchEntryIdsNotDistinct: { status: 400, queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' },
  InvalidBatchEntryId: { status: 400, queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
  BatchRequestTooLong: { status: 400, queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong' },
  PurgeQueueInProgress: { status: 403, queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress' },
  UnsupportedOperation: { status: 400, queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' },
  ResourceNotFound: { status: 404, queryCode: 'ResourceNotFoundException' },
  InvalidAddress: { status: 404, queryCode: 'InvalidAddress' },
  InvalidAction: { status: 400, queryCode: 'InvalidAction' },
  InvalidSecurity: { status: 403, queryCode: 'InvalidSecurity' },
  OverLimit: { status: 403, queryCode: 'OverLimit' },
};

/** The JSON protocol's error type for a code (the SDK maps it to its exception class). */
export function jsonErrorType(code: QueueErrorCode): string {
  if (code === 'ResourceNotFound') return 'ResourceNotFoundException';
  if (code === 'MessageTooLong') return 'InvalidParameterValue';
  if (code === 'InvalidAction') return 'UnknownOperationException';
  return code;
}
