import { validateHeaderName, validateHeaderValue } from 'node:http';
import { dict } from './request.ts';

/**
 * Turns a function's result into the HTTP response, by API Gateway HTTP APIs' rules.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 * Guarded by `test/gateway/response.test.ts`.
 */

export interface GatewayResponse {
  status: number;
  /** Lower-cased names; `set-cookie` is a list. */
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

/** Headers about the connection, not the content: the gateway's own listener sets them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'te',
  'trailer',
  'proxy-authenticate',
  'proxy-connection',
]);

class Malformed extends Error {}

const THREE_DIGITS = /^\d{3}$/;

function statusOf(v: unknown): number {
  const n = typeof v === 'string' && THREE_DIGITS.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599)
    throw new Malformed('statusCode must be a whole number from 100 to 599');
  return n;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Malformed('header values must be strings');
}

function addHeader(out: Record<string, string | string[]>, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (HOP_BY_HOP.has(lower)) return;
  try {
    validateHeaderName(lower);
    validateHeaderValue(lower, value);
  } catch {
    throw new Malformed(`header ${JSON.stringify(name)} is not valid`);
  }
  if (lower === 'set-cookie') {
    const prev = out[lower];
    if (Array.isArray(prev)) prev.push(value);
    else out[lower] = [value];
  } else out[lower] = value;
}

function mapping(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Malformed(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function bodyOf(o: Record<string, unknown>): Buffer | string {
  const body = o.body;
  if (body === undefined || body === null) return '';
  if (typeof body !== 'string') throw new Malformed('body must be a string');
  return o.isBase64Encoded === true ? Buffer.from(body, 'base64') : body;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Payload 2.0: a result with `statusCode` is the response (`headers`, `cookies` as Set-Cookie,
 * `body`, `isBase64Encoded`); any other JSON result is a 200 `application/json` response whose
 * body is the result (a string result is the body itself, unquoted, as API Gateway documents).
 * Returns an error message when the result is malformed.
 */
export function responseV2(payload: string): GatewayResponse | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'the result is not JSON';
  }
  if (!isObject(parsed) || !('statusCode' in parsed))
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: typeof parsed === 'string' ? parsed : payload,
    };
  try {
    const status = statusOf(parsed.statusCode);
    const headers = dict<string | string[]>();
    const given = mapping(parsed.headers, 'headers');
    if (given) for (const [k, v] of Object.entries(given)) addHeader(headers, k, scalar(v));
    if (parsed.cookies !== undefined && parsed.cookies !== null) {
      if (!Array.isArray(parsed.cookies)) throw new Malformed('cookies must be a list of strings');
      for (const c of parsed.cookies) addHeader(headers, 'set-cookie', scalar(c));
    }
    return { status, headers, body: bodyOf(parsed) };
  } catch (e) {
    if (e instanceof Malformed) return e.message;
    throw e;
  }
}

/**
 * Payload 1.0: the result must be `{statusCode, headers?, multiValueHeaders?, body?,
 * isBase64Encoded?}`; API Gateway assumes nothing else. When a header is in both maps, the
 * `multiValueHeaders` values win.
 */
export function responseV1(payload: string): GatewayResponse | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'the result is not JSON';
  }
  if (!isObject(parsed) || !('statusCode' in parsed)) return 'a 1.0 result must be an object with statusCode';
  try {
    const status = statusOf(parsed.statusCode);
    const headers = dict<string | string[]>();
    const multi = mapping(parsed.multiValueHeaders, 'multiValueHeaders');
    const single = mapping(parsed.headers, 'headers');
    const inMulti = new Set(multi ? Object.keys(multi).map((k) => k.toLowerCase()) : []);
    if (single)
      for (const [k, v] of Object.entries(single))
        if (!inMulti.has(k.toLowerCase())) addHeader(headers, k, scalar(v));
    if (multi)
      for (const [k, list] of Object.entries(multi)) {
        if (!Array.isArray(list)) throw new Malformed('multiValueHeaders values must be lists');
        const values = list.map(scalar);
        if (k.toLowerCase() === 'set-cookie') for (const v of values) addHeader(headers, k, v);
        else if (values.length > 0) addHeader(headers, k, values.join(','));
      }
    return { status, headers, body: bodyOf(parsed) };
  } catch (e) {
    if (e instanceof Malformed) return e.message;
    throw e;
  }
}
