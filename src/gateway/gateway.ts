import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type Clock, withTimeout } from '../core/clock.ts';
import { isBatonError } from '../core/errors.ts';
import type { FunctionRecord } from '../core/function-spec.ts';
import { limits } from '../core/limits.ts';
import { readBody } from '../server/http-io.ts';
import { ANSWERS, type Answer } from './answers.ts';
import { type AuthResult, authorize } from './auth.ts';
import { isCorsHeader } from './cors.ts';
import { type ApiIdentity, eventV1, eventV2, type RouteInfo } from './events.ts';
import { JwksCache } from './jwks.ts';
import { LambdaAuthorizers } from './lambda-authorizer.ts';
import { type GatewayRequest, headerOf } from './request.ts';
import { type GatewayTracer, withTraceHeader } from './request-tracing.ts';
import { type GatewayResponse, responseV1, responseV2 } from './response.ts';
import { type CompiledRoute, jwksUrlsOf, RouteTable } from './route-table.ts';
import { splitPath } from './router.ts';

/** Where routes come from: the registry (its `$LATEST` records) and its change events. */
export interface RouteSource {
  list(): FunctionRecord[];
  onChange(listener: (key: string, record: FunctionRecord | undefined) => void): void;
}

/** The invocation result the gateway needs (the invoker's `InvokeResult`). */
export interface InvokeOutcome {
  payload: string;
  functionError?: string;
}

export interface GatewayDeps {
  routes: RouteSource;
  /** Runs the function with the event (an object: it is serialised once, on its way to the instance). */
  /** `trace`: the request span's X-Amzn-Trace-Id, the invocation's parent (when tracing is on). */
  invoke: (functionName: string, event: Record<string, unknown>, trace?: string) => Promise<InvokeOutcome>;
  clock: Clock;
  log: Logger;
  api: ApiIdentity;
  /** Where `${env:NAME}` secrets are read; default: Baton's own environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Ms: the longest wait for a function (API Gateway's 30 s); tests shorten it. */
  integrationTimeoutMs?: number;
  /** Told of every answered request (metrics); absent when they are off. */
  observe?: GatewayObserver;
  /** Ms the longest wait for a Lambda authorizer (API Gateway's 10 s); tests shorten it. */
  authorizerTimeoutMs?: number;
  /** Traces (`telemetry/traces/hooks.ts`); absent when they are off. */
  trace?: GatewayTracer;
}

/** `routeKey` is undefined when no route matched; `status` 0 when no response was sent. */
export type GatewayObserver = (routeKey: string | undefined, status: number, latencyMs: number) => void;

/** What one request did, for its access-log line. */
interface Access {
  requestId: string;
  ip: string;
  method: string;
  path: string;
  routeKey?: string;
  function?: string;
  status: number;
  responseLength: number;
  latencyMs: number;
  integrationLatencyMs?: number;
  error?: string;
  apiKey?: string;
}

// apigw-requestid: 11 bytes in base64 (16 characters, as API Gateway's): a random prefix per
// process and a counter. Unique, cheap; not a secret.
const ID_PREFIX = randomBytes(5);
let idCounter = 0;
function nextRequestId(): string {
  const b = Buffer.allocUnsafe(11);
  ID_PREFIX.copy(b, 0);
  idCounter = (idCounter + 1) % 0x1000000000000;
  b.writeUIntBE(idCounter, 5, 6);
  return b.toString('base64');
}

/**
 * The public gateway: matches a request to a route, answers CORS preflights, applies the route's
 * throttle, body limit and authorizer, invokes the function with an API Gateway event, and maps
 * its result back to HTTP. The route table is rebuilt on registry changes, never per request.
 */
export class Gateway {
  private table: RouteTable;
  private readonly jwks: JwksCache;
  /** Runs Lambda authorizers and caches their results; survives route reloads, as results do on AWS. */
  readonly authorizers: LambdaAuthorizers;
  private readonly log: Logger;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(private readonly deps: GatewayDeps) {
    this.log = deps.log.child({ component: 'gateway' });
    this.env = deps.env ?? process.env;
    this.jwks = new JwksCache(deps.clock, (url, err) =>
      this.log.error({ jwksUrl: url, err }, 'fetching a JSON Web Key Set failed'),
    );
    this.authorizers = new LambdaAuthorizers({
      invoke: deps.invoke,
      clock: deps.clock,
      api: deps.api,
      timeoutMs: deps.authorizerTimeoutMs,
    });
    this.table = this.build(undefined);
    deps.routes.onChange((key) => {
      // A published version (`name:3`) carries no routes of its own.
      if (!key.includes(':')) this.reload();
    });
  }

