import type { HttpCorsSpec } from '../core/function-spec.ts';

/**
 * A route's CORS settings, as API Gateway HTTP APIs apply them: the gateway answers preflight
 * OPTIONS requests itself, adds the CORS headers to responses of requests that carry `Origin`,
 * and drops any CORS headers the function returned.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 * Strings are joined once here, not per request. Guarded by `test/gateway/cors.test.ts`.
 */
export class Cors {
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;
  private readonly anyMethod: boolean;
  private readonly methods: Set<string>;
  private readonly anyHeader: boolean;
  private readonly headers: string;
  private readonly expose: string;
  private readonly maxAge: string | undefined;
  private readonly credentials: boolean;

  constructor(spec: HttpCorsSpec) {
    this.anyOrigin = spec.allowOrigins.includes('*');
    this.origins = new Set(spec.allowOrigins.map((o) => o.toLowerCase()));
    this.anyMethod = spec.allowMethods.includes('*');
    this.methods = new Set(spec.allowMethods);
    this.anyHeader = spec.allowHeaders.includes('*');
    this.headers = spec.allowHeaders.join(',');
    this.expose = spec.exposeHeaders.join(',');
    this.maxAge = spec.maxAge === undefined ? undefined : String(spec.maxAge);
    this.credentials = spec.allowCredentials;
  }

  /** The Access-Control-Allow-Origin value for this origin; undefined when it is not allowed. */
  private allowOrigin(origin: string): string | undefined {
    if (this.anyOrigin) return '*';
    return this.origins.has(origin.toLowerCase()) ? origin : undefined;
  }

  private originHeaders(origin: string, out: Record<string, string>): boolean {
    const allow = this.allowOrigin(origin);
    if (allow === undefined) return false;
    out['access-control-allow-origin'] = allow;
    if (allow !== '*') out.vary = 'Origin';
    if (this.credentials) out['access-control-allow-credentials'] = 'true';
    return true;
  }

  /**
   * Headers answering a preflight; empty when the origin or the method is not allowed (the
   * browser then refuses the request). `*` is echoed back when credentials are allowed, since
   * browsers read a `*` literally on a request with credentials.
   */
  preflight(origin: string, method: string, requestHeaders: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    const m = method.toUpperCase();
    if (!this.anyMethod && !this.methods.has(m) && !this.methods.has('ANY')) return out;
    if (!this.originHeaders(origin, out)) return out;
    out['access-control-allow-methods'] = this.anyMethod
      ? this.credentials
        ? m
        : '*'
      : [...this.methods].join(',');
    const allowHeaders = this.anyHeader ? (this.credentials ? requestHeaders : '*') : this.headers;
    if (allowHeaders) out['access-control-allow-headers'] = allowHeaders;
    if (this.maxAge !== undefined) out['access-control-max-age'] = this.maxAge;
    return out;
  }

  /** Headers added to the response of a request that carries `Origin`. */
  response(origin: string, out: Record<string, string | string[]>): void {
    const h: Record<string, string> = {};
    if (!this.originHeaders(origin, h)) return;
    Object.assign(out, h);
    if (this.expose) out['access-control-expose-headers'] = this.expose;
  }
}

/** True for the CORS headers a function's response may not set when the route has CORS. */
export function isCorsHeader(lowerName: string): boolean {
  return lowerName.startsWith('access-control-');
}
