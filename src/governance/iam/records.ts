import { randomBytes } from 'node:crypto';

/**
 * IAM's entities as Baton stores them. Names are unique regardless of case, as in IAM ("you
 * cannot create users named both TESTUSER and testuser"); the stored name keeps the case it was
 * created with. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
 */

export interface User {
  name: string;
  /** `AIDA` and 17 characters: IAM's unique id, which `aws:userid` holds. */
  id: string;
  /** `arn:aws:iam::<account>:user<path><name>`. */
  arn: string;
  /** `/` or `/a/b/`. */
  path: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface Role {
  name: string;
  /** `AROA` and 17 characters. */
  id: string;
  /** `arn:aws:iam::<account>:role<path><name>`. */
  arn: string;
  path: string;
  /** The trust policy, as JSON text (stored decoded; the API answers it URL-encoded). */
  assumeRolePolicyDocument: string;
  description?: string;
  /** Seconds, 3600–43200. */
  maxSessionDuration: number;
  createdAt: number;
}

export type PolicyHolder = 'user' | 'role';

/** An inline policy: embedded in one user or role, named within it. */
export interface InlinePolicy {
  holder: PolicyHolder;
  /** The user's or role's name. */
  holderName: string;
  name: string;
  /** JSON text, as put. */
  document: string;
}

/** The key under which a name is unique: IAM names differ by more than case. */
export const nameKey = (name: string): string => name.toLowerCase();

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A unique id in IAM's form: the prefix (`AIDA`, `AROA`) and 17 base-32 characters. */
export function newUniqueId(prefix: 'AIDA' | 'AROA'): string {
  let id = prefix;
  for (const b of randomBytes(17)) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

export const userArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:user${path}${name}`;

export const roleArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:role${path}${name}`;
