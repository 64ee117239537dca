import type { BusErrorCode } from '../../services/bus/errors.ts';

/** The HTTP status of each bus error (EventBridge answers client errors with 400). */
export const EVENTS_ERRORS: Record<BusErrorCode, { status: number }> = {
  InvalidEventPatternException: { status: 400 },
  ValidationException: { status: 400 },
  ResourceNotFoundException: { status: 400 },
  ResourceAlreadyExistsException: { status: 400 },
  LimitExceededException: { status: 400 },
  IllegalStatusException: { status: 400 },
};
