import type { FunctionRecord, HttpRouteSpec } from '../core/function-spec.ts';
import { type Authorizer, compileAuth } from './auth.ts';
import { Cors } from './cors.ts';
import { parseRouteKey, type RouteKey } from './route-key.ts';
import { MAX_BODY_BYTES } from './route-spec.ts';
import { Router } from './router.ts';
import { TokenBucket } from './token-bucket.ts';

/** Ms API Gateway HTTP APIs wait for a Lambda integration at most. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

/** A route ready to serve: everything a request needs, computed when the table loads. */
export interface CompiledRoute {
  key: RouteKey;
  functionName: string;
  payload: '1.0' | '2.0';
  cors: Cors | undefined;
  auth: Authorizer;
  bucket: TokenBucket | undefined;
  maxBodyBytes: number;
  /** Ms the gateway waits for the function; undefined when the function's own timeout is shorter. */
  integrationTimeoutMs: number | undefined;
}

export interface RouteTableOptions {
  /** Where `${env:NAME}` secrets are read. */
  env: Readonly<Record<string, string | undefined>>;
  now: number;
  /** Reports a route that could not be loaded as declared. */
  warn: (message: string, details: Record<string, unknown>) => void;
  /** The table this one replaces: token buckets of unchanged routes carry over. */
  previous?: RouteTable;
  integrationTimeoutMs?: number;
}

/** The gateway's routes: rebuilt as a whole whenever a function changes, then read-only. */
export class RouteTable {
  readonly router = new Router<CompiledRoute>();
  /** Bucket by function, route and limits: a redeploy that keeps them keeps the bucket's state. */
  private readonly buckets = new Map<string, TokenBucket>();

  /** Builds the table from `$LATEST` records, in name order (so a clash resolves the same way). */
  static build(records: readonly FunctionRecord[], opts: RouteTableOptions): RouteTable {
    const table = new RouteTable();
    const sorted = [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const rec of sorted) for (const spec of rec.routes ?? []) table.add(rec, spec, opts);
    return table;
  }

  private add(rec: FunctionRecord, spec: HttpRouteSpec, opts: RouteTableOptions): void {
    let key: RouteKey;
    try {
      key = parseRouteKey(spec.route);
    } catch (e) {
      opts.warn('route skipped: not a route key', {
        function: rec.name,
        route: spec.route,
        error: (e as Error).message,
      });
      return;
    }
    const problems: string[] = [];
    const auth = compileAuth(spec.auth, opts.env, problems);
    if (problems.length > 0)
      opts.warn('route refuses every request: its authorizer is not configured', {
        function: rec.name,
        route: key.key,
        problems,
      });
    let bucket: TokenBucket | undefined;
    if (spec.throttle) {
      const id = `${rec.name} ${key.key} ${spec.throttle.rate} ${spec.throttle.burst}`;
      bucket =
        opts.previous?.buckets.get(id) ?? new TokenBucket(spec.throttle.rate, spec.throttle.burst, opts.now);
      this.buckets.set(id, bucket);
    }
    const limit = opts.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
    const route: CompiledRoute = {
      key,
      functionName: rec.name,
      payload: spec.payload,
      cors: spec.cors ? new Cors(spec.cors) : undefined,
      auth,
      bucket,
      maxBodyBytes: spec.maxBodyBytes ?? MAX_BODY_BYTES,
      integrationTimeoutMs: rec.timeout * 1000 > limit ? limit : undefined,
    };
    if (!this.router.add(key, route))
      opts.warn('route skipped: another function serves it', { function: rec.name, route: key.key });
  }
}

/** JWKS URLs the routes use, to fetch ahead of the first request. */
export function jwksUrlsOf(records: readonly FunctionRecord[]): string[] {
  const urls = new Set<string>();
  for (const rec of records)
    for (const r of rec.routes ?? []) if (r.auth?.type === 'jwt' && r.auth.jwksUrl) urls.add(r.auth.jwksUrl);
  return [...urls];
}
