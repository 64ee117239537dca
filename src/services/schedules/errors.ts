/**
 * The schedule service's error catalogue. Codes are the AWS error names that EventBridge
 * (`PutRule`) and EventBridge Scheduler (`CreateSchedule`) return; the wire adapters map each
 * to its HTTP status and JSON `__type`.
 */
export type ScheduleErrorCode =
  /** A schedule expression, time zone or date that AWS would refuse (HTTP 400). */
  'ValidationException';

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    readonly code: ScheduleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isScheduleError(e: unknown, code?: ScheduleErrorCode): e is ScheduleError {
  return e instanceof ScheduleError && (code === undefined || e.code === code);
}

/** The error for an expression AWS would not accept; `detail` names the offending part. */
export function invalidExpression(detail: string): ScheduleError {
  return new ScheduleError('ValidationException', `Parameter ScheduleExpression is not valid. ${detail}`);
}
