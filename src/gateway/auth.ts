import { createHash } from 'node:crypto';
import type { HttpAuthSpec } from '../core/function-spec.ts';
import { ANSWERS, type Answer } from './answers.ts';
import type { JwksCache } from './jwks.ts';
import {
  checkClaims,
  decodeJwt,
  isRsaAlg,
  type JwtPolicy,
  tokenFrom,
  verifyHmac,
  verifyRsa,
  wwwAuthenticate,
} from './jwt.ts';
import { API_KEY_MIN_CHARS, HS256_SECRET_MIN_BYTES } from './route-spec.ts';
import { resolveSecret } from './secrets.ts';

/** A route's authorization, compiled from its spec when the route table loads. */
export type Authorizer =
  | { kind: 'none' }
  /** Keys by the sha256 of their value: a lookup that does not compare the secret byte by byte. */
  | { kind: 'apiKey'; keys: Map<string, string> }
  | { kind: 'jwt'; policy: JwtPolicy; secret: Buffer | undefined; jwksUrl: string | undefined }
  /** Decided by a function: the gateway's `LambdaAuthorizers` runs it (`lambda-authorizer.ts`). */
  | { kind: 'lambda'; spec: LambdaAuthSpec };

export type LambdaAuthSpec = Extract<HttpAuthSpec, { type: 'lambda' }>;

/** What a Lambda authorizer that allowed the request passes on to the route's event. */
export interface LambdaGrant {
  context: Record<string, unknown>;
  /** Set by IAM policy responses. */
  principalId?: string;
}

export type AuthResult =
  | {
      ok: true;
      jwt?: { claims: Record<string, unknown>; scopes: string[] | undefined };
      keyName?: string;
      lambda?: LambdaGrant;
    }
  | { ok: false; answer: Answer; headers?: Record<string, string>; reason: string };

const OK: AuthResult = { ok: true };
const NO_AUTH: Authorizer = { kind: 'none' };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Compiles an auth spec, reading `${env:NAME}` secrets from `env`. A secret that is unset or too
 * short leaves the route closed (every request refused) and is reported through `problems`.
 */
export function compileAuth(
  spec: HttpAuthSpec | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): Authorizer {
  if (!spec) return NO_AUTH;
  if (spec.type === 'lambda') return { kind: 'lambda', spec };
  if (spec.type === 'apiKey') {
    const keys = new Map<string, string>();
    for (const k of spec.keys) {
      const v = resolveSecret(k.value, env);
      if (v === undefined || v.length < API_KEY_MIN_CHARS)
        problems.push(
          `API key "${k.name}": ${v === undefined ? `${k.value} is not set` : 'shorter than 20 characters'}`,
        );
      else keys.set(sha256(v), k.name);
    }
    return { kind: 'apiKey', keys };
  }
  const policy: JwtPolicy = { issuer: spec.issuer, audience: spec.audience, scopes: spec.scopes };
  let secret: Buffer | undefined;
  if (spec.secret !== undefined) {
    const v = resolveSecret(spec.secret, env);
    if (v === undefined || Buffer.byteLength(v) < HS256_SECRET_MIN_BYTES)
      problems.push(
        `JWT secret: ${v === undefined ? `${spec.secret} is not set` : `shorter than ${HS256_SECRET_MIN_BYTES} bytes`}`,
      );
    // An empty secret verifies nothing: `verifyHmac` fails every token against it below.
    secret =
      v === undefined || Buffer.byteLength(v) < HS256_SECRET_MIN_BYTES ? Buffer.alloc(0) : Buffer.from(v);
  }
  return { kind: 'jwt', policy, secret, jwksUrl: spec.jwksUrl };
}

function refused(answer: Answer, reason: string, headers?: Record<string, string>): AuthResult {
  return { ok: false, answer, reason, headers };
}

/**
 * Checks a request against its route's authorizer. Synchronous unless a JWKS must be fetched
 * first; the caller awaits only then.
 */
export function authorize(
  auth: Authorizer,
  header: (lowerName: string) => string | undefined,
  jwks: JwksCache,
  nowMs: number,
): AuthResult | Promise<AuthResult> {
  if (auth.kind === 'none') return OK;
  // The gateway sends Lambda authorizers to `LambdaAuthorizers` before it gets here.
  if (auth.kind === 'lambda') return refused(ANSWERS.internal, 'Lambda authorizer not wired');
  if (auth.kind === 'apiKey') {
    // As API Gateway's API keys (REST APIs): a missing or unknown key is 403 Forbidden.
    const given = header('x-api-key');
    if (!given) return refused(ANSWERS.forbidden, 'missing API key');
    const name = auth.keys.get(sha256(given));
    return name === undefined ? refused(ANSWERS.forbidden, 'unknown API key') : { ok: true, keyName: name };
  }
  const deny = (error: string, status: 401 | 403 = 401) =>
    refused(status === 401 ? ANSWERS.unauthorized : ANSWERS.forbidden, error, {
      'www-authenticate': wwwAuthenticate({ status, error }, auth.policy.scopes),
    });
  const token = tokenFrom(header('authorization'));
  if (!token) return deny('the token is missing');
  const jwt = decodeJwt(token);
  if (!jwt) return deny('the token is malformed');
  const finish = (signed: boolean): AuthResult => {
    if (!signed) return deny('the token signature is invalid');
    const v = checkClaims(jwt.claims, auth.policy, nowMs);
    if (!v.ok) return deny(v.error, v.status);
    return { ok: true, jwt: { claims: v.claims, scopes: v.scopes } };
  };
  if (auth.secret) return finish(auth.secret.length > 0 && verifyHmac(jwt, auth.secret));
  // A JWKS authorizer takes RSA signatures only: an HS256 token "signed" with a public key is refused.
  const url = auth.jwksUrl!;
  const kid = jwt.header.kid;
  if (!isRsaAlg(jwt.header.alg)) return deny('the token algorithm is not allowed');
  if (typeof kid !== 'string') return deny('the token has no kid');
  const cached = jwks.peek(url, kid);
  if (cached) return finish(verifyRsa(jwt, cached));
  return jwks
    .key(url, kid)
    .then((key) => (key ? finish(verifyRsa(jwt, key)) : deny('the token kid is not in the key set')));
}
