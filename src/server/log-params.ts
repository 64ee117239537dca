import { BatonError } from '../core/errors.ts';
import type { LogFilter } from '../telemetry/logs/filter-logs.ts';

/** Most invocations one logs request returns, as FilterLogEvents' `limit`. */
const MAX_LIMIT = 10_000;

/**
 * The query string of `GET /admin/v1/functions/NAME/logs`, named as FilterLogEvents names its
 * parameters: `startTime` and `endTime` (epoch ms; `since` is the older name of `startTime`),
 * `filterPattern`, `requestId`, `limit` (1–10000, default 1000) and `nextToken`.
 */
export function logFilterOf(params: URLSearchParams): Omit<LogFilter, 'function'> {
  const text = (key: string): string | undefined => {
    const v = params.get(key);
    return v === null || v === '' ? undefined : v;
  };
  const num = (key: string, min: number, max: number): number | undefined => {
    const v = text(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new BatonError('InvalidParameterValue', `${key}: must be a whole number from ${min} to ${max}`);
    return n;
  };
  const epoch = (key: string) => num(key, 0, Number.MAX_SAFE_INTEGER);
  const startTime = epoch('startTime') ?? epoch('since');
  const endTime = epoch('endTime');
  if (startTime !== undefined && endTime !== undefined && endTime < startTime)
    throw new BatonError('InvalidParameterValue', 'endTime: must not be before startTime');
  return {
    startTime,
    endTime,
    filterPattern: text('filterPattern'),
    requestId: text('requestId'),
    limit: num('limit', 1, MAX_LIMIT),
    nextToken: text('nextToken'),
  };
}
