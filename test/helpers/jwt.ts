import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** Signs test tokens; a real issuer would. */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signHs256(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function signRs256(
  claims: Record<string, unknown>,
  key: KeyObject,
  kid: string,
  alg = 'RS256',
): string {
  const input = `${b64({ alg, typ: 'JWT', kid })}.${b64(claims)}`;
  const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }[alg] ?? 'sha256';
  return `${input}.${createSign(hash).update(input).sign(key, 'base64url')}`;
}

/** An RSA key pair and its public JWKS document. */
export function rsaKeys(kid: string): { privateKey: KeyObject; jwks: { keys: Record<string, unknown>[] } } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] },
  };
}
