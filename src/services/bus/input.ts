import { BusError } from './errors.ts';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** A ValidationException, the error of EventBridge's input checks. */
export const invalid = (message: string) => new BusError('ValidationException', message);

/** A string member of the input, or undefined. */
export const str = (i: Input, k: string): string | undefined =>
  typeof i[k] === 'string' ? (i[k] as string) : undefined;

/** A required string member; ValidationException when it is missing or empty. */
export const need = (i: Input, k: string): string => {
  const v = str(i, k);
  if (v === undefined || v === '') throw invalid(`Parameter ${k} is required.`);
  return v;
};

/** A page of a sorted list: `NextToken` is the offset of the next item. */
export function page<T>(items: T[], input: Input): { items: T[]; next?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('Limit must be between 1 and 100.');
  const token = str(input, 'NextToken');
  const start = token === undefined ? 0 : Number.parseInt(token, 10);
  if (!Number.isInteger(start) || start < 0) throw invalid('The NextToken is not valid.');
  const slice = items.slice(start, start + limit);
  return start + limit < items.length ? { items: slice, next: String(start + limit) } : { items: slice };
}
