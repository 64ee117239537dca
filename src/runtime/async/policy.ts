import type { InvokeTarget } from '../../registry/resolve.ts';
import type { InvokeResult } from '../invoker.ts';
import type { AsyncEvent } from './backend.ts';

/** Lambda waits one minute before the second attempt and two minutes before the third. */
export function retryDelayMs(failedAttempts: number): number {
  return failedAttempts <= 1 ? 60_000 : 120_000;
}

/** After a throttle, Lambda retries from 1 second, doubling up to 5 minutes. */
export function throttleDelayMs(throttles: number): number {
  return Math.min(1000 * 2 ** Math.max(0, throttles - 1), 300_000);
}

export type RecordCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/**
 * The invocation record Lambda sends to a destination: what was asked (requestContext,
 * requestPayload) and, when the function ran, what it answered (responseContext,
 * responsePayload).
 */
export function invocationRecord(
  e: AsyncEvent,
  target: InvokeTarget,
  requestPayload: unknown,
  condition: RecordCondition,
  invokeCount: number,
  result: InvokeResult | undefined,
  now: number,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    requestContext: {
      requestId: e.id,
      // Qualified, as Lambda writes it: `...:function:name:$LATEST` for an unqualified invoke.
      functionArn: target.qualifier === undefined ? `${target.invokedArn}:$LATEST` : target.invokedArn,
      condition,
      approximateInvokeCount: invokeCount,
    },
    requestPayload,
  };
  if (result) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: result.executedVersion,
      ...(result.functionError ? { functionError: result.functionError } : {}),
    };
    let payload: unknown = null;
    try {
      payload = result.payload.length > 0 ? JSON.parse(result.payload) : null;
    } catch {
      payload = result.payload;
    }
    record.responsePayload = payload;
  }
  return record;
}
