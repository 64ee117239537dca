/**
 * What the gateway reads from an HTTP request to build an event: headers, query, cookies, body.
 * Pure functions of the raw request, shared by both payload formats.
 */

/** A request as the event builders see it. */
export interface GatewayRequest {
  method: string;
  /** The path as sent, without the query. */
  rawPath: string;
  /** The query as sent, without `?`. */
  rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value… in the order sent. */
  rawHeaders: readonly string[];
  sourceIp: string;
  /** `HTTP/1.1`. */
  protocol: string;
  /** Undefined or empty: no body. */
  body: Buffer | undefined;
  /** The `apigw-requestid`. */
  requestId: string;
  /** Ms since the epoch, when the request arrived. */
  timeEpoch: number;
}

/** A map that a `__proto__` header or query key cannot corrupt. */
export const dict = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

/**
 * Headers for payload 2.0: names lower-cased, duplicates joined with commas; `cookie` headers
 * go to `cookies` instead, one entry per cookie.
 */
export function joinedHeaders(raw: readonly string[]): {
  headers: Record<string, string>;
  cookies: string[] | undefined;
} {
  const headers = dict<string>();
  let cookies: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'cookie') {
      cookies ??= [];
      for (const c of value.split(';')) {
        const t = c.trim();
        if (t) cookies.push(t);
      }
      continue;
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : `${prev},${value}`;
  }
  return { headers, cookies };
}

/** Headers for payload 1.0: `headers` holds the last value of each, `multiValueHeaders` all. */
export function multiHeaders(raw: readonly string[]): {
  headers: Record<string, string>;
  multi: Record<string, string[]>;
} {
  const headers = dict<string>();
  const multi = dict<string[]>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    headers[name] = value;
    const list = multi[name];
    if (list) list.push(value);
    else multi[name] = [value];
  }
  return { headers, multi };
}

/** The value of one header (first occurrence, case-insensitive), without building a map. */
export function headerOf(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

function decodeQueryPart(s: string): string {
  const plain = s.includes('+') ? s.replaceAll('+', ' ') : s;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

/** Query pairs, decoded (`+` is a space), in order; a key without `=` has the value ''. */
export function queryPairs(rawQuery: string): [string, string][] {
  const out: [string, string][] = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(
      eq < 0
        ? [decodeQueryPart(part), '']
        : [decodeQueryPart(part.slice(0, eq)), decodeQueryPart(part.slice(eq + 1))],
    );
  }
  return out;
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/xml',
  'application/graphql',
]);

/**
 * True when a body of this content type reaches the function as text; anything else (no
 * content type, images, `application/octet-stream`, form posts) is base64, as HTTP APIs infer.
 * https://aws.amazon.com/blogs/compute/handling-binary-data-using-amazon-api-gateway-http-apis/
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}

/** The event's `body` and `isBase64Encoded`. */
export function encodeBody(
  body: Buffer | undefined,
  contentType: string | undefined,
): { body: string | undefined; isBase64Encoded: boolean } {
  if (!body || body.length === 0) return { body: undefined, isBase64Encoded: false };
  return isTextContentType(contentType)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
let cachedSecond = -1;
let cachedTime = '';

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000` (formatted once a second). */
export function apiGatewayTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedTime = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    cachedSecond = second;
  }
  return cachedTime;
}

/** `domainName` is the Host the client used; `domainPrefix` its first label. */
export function domainOf(host: string | undefined): { domainName: string; domainPrefix: string } {
  const domainName = host ?? '';
  const colon = domainName.lastIndexOf(':');
  const hostname = colon > 0 && !domainName.endsWith(']') ? domainName.slice(0, colon) : domainName;
  const dot = hostname.indexOf('.');
  return { domainName, domainPrefix: dot < 0 ? hostname : hostname.slice(0, dot) };
}
