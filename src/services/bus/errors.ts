/**
 * The event bus service's error catalogue. Codes are EventBridge's own error names; the wire
 * adapter (awsJson1_1) maps each to its HTTP status and its JSON `__type`.
 */
export type BusErrorCode =
  /** An event pattern is malformed or uses an operator wrongly (PutRule, TestEventPattern). */
  | 'InvalidEventPatternException'
  /** A request field is malformed, for example TestEventPattern's `Event` is not a JSON object. */
  | 'ValidationException'
  /** The named bus, rule or target does not exist. */
  | 'ResourceNotFoundException'
  /** CreateEventBus with a name already taken. */
  | 'ResourceAlreadyExistsException'
  /** A quota is reached (targets per rule). */
  | 'LimitExceededException'
  /** The request cannot be served on this resource (deleting the default bus, a managed rule). */
  | 'IllegalStatusException';

export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isBusError(e: unknown, code?: BusErrorCode): e is BusError {
  return e instanceof BusError && (code === undefined || e.code === code);
}
