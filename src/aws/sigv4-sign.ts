import {
  ALGORITHM,
  amzDate,
  awsUriEscape,
  canonicalQuery,
  canonicalUri,
  hmac,
  parseQuery,
  sha256Hex,
  signingKey,
} from './sigv4.ts';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SigningScope {
  region: string;
  service: string;
  /** Epoch ms. */
  now: number;
}

function signature(
  method: string,
  url: URL,
  query: [string, string][],
  headers: Record<string, string>,
  signed: string[],
  payloadHash: string,
  creds: SigningCredentials,
  scope: SigningScope,
): { date: string; credential: string; signature: string } {
  const date = amzDate(scope.now);
  const day = date.slice(0, 8);
  const canonicalHeaders = signed
    .map((h) => `${h}:${(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(query),
    canonicalHeaders,
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(creds.secretAccessKey, day, scope.region, scope.service);
  return {
    date,
    credential: `${creds.accessKeyId}/${credentialScope}`,
    signature: hmac(key, stringToSign).toString('hex'),
  };
}

/**
 * Signs a request with AWS Signature Version 4 (the Authorization header). Returns the headers
 * to send: the given ones plus host, x-amz-date, x-amz-content-sha256 and authorization.
 */
export function signRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array | string,
  creds: SigningCredentials,
  scope: SigningScope,
): Record<string, string> {
  const payloadHash = sha256Hex(body);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
  all.host = url.host;
  all['x-amz-content-sha256'] = payloadHash;
  all['x-amz-date'] = amzDate(scope.now);
  const signed = Object.keys(all).sort();
  const s = signature(method, url, parseQuery(url.search.slice(1)), all, signed, payloadHash, creds, scope);
  all.authorization = `${ALGORITHM} Credential=${s.credential}, SignedHeaders=${signed.join(';')}, Signature=${s.signature}`;
  return all;
}

/** A presigned URL: the signature travels in the query, for clients that cannot sign (wrk, curl). */
export function presignUrl(
  method: string,
  url: URL,
  creds: SigningCredentials,
  scope: SigningScope & { expiresSeconds: number },
): URL {
  const out = new URL(url);
  const date = amzDate(scope.now);
  const day = date.slice(0, 8);
  out.searchParams.set('X-Amz-Algorithm', ALGORITHM);
  out.searchParams.set(
    'X-Amz-Credential',
    `${creds.accessKeyId}/${day}/${scope.region}/${scope.service}/aws4_request`,
  );
  out.searchParams.set('X-Amz-Date', date);
  out.searchParams.set('X-Amz-Expires', String(scope.expiresSeconds));
  out.searchParams.set('X-Amz-SignedHeaders', 'host');
  const query = parseQuery(out.search.slice(1));
  const s = signature(method, out, query, { host: out.host }, ['host'], 'UNSIGNED-PAYLOAD', creds, scope);
  out.search = `${out.search}&X-Amz-Signature=${awsUriEscape(s.signature)}`;
  return out;
}
