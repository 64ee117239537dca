import { type Clock, withTimeout } from '../core/clock.ts';
import { isBatonError } from '../core/errors.ts';
import { ANSWERS } from './answers.ts';
import type { AuthResult, LambdaAuthSpec } from './auth.ts';
import { authorizerEvent, identityValues, routeArn } from './authorizer-event.ts';
import { type AuthorizerResponse, grantFor, parseAuthorizerResponse } from './authorizer-response.ts';
import type { ApiIdentity, RouteInfo } from './events.ts';
import type { GatewayRequest } from './request.ts';

/** Ms the gateway waits for an authorizer function: API Gateway's authorizer timeout. */
export const AUTHORIZER_TIMEOUT_MS = 10_000;
/** Cached results at most; past it the oldest goes first. */
export const AUTHORIZER_CACHE_ENTRIES = 10_000;

export interface LambdaAuthorizerDeps {
  /** Runs the authorizer function; resolves with its payload (JSON) and error type, if any. */
  invoke: (
    functionName: string,
    event: Record<string, unknown>,
  ) => Promise<{ payload: string; functionError?: string }>;
  clock: Clock;
  api: ApiIdentity;
  /** Ms; default `AUTHORIZER_TIMEOUT_MS`. */
  timeoutMs?: number;
}

type Outcome = AuthorizerResponse | { failed: string };

/**
 * Runs routes' Lambda authorizers, as API Gateway HTTP APIs do: a request missing an identity
 * source gets 401 without a call; otherwise the function gets a `REQUEST` event, and its answer
 * (cached for `resultTtlSeconds`, keyed by the authorizer and the identity source values) is
 * allowed, 403, or, when the function fails, times out or answers something malformed, 500.
 * Concurrent requests with the same key share one call. Time comes from the injected clock.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * Guarded by `test/gateway/lambda-authorizer.test.ts` and `test/gateway/lambda-authorizer-server.test.ts`.
 */
export class LambdaAuthorizers {
  private readonly cache = new Map<string, { expiresAt: number; response: AuthorizerResponse }>();
  private readonly pending = new Map<string, Promise<Outcome>>();

  constructor(private readonly deps: LambdaAuthorizerDeps) {}

  /** Cached results, expired ones included until they are next looked up. */
  get cacheSize(): number {
    return this.cache.size;
  }

  async authorize(spec: LambdaAuthSpec, req: GatewayRequest, route: RouteInfo): Promise<AuthResult> {
    const identity = identityValues(spec.identitySource, req.rawHeaders, req.rawQuery);
    if (!identity) return { ok: false, answer: ANSWERS.unauthorized, reason: 'identity source missing' };
    const arn = routeArn(this.deps.api, req.method, req.rawPath);
    const outcome = await this.responseFor(spec, identity, () =>
      authorizerEvent(spec, req, route, this.deps.api, arn, identity),
    );
    if ('failed' in outcome) return { ok: false, answer: ANSWERS.internal, reason: outcome.failed };
    const grant = grantFor(outcome, arn, this.deps.api.accountId);
    return grant
      ? { ok: true, lambda: grant }
      : { ok: false, answer: ANSWERS.forbidden, reason: 'the Lambda authorizer denied the request' };
  }

  private async responseFor(
    spec: LambdaAuthSpec,
    identity: readonly string[],
    event: () => Record<string, unknown>,
  ): Promise<Outcome> {
    if (spec.resultTtlSeconds === 0) return this.call(spec, event());
    // The same function with other settings is another authorizer: its results are its own.
    const key = JSON.stringify([
      spec.function,
      spec.payloadFormatVersion,
      spec.enableSimpleResponses,
      spec.identitySource,
      identity,
    ]);
    const now = this.deps.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.response;
    if (hit) this.cache.delete(key);
    const running = this.pending.get(key);
    if (running) return running;
    const call = this.call(spec, event()).then((outcome) => {
      this.pending.delete(key);
      // Failures are not cached: the next request asks again.
      if (!('failed' in outcome)) this.remember(key, outcome, spec.resultTtlSeconds);
      return outcome;
    });
    this.pending.set(key, call);
    return call;
  }

  private remember(key: string, response: AuthorizerResponse, ttlSeconds: number): void {
    if (this.cache.size >= AUTHORIZER_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { expiresAt: this.deps.clock.now() + ttlSeconds * 1000, response });
  }

  private async call(spec: LambdaAuthSpec, event: Record<string, unknown>): Promise<Outcome> {
    let result: { payload: string; functionError?: string } | 'timeout';
    try {
      result = await withTimeout(
        this.deps.clock,
        this.deps.timeoutMs ?? AUTHORIZER_TIMEOUT_MS,
        this.deps.invoke(spec.function, event),
      );
    } catch (e) {
      return { failed: `authorizer not invoked: ${isBatonError(e) ? e.code : 'internal error'}` };
    }
    if (result === 'timeout') return { failed: 'authorizer timed out' };
    if (result.functionError) return { failed: `authorizer failed: ${errorTypeOf(result.payload)}` };
    const response = parseAuthorizerResponse(result.payload, spec.enableSimpleResponses);
    return typeof response === 'string' ? { failed: `malformed authorizer response: ${response}` } : response;
  }
}

function errorTypeOf(payload: string): string {
  try {
    const t = (JSON.parse(payload) as { errorType?: unknown }).errorType;
    return typeof t === 'string' ? t : 'Unhandled';
  } catch {
    return 'Unhandled';
  }
}
