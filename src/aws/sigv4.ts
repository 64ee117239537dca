import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type SecretLookup, sessionSecret } from './sigv4-session.ts';

export type { SecretLookup, SessionSecret } from './sigv4-session.ts';

/**
 * AWS Signature Version 4 verification, for the `Authorization` header and for presigned query
 * strings. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *
 * Pure: the caller passes the request as received, a secret lookup and the current time; wire
 * adapters map the failure codes to each protocol's error names.
 */

export interface SignedRequest {
  method: string;
  /** The path exactly as sent on the request line (still percent-encoded), without the query. */
  rawPath: string;
  /** The query string as sent, without the leading `?`. */
  rawQuery: string;
  /** Header names in lower case; repeated headers joined by commas, as node:http does. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export type SigV4Failure =
  /** No Authorization header and no presigned query. */
  | 'MissingAuthentication'
  /** An Authorization header or presigned query that lacks a part, or a bad date. */
  | 'IncompleteSignature'
  /** The access key id is not known. */
  | 'UnknownAccessKey'
  /** The signature does not match. */
  | 'SignatureMismatch'
  /** The request time is more than 5 minutes off, or a presigned URL has expired. */
  | 'RequestExpired'
  /** The credential scope names another service than the API being called. */
  | 'WrongService'
  /** A temporary (session) key whose session has expired. */
  | 'ExpiredToken';

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; code: SigV4Failure; message: string };

