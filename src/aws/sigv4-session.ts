import { timingSafeEqual } from 'node:crypto';
import type { SigV4Result } from './sigv4.ts';

/**
 * Temporary (session) keys in SigV4 verification: a function instance's credentials. A request
 * signed with one must carry the session's token (`X-Amz-Security-Token`, a header or, presigned,
 * a query parameter), and is refused once the session has expired, as AWS refuses it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#temporary-security-credentials
 * Guarded by `test/aws/sigv4-session.test.ts`.
 */

/** What the key lookup knows of a session key: its secret, its token, and its expiry (epoch ms). */
export interface SessionSecret {
  secret: string;
  sessionToken: string;
  expiresAt: number;
}

/** The secret of a long-term key (a string), a session's secret and token, or undefined when unknown. */
export type SecretLookup = (accessKeyId: string) => string | SessionSecret | undefined;

/**
 * The secret to verify a session key's signature with, or the failure: a missing or different
 * token is an invalid token (as for an unknown key), an expired session `ExpiredToken`.
 */
export function sessionSecret(
  found: SessionSecret,
  token: string | undefined,
  now: number,
): string | Extract<SigV4Result, { ok: false }> {
  if (token === undefined || !sameText(token, found.sessionToken))
    return {
      ok: false,
      code: 'UnknownAccessKey',
      message: 'The security token included in the request is invalid.',
    };
  if (now >= found.expiresAt)
    return {
      ok: false,
      code: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    };
  return found.secret;
}

/** Compares a sent token with the session's in constant time (for tokens of the same length). */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
