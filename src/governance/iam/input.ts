import { IamError } from './errors.ts';

/**
 * IAM's parameter checks, with its texts: the model's constraints (length, pattern, range) fail
 * with `ValidationError` and "N validation error(s) detected: Value 'x' at 'userName' failed to
 * satisfy constraint: …", every broken constraint listed. Paths are the members' names with a
 * lower-case first letter, as IAM writes them. Patterns come from the IAM API model.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
 */

/** A query-protocol request's parameters, by member name. */
export type Input = Readonly<Record<string, string | undefined>>;

interface Constraint {
  min?: number;
  max?: number;
  /** The pattern, and the text IAM shows for it. */
  pattern?: [RegExp, string];
  values?: readonly string[];
  /** An integer in [min, max] rather than a string of that length. */
  integer?: boolean;
}

const NAME: [RegExp, string] = [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'];

/** IAM's member shapes, by the name Baton gives them. */
export const SHAPES = {
  userName: { min: 1, max: 64, pattern: NAME },
  existingUserName: { min: 1, max: 128, pattern: NAME },
  roleName: { min: 1, max: 64, pattern: NAME },
  policyName: { min: 1, max: 128, pattern: NAME },
  path: {
    min: 1,
    max: 512,
    pattern: [/^(\/|\/[\u0021-\u007e]+\/)$/, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)'],
  },
  pathPrefix: { min: 1, max: 512, pattern: [/^\/[\u0021-\u007f]*$/, '\\u002F[\\u0021-\\u007F]*'] },
  policyDocument: {
    min: 1,
    max: 131072,
    pattern: [/^[\t\n\r\u0020-\u00ff]+$/, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'],
  },
  description: {
    max: 1000,
    pattern: [
      /^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*$/,
      '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
    ],
  },
  accessKeyId: { min: 16, max: 128, pattern: [/^\w+$/, '[\\w]+'] },
  status: { values: ['Active', 'Inactive', 'Expired'] },
  maxSessionDuration: { integer: true, min: 3600, max: 43200 },
  maxItems: { integer: true, min: 1, max: 1000 },
  marker: { min: 1, max: 320, pattern: [/^[\u0020-\u00ff]+$/, '[\\u0020-\\u00FF]+'] },
} satisfies Record<string, Constraint>;

export type Shape = keyof typeof SHAPES;

function broken(value: string, c: Constraint): string[] {
  const out: string[] = [];
  if (c.integer) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) out.push(`Member must be an integer between ${c.min} and ${c.max}`);
    else if (n < c.min!) out.push(`Member must have value greater than or equal to ${c.min}`);
    else if (n > c.max!) out.push(`Member must have value less than or equal to ${c.max}`);
    return out;
  }
  if (c.values && !c.values.includes(value))
    out.push(`Member must satisfy enum value set: [${c.values.join(', ')}]`);
  if (c.min !== undefined && value.length < c.min)
    out.push(`Member must have length greater than or equal to ${c.min}`);
  if (c.max !== undefined && value.length > c.max)
    out.push(`Member must have length less than or equal to ${c.max}`);
  if (c.pattern && value.length > 0 && !c.pattern[0].test(value))
    out.push(`Member must satisfy regular expression pattern: ${c.pattern[1]}`);
  return out;
}

/** A value as IAM quotes it in messages: long documents are not echoed whole. */
const quoted = (v: string) => `'${v.length > 200 ? `${v.slice(0, 200)}…` : v}'`;

/**
 * Checks the named members of `input` and returns them. `required` members must be present;
 * the others may be absent (undefined in the result). Throws one `ValidationError` that lists
 * every broken constraint.
 * @example
 * const { UserName } = checked(input, { UserName: ['userName', 'required'] });
 */
export function checked<K extends string>(
  input: Input,
  members: Record<K, [Shape, ('required' | 'optional')?]>,
): Record<K, string | undefined> {
  const problems: string[] = [];
  const out = {} as Record<K, string | undefined>;
  for (const key of Object.keys(members) as K[]) {
    const [shape, need] = members[key];
    const path = key.charAt(0).toLowerCase() + key.slice(1);
    const value = input[key];
    out[key] = value;
    if (value === undefined) {
      if (need === 'required')
        problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    for (const why of broken(value, SHAPES[shape]))
      problems.push(`Value ${quoted(value)} at '${path}' failed to satisfy constraint: ${why}`);
  }
  if (problems.length > 0)
    throw new IamError(
      'ValidationError',
      `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
    );
  return out;
}

/** One page of a list, with IAM's `IsTruncated` and `Marker`. */
export interface Page<T> {
  items: T[];
  truncated: boolean;
  /** Present when truncated: pass it as `Marker` for the next page. */
  marker?: string;
}

/**
 * Pages a list sorted by `keyOf`. A marker names the last item returned, so a page stays
 * correct when items are added or removed between calls.
 */
export function page<T>(sorted: readonly T[], keyOf: (item: T) => string, input: Input): Page<T> {
  const { Marker, MaxItems } = checked(input, { Marker: ['marker'], MaxItems: ['maxItems'] });
  const max = MaxItems === undefined ? 100 : Number(MaxItems);
  let after: string | undefined;
  if (Marker !== undefined) {
    after = Buffer.from(Marker, 'base64url').toString('utf8');
    if (Buffer.from(after, 'utf8').toString('base64url') !== Marker)
      throw new IamError('ValidationError', 'Invalid Marker.');
  }
  const rest = after === undefined ? sorted : sorted.filter((x) => keyOf(x) > after!);
  const items = rest.slice(0, max);
  if (rest.length <= max) return { items, truncated: false };
  return { items, truncated: true, marker: Buffer.from(keyOf(items.at(-1)!), 'utf8').toString('base64url') };
}