  /** Routes currently served, as route keys. */
  get routeCount(): number {
    return this.table.router.count;
  }

  reload(): void {
    this.table = this.build(this.table);
  }

  private build(previous: RouteTable | undefined): RouteTable {
    const records = this.deps.routes.list();
    const table = RouteTable.build(records, {
      env: this.env,
      now: this.deps.clock.now(),
      warn: (message, details) => this.log.warn(details, message),
      previous,
      integrationTimeoutMs: this.deps.integrationTimeoutMs,
    });
    for (const url of jwksUrlsOf(records)) this.jwks.warm(url);
    return table;
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(req, res);
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const clock = this.deps.clock;
    const started = clock.now();
    const requestId = nextRequestId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const raw = req.rawHeaders;
    const span = this.deps.trace?.start(method, rawPath, raw, requestId);
    const access: Access = {
      requestId,
      ip: sourceIp(req),
      method,
      path: rawPath,
      status: 0,
      responseLength: 0,
      latencyMs: 0,
    };
    const origin = headerOf(raw, 'origin');
    let route: CompiledRoute | undefined;
    try {
      const segments = rawPath.startsWith('/') ? splitPath(rawPath) : undefined;
      if (!segments) return this.answer(res, access, ANSWERS.notFound, undefined, origin);
      const router = this.table.router;

      // A CORS preflight for a route with CORS is answered here, before throttling and auth.
      if (method === 'OPTIONS' && origin !== undefined) {
        const wanted = headerOf(raw, 'access-control-request-method');
        const target = wanted ? router.match(wanted.toUpperCase(), segments)?.value : undefined;
        if (wanted && target?.cors) {
          access.routeKey = target.key.key;
          const headers = target.cors.preflight(
            origin,
            wanted,
            headerOf(raw, 'access-control-request-headers'),
          );
          headers['apigw-requestid'] = requestId;
          res.writeHead(204, headers);
          res.end();
          access.status = 204;
          return;
        }
      }

      const match = router.match(method, segments);
      if (!match) return this.answer(res, access, ANSWERS.notFound, undefined, origin);
      route = match.value;
      access.routeKey = route.key.key;
      access.function = route.functionName;

      if (route.bucket && !route.bucket.take(started))
        return this.answer(res, access, ANSWERS.throttled, route, origin, 'route throttled');
      const declared = headerOf(raw, 'content-length');
      if (declared !== undefined && Number(declared) > route.maxBodyBytes)
        return this.answer(res, access, ANSWERS.tooLarge, route, origin, 'body over maxBodyBytes', true);

      const request: GatewayRequest = {
        method,
        rawPath,
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        rawHeaders: raw,
        sourceIp: access.ip,
        protocol: `HTTP/${req.httpVersion}`,
        body: undefined,
        requestId,
        timeEpoch: started,
      };
      const info: RouteInfo = {
        routeKey: route.key.key,
        resourcePath: route.key.path,
        pathParameters: match.params,
        jwt: undefined,
      };
      let auth: AuthResult | Promise<AuthResult> =
        route.auth.kind === 'lambda'
          ? this.authorizers.authorize(route.auth.spec, request, info)
          : authorize(route.auth, (name) => headerOf(raw, name), this.jwks, started);
      if (auth instanceof Promise) auth = await auth;
      if (!auth.ok)
        return this.answer(res, access, auth.answer, route, origin, auth.reason, false, auth.headers);
      if (auth.keyName) access.apiKey = auth.keyName;
      info.jwt = auth.jwt;
      if (auth.lambda) info.lambda = auth.lambda;

      let body: Buffer | undefined;
      if (declared !== undefined || headerOf(raw, 'transfer-encoding') !== undefined) {
        try {
          body = await readBody(req, route.maxBodyBytes, 'gateway');
        } catch (e) {
          if (isBatonError(e, 'RequestTooLarge'))
            return this.answer(res, access, ANSWERS.tooLarge, route, origin, 'body over maxBodyBytes', true);
          throw e;
        }
      }

      request.body = body;
      const event =
        route.payload === '2.0'
          ? eventV2(request, info, this.deps.api)
          : eventV1(request, info, this.deps.api);
      // Lambda's 6 MB invoke limit: measured only when the request is large enough to reach it.
      if (
        eventSizeBound(raw, url.length, body) > limits.invokePayloadBytes &&
        Buffer.byteLength(JSON.stringify(event)) > limits.invokePayloadBytes
      )
        return this.answer(
          res,
          access,
          ANSWERS.tooLarge,
          route,
          origin,
          'event over the 6 MB invoke limit',
          true,
        );

      if (span) withTraceHeader(event, span.header);
      const invokedAt = clock.now();
      const result = await this.invoke(route, event, span?.header);
      access.integrationLatencyMs = clock.now() - invokedAt;
      if (result === 'timeout')
        return this.answer(res, access, ANSWERS.unavailable, route, origin, 'integration timeout');
      if (result.functionError) {
        const type = errorTypeOf(result.payload);
        const timedOut = type === 'Sandbox.Timedout';
        return this.answer(
          res,
          access,
          timedOut ? ANSWERS.unavailable : ANSWERS.badGateway,
          route,
          origin,
          type,
        );
      }
      const mapped = route.payload === '2.0' ? responseV2(result.payload) : responseV1(result.payload);
      if (typeof mapped === 'string')
        return this.answer(res, access, ANSWERS.badGateway, route, origin, `malformed response: ${mapped}`);
      this.send(res, access, mapped, route, origin);
    } catch (e) {
      const answer = invokeFailure(e);
      if (answer === ANSWERS.internal) this.log.error({ err: e, requestId }, 'gateway request failed');
      if (res.headersSent) res.destroy();
      else this.answer(res, access, answer, route, origin, isBatonError(e) ? e.code : 'internal error');
    } finally {
      access.latencyMs = clock.now() - started;
      this.deps.observe?.(access.routeKey, access.status, access.latencyMs);
      span?.end(access.routeKey, access.status);
      this.log.info(access, 'gateway request');
    }
  }

