import { createHmac, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

/**
 * JWT checks as API Gateway's JWT authorizer makes them, with node:crypto only: the algorithm
 * and signature, then `iss`, `aud` (or `client_id` when there is no `aud`), `exp`, `nbf`, `iat`,
 * then the route's scopes against `scope` or `scp`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * Guarded by `test/gateway/jwt.test.ts`.
 */

export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  typ?: unknown;
}

/** What a token is checked against. */
export interface JwtPolicy {
  issuer: string;
  audience: readonly string[];
  /** The route's scopes; the token needs one of them. Empty: no scope check. */
  scopes: readonly string[];
}

export type JwtVerdict =
  | { ok: true; claims: Record<string, unknown>; scopes: string[] | undefined }
  /** 401 for a bad token, 403 for a good token without the route's scopes. */
  | { ok: false; status: 401 | 403; error: string };

/** A decoded but not yet trusted token. */
export interface DecodedJwt {
  header: JwtHeader;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const RSA_HASH: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Takes the token from an Authorization value: the token alone, or prefixed with `Bearer `. */
export function tokenFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  return authorization.startsWith('Bearer ') || authorization.startsWith('bearer ')
    ? authorization.slice(7).trim()
    : authorization.trim();
}

/** Splits and decodes a compact JWS; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const a = token.indexOf('.');
  const b = token.indexOf('.', a + 1);
  if (a <= 0 || b <= a + 1 || token.indexOf('.', b + 1) !== -1) return undefined;
  try {
    const header = decodePart(token.slice(0, a));
    const claims = decodePart(token.slice(a + 1, b));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
    return {
      header: header as JwtHeader,
      claims: claims as Record<string, unknown>,
      signingInput: token.slice(0, b),
      signature: Buffer.from(token.slice(b + 1), 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** Checks an HS256 signature with a shared secret. */
export function verifyHmac(jwt: DecodedJwt, secret: Buffer): boolean {
  if (jwt.header.alg !== 'HS256') return false;
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/** Checks an RS256/RS384/RS512 signature with an RSA public key. */
export function verifyRsa(jwt: DecodedJwt, key: KeyObject): boolean {
  const hash = typeof jwt.header.alg === 'string' ? RSA_HASH[jwt.header.alg] : undefined;
  if (!hash) return false;
  try {
    return verify(hash, Buffer.from(jwt.signingInput), key, jwt.signature);
  } catch {
    return false;
  }
}

export function isRsaAlg(alg: unknown): boolean {
  return typeof alg === 'string' && alg in RSA_HASH;
}

/** The token's scopes, from `scope` (space-separated) or `scp` (a list or space-separated). */
function scopesOf(claims: Record<string, unknown>): string[] | undefined {
  const v = claims.scope ?? claims.scp;
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return undefined;
}

/** Checks a token's claims (its signature already checked) at `nowMs`. */
export function checkClaims(claims: Record<string, unknown>, policy: JwtPolicy, nowMs: number): JwtVerdict {
  const now = nowMs / 1000;
  if (claims.iss !== policy.issuer)
    return { ok: false, status: 401, error: 'the token does not have a valid issuer' };
  const aud = claims.aud;
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  const audienceOk = auds
    ? auds.some((a) => typeof a === 'string' && policy.audience.includes(a))
    : typeof claims.client_id === 'string' && policy.audience.includes(claims.client_id);
  if (!audienceOk) return { ok: false, status: 401, error: 'the token does not have a valid audience' };
  if (typeof claims.exp !== 'number') return { ok: false, status: 401, error: 'the token has no expiry' };
  if (claims.exp <= now) return { ok: false, status: 401, error: 'the token has expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now))
    return { ok: false, status: 401, error: 'the token is not valid yet' };
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now))
    return { ok: false, status: 401, error: 'the token was issued in the future' };
  const scopes = scopesOf(claims);
  if (policy.scopes.length > 0 && !scopes?.some((s) => policy.scopes.includes(s)))
    return { ok: false, status: 403, error: 'the token does not have the required scope' };
  return { ok: true, claims, scopes };
}

/** The `www-authenticate` value API Gateway sends with a refused token. */
export function wwwAuthenticate(
  verdict: { status: 401 | 403; error: string },
  scopes: readonly string[],
): string {
  const kind = verdict.status === 403 ? 'insufficient_scope' : 'invalid_token';
  return `Bearer scope="${scopes.join(' ')}" error="${kind}" error_description="${verdict.error}"`;
}
