import type { BatonErrorCode } from '../core/errors.ts';
import { BatonError } from '../core/errors.ts';
import { isAccessDenied } from '../governance/authorizer.ts';

/** How each Baton error code reaches an HTTP client: status and AWS error type. */
const MAP: Record<BatonErrorCode, { status: number; type: string }> = {
  InvalidParameterValue: { status: 400, type: 'InvalidParameterValueException' },
  InvalidRequestContent: { status: 400, type: 'InvalidRequestContentException' },
  ResourceNotFound: { status: 404, type: 'ResourceNotFoundException' },
  ResourceConflict: { status: 409, type: 'ResourceConflictException' },
  PreconditionFailed: { status: 412, type: 'PreconditionFailedException' },
  RequestTooLarge: { status: 413, type: 'RequestEntityTooLargeException' },
  ThrottledFunction: { status: 429, type: 'TooManyRequestsException' },
  ThrottledAccount: { status: 429, type: 'TooManyRequestsException' },
  BackendFailure: { status: 500, type: 'ServiceException' },
  ShuttingDown: { status: 503, type: 'ServiceException' },
  Internal: { status: 500, type: 'ServiceException' },
};

export interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Maps an error to Lambda's restJson error shape: the type in `x-amzn-ErrorType` and `__type`,
 * a `message`, and `Reason` for throttles. Unknown errors become a 500 that hides the details.
 * A denied authorization is Lambda's 403 `AccessDeniedException`, for the Lambda and admin APIs.
 */
export function toHttpError(e: unknown): HttpError {
  if (isAccessDenied(e)) {
    const type = 'AccessDeniedException';
    return {
      status: 403,
      headers: { 'x-amzn-errortype': type },
      body: { __type: type, Type: 'User', message: e.message },
    };
  }
  if (!(e instanceof BatonError)) {
    return {
      status: 500,
      headers: { 'x-amzn-errortype': 'ServiceException' },
      body: { __type: 'ServiceException', Type: 'Service', message: 'An internal error occurred.' },
    };
  }
  const m = MAP[e.code];
  const body: Record<string, unknown> = {
    __type: m.type,
    Type: m.status >= 500 ? 'Service' : 'User',
    message: e.code === 'Internal' ? 'An internal error occurred.' : e.message,
  };
  const reason = e.details?.reason;
  if (typeof reason === 'string') body.Reason = reason;
  const path = e.details?.path;
  if (typeof path === 'string') body.field = path;
  return { status: m.status, headers: { 'x-amzn-errortype': m.type }, body };
}
