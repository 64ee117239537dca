import { types } from 'node:util';
import type { FunctionErrorBody } from '../protocol.ts';

/**
 * Turns whatever a handler threw or rejected with into Lambda's error body, as the Node.js
 * runtime interface client does (`Errors.js` `toRapidResponse`): real errors keep their name,
 * message and stack; anything else reports its `typeof` and string form.
 */
export function toErrorBody(error: unknown): FunctionErrorBody {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function isErrorLike(e: unknown): e is { name: string; message: string; stack: string } {
  if (types.isNativeError(e)) {
    const err = e as Error;
    return typeof err.stack === 'string';
  }
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.message === 'string' && typeof o.stack === 'string';
}

/** An error raised by the runtime itself, reported with a `Runtime.` type. */
export function runtimeError(type: string, message: string, stack?: string): FunctionErrorBody {
  return { errorType: `Runtime.${type}`, errorMessage: message, trace: stack ? stack.split('\n') : [] };
}