/** How far a request's time may be from the server's, either way. */
export const MAX_SKEW_MS = 5 * 60 * 1000;
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** RFC 3986 encoding as the AWS signers do it: everything but unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function awsUriEscape(s: string): string {
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQueryPart(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  return safeDecode(s.replace(/\+/g, '%20'));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Non-S3 services sign the path URI-encoded twice: the SDKs encode it for the request line, and
 * the signer encodes it again (slashes kept), after dropping empty and dot segments.
 */
const SIMPLE_PATH = /^(\/[A-Za-z0-9\-_~]+(\.[A-Za-z0-9\-_~]+)*)+\/?$|^\/$/;

export function canonicalUri(rawPath: string): string {
  // Most paths need neither normalising nor escaping.
  if (SIMPLE_PATH.test(rawPath)) return rawPath;
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${trailing}`;
  return awsUriEscape(normalized).replace(/%2F/g, '/');
}

export function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([k, v]) => [awsUriEscape(k), awsUriEscape(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function parseQuery(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf('=');
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? '' : p.slice(i + 1);
      return [decodeQueryPart(k), decodeQueryPart(v)];
    });
}

/** Whitespace that `replace(/\s+/g, ' ')` would change: a run, or a tab or other non-space. */
const WHITESPACE_TO_FOLD = /\s\s|[^\S ]/;

/** A header value as SigV4 signs it: trimmed, each inner run of whitespace one space. */
function canonicalHeaderValue(v: string): string {
  const t = v.trim();
  // Most values hold no run to fold: testing is cheaper than replacing (a new string each time).
  return WHITESPACE_TO_FOLD.test(t) ? t.replace(/\s+/g, ' ') : t;
}

function headerValue(h: SignedRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * `crypto.hash` (node 20.12+) hashes in one call, without a Hash object: half the cost for a
 * request's body or canonical request (bench/sigv4.ts). Looked up, as node 20.11 lacks it.
 */
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;

export const sha256Hex: (data: Uint8Array | string) => string = oneShotHash
  ? (data) => oneShotHash('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');

const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 256;

/** The derived signing key; it changes once a day per region and service, so it is cached. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\0${region}\0${service}\0${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, key);
  }
  return key;
}

/** `20240101T000000Z` for an epoch-ms time. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** Parses `20240101T000000Z`; NaN when malformed. */
function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface Parts {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  /** The signed header names as sent, `;`-separated: they go into the canonical request as is. */
  signedHeadersText: string;
  signature: string;
  amzDate: string;
  /** For presigned URLs: seconds the signature stays valid. */
  expires?: number;
  /** Query pairs that take part in the canonical query (all but X-Amz-Signature). */
  query: [string, string][];
  /** `X-Amz-Security-Token`, from the header or (presigned) the query. */
  sessionToken: string | undefined;
}

function fail(code: SigV4Failure, message: string): SigV4Result {
  return { ok: false, code, message };
}

function parseCredential(
  credential: string,
): Pick<Parts, 'accessKeyId' | 'date' | 'region' | 'service'> | undefined {
  const c = credential.split('/');
  if (c.length !== 5 || c[4] !== 'aws4_request' || !c[0]) return undefined;
  return { accessKeyId: c[0], date: c[1]!, region: c[2]!, service: c[3]! };
}

function fromHeader(req: SignedRequest, auth: string, query: [string, string][]): Parts | SigV4Result {
  if (!auth.startsWith(`${ALGORITHM} `))
    return fail('IncompleteSignature', `Authorization header requires the ${ALGORITHM} algorithm.`);
  // Plain comparisons, no Map: this runs on every request (the last of a repeated field wins).
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (k === 'Credential') credential = part.slice(i + 1).trim();
    else if (k === 'SignedHeaders') signedHeaders = part.slice(i + 1).trim();
    else if (k === 'Signature') signature = part.slice(i + 1).trim();
  }
  if (!credential || !signedHeaders || !signature) {
    const missing = [
      ['Credential', credential],
      ['SignedHeaders', signedHeaders],
      ['Signature', signature],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    return fail(
      'IncompleteSignature',
      `Authorization header requires ${missing.map((k) => `'${k}'`).join(', ')} parameter(s).`,
    );
  }
  const scope = parseCredential(credential);
  if (!scope)
    return fail('IncompleteSignature', `Credential should be scoped to a valid region: '${credential}'.`);
  const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
  if (!amzDate)
    return fail(
      'IncompleteSignature',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  // Built field by field: a spread here made every later property read slow.
  return {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders: signedHeaders.split(';'),
    signedHeadersText: signedHeaders,
    signature,
    amzDate,
    expires: undefined,
    query,
    sessionToken: headerValue(req.headers, 'x-amz-security-token'),
  };
}

function fromQuery(query: [string, string][]): Parts | SigV4Result {
  // One pass with plain comparisons: lookups by sliced-string keys cost more than the crypto.
  let algorithm: string | undefined;
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let sessionToken: string | undefined;
  let expiresText = '900';
  for (const [k, v] of query) {
    if (k === 'X-Amz-Algorithm') algorithm = v;
    else if (k === 'X-Amz-Credential') credential = v;
    else if (k === 'X-Amz-SignedHeaders') signedHeaders = v;
    else if (k === 'X-Amz-Signature') signature = v;
    else if (k === 'X-Amz-Date') amzDate = v;
    else if (k === 'X-Amz-Expires') expiresText = v;
    else if (k === 'X-Amz-Security-Token') sessionToken = v;
  }
  if (algorithm !== ALGORITHM) return fail('IncompleteSignature', `X-Amz-Algorithm must be ${ALGORITHM}.`);
  const expires = Number(expiresText);
  if (!credential || !signedHeaders || !signature || !amzDate)
    return fail(
      'IncompleteSignature',
      'A presigned request needs X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature.',
    );
  const scope = parseCredential(credential);
  if (!scope)
    return fail('IncompleteSignature', `Credential should be scoped to a valid region: '${credential}'.`);
  if (!Number.isInteger(expires) || expires < 1 || expires > 604_800)
    return fail('IncompleteSignature', 'X-Amz-Expires must be a whole number of seconds from 1 to 604800.');
  return {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders: signedHeaders.split(';'),
    signedHeadersText: signedHeaders,
    signature,
    amzDate,
    expires,
    query: query.filter(([k]) => k !== 'X-Amz-Signature'),
    sessionToken,
  };
}

/**
 * Verifies a request's SigV4 signature. `expectedService` is the signing name of the API the
 * request is routed to (`lambda`, `sqs`, …); a request signed for another service is refused.
 * A session key's request must carry its session's token, and is refused once the session has
 * expired (`ExpiredToken`); a long-term key's request may carry a token, which is not checked.
 */
export function verifySigV4(
  req: SignedRequest,
  secretFor: SecretLookup,
  now: number,
  expectedService?: string,
): SigV4Result {
  const query = parseQuery(req.rawQuery);
  const auth = headerValue(req.headers, 'authorization');
  const presigned = query.some(([k]) => k === 'X-Amz-Signature');
  if (!auth && !presigned) return fail('MissingAuthentication', 'Missing Authentication Token');
  const parsed = auth ? fromHeader(req, auth, query) : fromQuery(query);
  if ('ok' in parsed) return parsed;
  const p = parsed;

  const time = parseAmzDate(p.amzDate);
  if (Number.isNaN(time))
    return fail('IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${p.amzDate}'.`);
  if (p.date !== p.amzDate.slice(0, 8))
    return fail(
      'SignatureMismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${p.date}' != '${p.amzDate.slice(0, 8)}'`,
    );
  if (p.expires !== undefined) {
    if (now > time + p.expires * 1000)
      return fail('RequestExpired', 'Signature expired: the presigned URL is past its X-Amz-Expires.');
    if (time - now > MAX_SKEW_MS)
      return fail('RequestExpired', 'Signature not yet current: the request date is in the future.');
  } else if (Math.abs(now - time) > MAX_SKEW_MS) {
    return fail(
      'RequestExpired',
      `Signature expired: ${p.amzDate} is now earlier than ${new Date(now - MAX_SKEW_MS).toISOString().replace(/[-:]|\.\d{3}/g, '')} (${new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '')} - 5 min.)`,
    );
  }
  if (expectedService !== undefined && p.service !== expectedService)
    return fail('WrongService', `Credential should be scoped to correct service: '${expectedService}'.`);

  const found = secretFor(p.accessKeyId);
  if (found === undefined)
    return fail('UnknownAccessKey', 'The security token included in the request is invalid.');
  const secret = typeof found === 'string' ? found : sessionSecret(found, p.sessionToken, now);
  if (typeof secret !== 'string') return secret;

  if (!p.signedHeaders.includes('host'))
    return fail('IncompleteSignature', "'Host' must be a signed header.");
  let canonicalHeaders = '';
  for (const name of p.signedHeaders)
    canonicalHeaders += `${name}:${canonicalHeaderValue(headerValue(req.headers, name) ?? '')}\n`;
  let bodyHash: string | undefined;
  const hashOfBody = (): string => {
    bodyHash ??= sha256Hex(req.body);
    return bodyHash;
  };
  const declared = headerValue(req.headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== hashOfBody())
    return fail(
      'SignatureMismatch',
      'The provided x-amz-content-sha256 header does not match what was computed.',
    );
  // Presigned URLs: botocore (and Baton) sign UNSIGNED-PAYLOAD, the JavaScript SDK the body's hash.
  const candidates: (() => string)[] =
    declared !== undefined
      ? [() => declared]
      : p.expires !== undefined
        ? [() => 'UNSIGNED-PAYLOAD', hashOfBody]
        : [hashOfBody];
  const scope = `${p.date}/${p.region}/${p.service}/aws4_request`;
  const key = signingKey(secret, p.date, p.region, p.service);
  const given = Buffer.from(p.signature, 'hex');
  const head = `${req.method.toUpperCase()}\n${canonicalUri(req.rawPath)}\n${canonicalQuery(p.query)}\n${canonicalHeaders}\n${p.signedHeadersText}`;
  const matches = candidates.some((payloadHash) => {
    const stringToSign = `${ALGORITHM}\n${p.amzDate}\n${scope}\n${sha256Hex(`${head}\n${payloadHash()}`)}`;
    const expected = hmac(key, stringToSign);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches)
    return fail(
      'SignatureMismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  return { ok: true, accessKeyId: p.accessKeyId, region: p.region, service: p.service };
}
