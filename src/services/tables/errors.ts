/**
 * The table service's error catalogue. Codes are DynamoDB's own error names; the wire adapter
 * (`src/aws/dynamodb/`) maps each to its HTTP status and its JSON `__type`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import type { Item } from './types.ts';

export type TableErrorCode =
  /** Bad input: a malformed expression, a wrong key type, an oversized item (400). */
  | 'ValidationException'
  /** No such table or index (400). */
  | 'ResourceNotFoundException'
  /** The table exists already, or is busy being created, updated or deleted (400). */
  | 'ResourceInUseException'
  /** A ConditionExpression evaluated to false (400). */
  | 'ConditionalCheckFailedException'
  /** A transaction was cancelled; `reasons` holds one entry per item (400). */
  | 'TransactionCanceledException'
  /** Another transaction holds one of the items (400). */
  | 'TransactionConflictException'
  /** A ClientRequestToken was reused with a different request within 10 minutes (400). */
  | 'IdempotentParameterMismatchException'
  /** An item collection outgrew 10 GB on a table with a local secondary index (400). */
  | 'ItemCollectionSizeLimitExceededException'
  /** Too many control-plane operations at once (400). */
  | 'LimitExceededException'
  /** Something broke on our side (500). */
  | 'InternalServerError'
  /** The request body does not match the API's shape (a number where a string belongs …) (400). */
  | 'SerializationException';

/** One entry of TransactionCanceledException's CancellationReasons, as the wire carries it. */
export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Item;
}

export class TableError extends Error {
  override readonly name = 'TableError';
  constructor(
    readonly code: TableErrorCode,
    message: string,
    readonly extra: {
      /** The item as it was, for ReturnValuesOnConditionCheckFailure: ALL_OLD. */
      item?: Item;
      /** TransactionCanceledException's CancellationReasons. */
      reasons?: CancellationReason[];
    } = {},
  ) {
    super(message);
  }

  get item(): Item | undefined {
    return this.extra.item;
  }

  get reasons(): CancellationReason[] | undefined {
    return this.extra.reasons;
  }
}

export function isTableError(e: unknown, code?: TableErrorCode): e is TableError {
  return e instanceof TableError && (code === undefined || e.code === code);
}

/** A ValidationException: the error almost every bad request gets. */
export function validationError(message: string): TableError {
  return new TableError('ValidationException', message);
}
