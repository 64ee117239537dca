import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatonError } from '../core/errors.ts';

/** Reads a request body, refusing (without buffering the rest) once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit, what));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit, what));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number, what: string): BatonError {
  return new BatonError(
    'RequestTooLarge',
    `Request must be smaller than ${limit} bytes for the ${what} operation`,
  );
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parses a JSON request body into an object, or throws InvalidRequestContent. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new BatonError(
      'InvalidRequestContent',
      `Could not parse request body into json: ${(e as Error).message}`,
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new BatonError('InvalidRequestContent', 'request body must be a JSON object');
  return v as Record<string, unknown>;
}

/** The path and query of a request, parsed only as far as a route needs. */
export class RequestTarget {
  readonly pathname: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  private params: URLSearchParams | undefined;

  constructor(rawUrl: string | undefined) {
    const url = rawUrl ?? '/';
    const q = url.indexOf('?');
    this.pathname = q < 0 ? url : url.slice(0, q);
    this.query = q < 0 ? '' : url.slice(q + 1);
  }

  get searchParams(): URLSearchParams {
    this.params ??= new URLSearchParams(this.query);
    return this.params;
  }
}

/**
 * The first route (`[method, pattern, …]`) whose method and pattern match, with its match; routes
 * are tried in order, so the hot one goes first.
 */
export function matchRoute<R extends readonly [string, RegExp, ...unknown[]]>(
  routes: readonly R[],
  method: string | undefined,
  path: string,
): { route: R | undefined; match: RegExpExecArray | null } {
  for (const r of routes) {
    if (r[0] !== method) continue;
    const match = r[1].exec(path);
    if (match) return { route: r, match };
  }
  return { route: undefined, match: null };
}
