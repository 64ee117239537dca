/**
 * DynamoDB's answer to a request member that breaks its constraints (the "1 validation error
 * detected" shape), and the table name rule every operation checks first.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import { type TableError, validationError } from './errors.ts';

export const TABLE_NAME_RE = /^[a-zA-Z0-9_.-]{3,255}$/;

/** A value as AWS's (Java) validator echoes it: lists as `[a, b]`, maps as JSON. */
function echo(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(echo).join(', ')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * DynamoDB's "1 validation error detected" shape, for members that break their constraints. A
 * missing member reads `Value null at 'tableName'` (unquoted), as AWS writes it.
 */
export function constraint(value: unknown, path: string, rule: string): TableError {
  const shown = value === undefined || value === null ? 'null' : `'${echo(value)}'`;
  return validationError(
    `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${rule}`,
  );
}

export function checkTableName(value: unknown, path = 'tableName'): string {
  if (typeof value !== 'string') throw constraint(value, path, 'Member must not be null');
  if (value.length < 3) throw constraint(value, path, 'Member must have length greater than or equal to 3');
  if (value.length > 255) throw constraint(value, path, 'Member must have length less than or equal to 255');
  if (!TABLE_NAME_RE.test(value))
    throw constraint(value, path, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  return value;
}
