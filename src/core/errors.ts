/**
 * Baton's error type. Every subsystem throws a `BatonError` with a stable `code` from its
 * catalogue; only the wire adapters (admin API, AWS APIs) turn codes into HTTP statuses and
 * AWS error shapes. See `src/server/error-map.ts`.
 */
export type BatonErrorCode =
  /** A request or manifest field is out of range or malformed. */
  | 'InvalidParameterValue'
  /** The request body could not be parsed (not JSON, not YAML, not a zip). */
  | 'InvalidRequestContent'
  /** The named function (or other resource) does not exist. */
  | 'ResourceNotFound'
  /** The resource exists already, or is in a state that forbids the change. */
  | 'ResourceConflict'
  /** The caller's RevisionId does not match the resource's current one. */
  | 'PreconditionFailed'
  /** A request payload is over its limit (6 MB for invoke). */
  | 'RequestTooLarge'
  /** Concurrency limit reached for the function. */
  | 'ThrottledFunction'
  /** Concurrency limit reached for the whole platform (the instance cap). */
  | 'ThrottledAccount'
  /** A storage backend failed; `cause` holds the driver's error. */
  | 'BackendFailure'
  /** The platform is shutting down and takes no new work. */
  | 'ShuttingDown'
  /** Anything else: a bug in Baton. */
  | 'Internal';

export class BatonError extends Error {
  override readonly name = 'BatonError';
  constructor(
    readonly code: BatonErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export function isBatonError(e: unknown, code?: BatonErrorCode): e is BatonError {
  return e instanceof BatonError && (code === undefined || e.code === code);
}
