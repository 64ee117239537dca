/**
 * The cache's error catalogue. Wire adapters map codes at the edge: the admin API to HTTP
 * statuses (src/server/cache-api.ts), the runner channel to `{ code, message }` that the runtime
 * client rethrows in the function as a `CacheError` with the same `code`.
 */
export type CacheErrorCode =
  /** The namespace is not an app name (or `function:NAME`). */
  | 'InvalidNamespace'
  /** The key is not a non-empty string of at most 1 KiB. */
  | 'InvalidKey'
  /** The value is not a string. */
  | 'InvalidValue'
  /** The value is over 1 MiB, or a multi-set over 16 MiB. */
  | 'ValueTooLarge'
  /** The TTL is not a whole number of milliseconds from 1 ms to 30 days. */
  | 'InvalidTtl'
  /** Another argument is malformed: an increment amount, a compare-and-set's expected value, a batch. */
  | 'InvalidArgument'
  /** A multi-get or multi-set names more than 100 keys. */
  | 'TooManyKeys'
  /** Increment of a value that is not a decimal integer. */
  | 'NotAnInteger'
  /** Increment past ±(2^53 − 1), the integers a JavaScript number holds exactly. */
  | 'OutOfRange'
  /** No cache is reachable from here (a runner not bound to a function). */
  | 'Unavailable'
  /** The backend failed (a lost Redis connection); `cause` holds the driver's error. */
  | 'BackendFailure';

export class CacheError extends Error {
  override readonly name = 'CacheError';
  constructor(
    readonly code: CacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCacheError(e: unknown, code?: CacheErrorCode): e is CacheError {
  return e instanceof CacheError && (code === undefined || e.code === code);
}