  /** Invokes, giving up after the integration timeout when the function's own is longer. */
  private invoke(
    route: CompiledRoute,
    ev: Record<string, unknown>,
    trace?: string,
  ): Promise<InvokeOutcome | 'timeout'> {
    const call = this.deps.invoke(route.functionName, ev, trace);
    if (route.integrationTimeoutMs === undefined) return call;
    return withTimeout(this.deps.clock, route.integrationTimeoutMs, call);
  }

  private send(
    res: ServerResponse,
    access: Access,
    r: GatewayResponse,
    route: CompiledRoute | undefined,
    origin: string | undefined,
  ): void {
    const headers = r.headers;
    if (route?.cors) {
      for (const name of Object.keys(headers)) if (isCorsHeader(name)) delete headers[name];
      if (origin !== undefined) route.cors.response(origin, headers);
    }
    const length = typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length;
    // No Content-Length on a 204 or 304 (RFC 9110 §8.6); Node sends no body with them either.
    if (r.status !== 204 && r.status !== 304) headers['content-length'] = String(length);
    headers['apigw-requestid'] = access.requestId;
    res.writeHead(r.status, headers);
    res.end(r.body);
    access.status = r.status;
    access.responseLength = length;
  }

  private answer(
    res: ServerResponse,
    access: Access,
    a: Answer,
    route: CompiledRoute | undefined,
    origin: string | undefined,
    error?: string,
    close = false,
    extra?: Record<string, string>,
  ): void {
    const headers: Record<string, string | string[]> = { 'content-type': 'application/json', ...extra };
    // A body over the limit is not read to its end: the connection is closed instead.
    if (close) headers.connection = 'close';
    if (error) access.error = error;
    this.send(res, access, { status: a.status, headers, body: a.body }, route, origin);
  }
}

function sourceIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * More than the event's JSON can weigh: the headers and the URL twice (1.0 has both maps) and
 * at most doubled by escaping, the body escaped at worst (`\u0000` for a byte) or in base64,
 * and the fixed fields.
 */
function eventSizeBound(raw: readonly string[], urlLength: number, body: Buffer | undefined): number {
  let header = 0;
  for (const s of raw) header += s.length;
  return 4 * (header + urlLength) + 6 * (body?.length ?? 0) + 8192;
}

function errorTypeOf(payload: string): string {
  try {
    const t = (JSON.parse(payload) as { errorType?: unknown }).errorType;
    return typeof t === 'string' ? t : 'Unhandled';
  } catch {
    return 'Unhandled';
  }
}

/** How a failed invoke reaches the client. */
function invokeFailure(e: unknown): Answer {
  if (!isBatonError(e)) return ANSWERS.internal;
  switch (e.code) {
    case 'ThrottledFunction':
    case 'ThrottledAccount':
      return ANSWERS.throttled;
    case 'RequestTooLarge':
      return ANSWERS.tooLarge;
    case 'ShuttingDown':
      return ANSWERS.unavailable;
    default:
      return ANSWERS.internal;
  }
}
