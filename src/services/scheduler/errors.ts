/**
 * EventBridge Scheduler's error catalogue. Codes are the AWS error names
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html); the wire adapter
 * (src/aws/scheduler/router.ts) maps each to its HTTP status and `x-amzn-errortype`.
 */
export type SchedulerErrorCode =
  /** A member is missing, malformed or out of range (HTTP 400). */
  | 'ValidationException'
  /** The schedule or schedule group does not exist (HTTP 404). */
  | 'ResourceNotFoundException'
  /** The schedule or group exists already, or the group is being deleted (HTTP 409). */
  | 'ConflictException';

export const SCHEDULER_ERROR_STATUS: Record<SchedulerErrorCode, number> = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
};

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new SchedulerError('ValidationException', message);
