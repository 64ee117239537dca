import { QueueError } from './errors.ts';

/** An operation's input and output, in SQS's JSON shapes (the query adapter translates). */
export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export const missing = (name: string) =>
  new QueueError('MissingParameter', `The request must contain the parameter ${name}.`);
export const invalidParam = (message: string) => new QueueError('InvalidParameterValue', message);

export function str(input: Input, name: string, required: true): string;
export function str(input: Input, name: string, required?: false): string | undefined;
export function str(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v !== 'string')
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return v;
}

export function int(input: Input, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw invalidParam(`Value ${String(v)} for parameter ${name} is invalid. Reason: must be an integer.`);
  if (n < min || n > max)
    throw invalidParam(
      `Value ${n} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`,
    );
  return n;
}

export function list(input: Input, name: string): unknown[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  return v;
}

export function map(input: Input, name: string): Record<string, unknown> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw invalidParam(`Value for parameter ${name} is invalid. Reason: must be a map.`);
  return v as Record<string, unknown>;
}

const BATCH_ID_RE = /^[a-zA-Z0-9_-]{1,80}$/;

/** Checks a batch's entries: 1–10, distinct valid ids. */
export function batchEntries(input: Input, key: string): Input[] {
  const entries = list(input, key);
  if (entries.length === 0)
    throw new QueueError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.'.replace(
        'SendMessageBatchRequestEntry',
        key.replace('Entries', 'RequestEntry'),
      ),
    );
  if (entries.length > 10)
    throw new QueueError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const ids = new Set<string>();
  for (const e of entries) {
    const id = (e as Input | null)?.Id;
    if (typeof id !== 'string' || !BATCH_ID_RE.test(id))
      throw new QueueError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    if (ids.has(id)) throw new QueueError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Input[];
}
