import { invalidParameter, TopicError } from './errors.ts';
import type { Input } from './message.ts';

/** Reading SNS inputs (plain objects from the awsQuery adapter), with SNS's errors for bad ones. */

export function str(input: Input, name: string, required: true): string;
export function str(input: Input, name: string, required?: false): string | undefined;
export function str(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required)
      throw new TopicError(
        'ValidationError',
        `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(name);
  return v;
}

// awsQuery sends an empty list or map as `Name=` (an empty string).
export function stringMap(input: Input, name: string): Record<string, string> {
  const v = input[name];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(name);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string') throw invalidParameter(`${name}: ${k} must be a string`);
    out[k] = x;
  }
  return out;
}

export function list(input: Input, name: string): unknown[] {
  const v = input[name];
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw invalidParameter(name);
  return v;
}

/** Pagination tokens: the offset, opaque to callers. */
export function page<T>(items: T[], token: string | undefined): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken');
  const slice = items.slice(start, start + 100);
  return start + 100 < items.length
    ? { items: slice, next: Buffer.from(String(start + 100)).toString('base64url') }
    : { items: slice };
}
