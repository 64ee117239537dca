import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { BatonError, isBatonError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';
import type { LambdaAuthSpec } from '../../src/gateway/auth.ts';
import { authorizerEvent, identityValues, routeArn } from '../../src/gateway/authorizer-event.ts';
import { grantFor, parseAuthorizerResponse } from '../../src/gateway/authorizer-response.ts';
import type { RouteInfo } from '../../src/gateway/events.ts';
import { LambdaAuthorizers } from '../../src/gateway/lambda-authorizer.ts';
import type { GatewayRequest } from '../../src/gateway/request.ts';

const API = { accountId: '000000000000', apiId: 'abcdefghij', region: 'eu-west-1' };
const ARN = 'arn:aws:execute-api:eu-west-1:000000000000:abcdefghij/$default/GET/items/42';

const spec = (over: Partial<LambdaAuthSpec> = {}): LambdaAuthSpec => ({
  type: 'lambda',
  function: 'authz',
  identitySource: ['$request.header.Authorization'],
  enableSimpleResponses: true,
  resultTtlSeconds: 300,
  payloadFormatVersion: '2.0',
  ...over,
});

const request = (headers: string[], rawQuery = ''): GatewayRequest => ({
  method: 'GET',
  rawPath: '/items/42',
  rawQuery,
  rawHeaders: ['Host', 'api.example', ...headers],
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  body: Buffer.from('not for the authorizer'),
  requestId: 'req-1',
  timeEpoch: Date.UTC(2024, 0, 1),
});

const ROUTE: RouteInfo = {
  routeKey: 'GET /items/{id}',
  resourcePath: '/items/{id}',
  pathParameters: { id: '42' },
  jwt: undefined,
};

const policy = (effect: 'Allow' | 'Deny', resource: string | string[], extra: object = {}) =>
  JSON.stringify({
    principalId: 'user-7',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...extra,
  });

/** Interprets a payload and decides it for ARN; a string is a malformed response. */
const decide = (payload: string, simple: boolean, arn = ARN) => {
  const r = parseAuthorizerResponse(payload, simple);
  return typeof r === 'string' ? r : grantFor(r, arn, API.accountId);
};

describe('Lambda authorizer responses', () => {
  it('reads simple responses, with their context', () => {
    assert.deepEqual(decide('{"isAuthorized":true,"context":{"user":"ada","n":1}}', true), {
      context: { user: 'ada', n: 1 },
    });
    assert.deepEqual(decide('{"isAuthorized":true}', true), { context: {} });
    assert.equal(decide('{"isAuthorized":false,"context":{"user":"ada"}}', true), undefined);
  });

  it('evaluates IAM policy responses against the route ARN', () => {
    assert.deepEqual(decide(policy('Allow', ARN, { context: { tier: 'gold' } }), false), {
      context: { tier: 'gold' },
      principalId: 'user-7',
    });
    const wildcard = 'arn:aws:execute-api:eu-west-1:000000000000:abcdefghij/*';
    assert.ok(decide(policy('Allow', wildcard), false));
    assert.ok(decide(policy('Allow', '*'), false));
    assert.ok(decide(policy('Allow', 'arn:aws:execute-api:*:*:*/$default/GET/items/*'), false));
    assert.equal(decide(policy('Allow', `${wildcard.slice(0, -1)}$default/POST/*`), false), undefined);
    assert.equal(decide(policy('Deny', ARN), false), undefined, 'Deny');
    const both = JSON.stringify({
      principalId: 'u',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' },
          { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ARN },
        ],
      },
    });
    assert.equal(decide(both, false), undefined, 'an explicit Deny wins');
    const otherAction = policy('Allow', '*').replace('execute-api:Invoke', 'lambda:InvokeFunction');
    assert.equal(decide(otherAction, false), undefined, 'only execute-api:Invoke counts');
  });

  it('calls malformed responses malformed (the gateway answers 500)', () => {
    for (const [payload, simple, why] of [
      ['not json', true, /not JSON/],
      ['[true]', true, /not an object/],
      ['{"isAuthorized":"yes"}', true, /isAuthorized/],
      ['{"isAuthorized":true,"context":"x"}', true, /context/],
      ['{"isAuthorized":true}', false, /policyDocument/],
      ['{"principalId":"u","policyDocument":{"Statement":[]}}', false, /not a policy/],
      [policy('Allow', '*', { principalId: 7 }), false, /principalId/],
    ] as const) {
      const r = parseAuthorizerResponse(payload, simple);
      assert.equal(typeof r, 'string', payload);
      assert.match(r as string, why);
    }
  });
});

describe('Lambda authorizer events', () => {
  it('reads identity sources from headers and the query; a missing or empty one is undefined', () => {
    const raw = ['authorization', 'Bearer a', 'X-Tenant', 't1', 'x-tenant', 't2', 'x-empty', ''];
    const sources = ['$request.header.Authorization', '$request.header.X-TENANT', '$request.querystring.v'];
    assert.deepEqual(identityValues(sources, raw, 'v=1&v=2'), ['Bearer a', 't1,t2', '1,2']);
    assert.equal(identityValues(sources, raw, ''), undefined);
    assert.equal(identityValues(['$request.header.x-empty'], raw, ''), undefined);
    assert.deepEqual(identityValues([], raw, ''), []);
  });

  it('builds the 2.0 REQUEST event, without the body', () => {
    const arn = routeArn(API, 'GET', '/items/42');
    assert.equal(arn, ARN);
    const e = authorizerEvent(spec(), request(['Authorization', 'tok']), ROUTE, API, arn, ['tok']);
    assert.deepEqual(Object.keys(e).slice(0, 6), [
      'version',
      'type',
      'routeArn',
      'identitySource',
      'routeKey',
      'rawPath',
    ]);
    assert.equal(e.version, '2.0');
    assert.equal(e.type, 'REQUEST');
    assert.deepEqual(e.identitySource, ['tok']);
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.equal((e.headers as Record<string, string>).authorization, 'tok');
    assert.equal((e.requestContext as Record<string, unknown>).routeKey, 'GET /items/{id}');
    assert.ok(!('body' in e) && !('isBase64Encoded' in e));
  });

  it('builds the 1.0 REQUEST event with methodArn and the joined identity', () => {
    const e = authorizerEvent(
      spec({ payloadFormatVersion: '1.0', enableSimpleResponses: false }),
      request(['Authorization', 'tok'], 'v=1'),
      ROUTE,
      API,
      ARN,
      ['tok', '1'],
    );
    assert.equal(e.version, '1.0');
    assert.equal(e.methodArn, ARN);
    assert.equal(e.identitySource, 'tok,1');
    assert.equal(e.authorizationToken, 'tok,1');
    assert.equal(e.httpMethod, 'GET');
    assert.equal(e.resource, '/items/{id}');
    assert.deepEqual({ ...(e.queryStringParameters as object) }, { v: '1' });
    assert.ok(!('body' in e));
  });
});

describe('LambdaAuthorizers (ManualClock, staged invocations)', () => {
  const setup = (answer: () => Promise<{ payload: string; functionError?: string }>) => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const calls: Record<string, unknown>[] = [];
    const authorizers = new LambdaAuthorizers({
      clock,
      api: API,
      timeoutMs: 1000,
      invoke: (name, event) => {
        assert.equal(name, 'authz');
        calls.push(event);
        return answer();
      },
    });
    const run = (s: LambdaAuthSpec, token?: string) =>
      authorizers.authorize(s, request(token === undefined ? [] : ['Authorization', token]), ROUTE);
    return { clock, calls, run, authorizers };
  };
  const allow = async () => ({ payload: '{"isAuthorized":true,"context":{"user":"ada"}}' });

  it('answers 401 without invoking when an identity source is missing', async () => {
    const { calls, run } = setup(allow);
    const r = await run(spec());
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.answer.status, 401);
    assert.equal(calls.length, 0);
  });

  it('caches a result for resultTtlSeconds, per identity source values', async () => {
    const { clock, calls, run } = setup(allow);
    assert.deepEqual(await run(spec(), 'a'), { ok: true, lambda: { context: { user: 'ada' } } });
    clock.advance(299_999);
    assert.equal((await run(spec(), 'a')).ok, true);
    assert.equal(calls.length, 1, 'cached within the TTL');
    await run(spec(), 'b');
    assert.equal(calls.length, 2, 'another identity is another key');
    clock.advance(1);
    await run(spec(), 'a');
    assert.equal(calls.length, 3, 'expired after 300 s');
  });

  it('caches denials too, and shares one call between concurrent requests', async () => {
    let n = 0;
    const { calls, run } = setup(async () => ({ payload: `{"isAuthorized":${n++ > 0}}` }));
    const [a, b] = await Promise.all([run(spec(), 'x'), run(spec(), 'x')]);
    assert.equal(!a.ok && a.answer.status, 403);
    assert.equal(!b.ok && b.answer.status, 403);
    assert.equal((await run(spec(), 'x')).ok, false, 'the cached denial');
    assert.equal(calls.length, 1);
  });

  it('does not cache with resultTtlSeconds 0', async () => {
    const { calls, run, authorizers } = setup(allow);
    await run(spec({ resultTtlSeconds: 0 }), 'a');
    await run(spec({ resultTtlSeconds: 0 }), 'a');
    assert.equal(calls.length, 2);
    assert.equal(authorizers.cacheSize, 0);
  });

  it('evaluates a cached policy again for each route ARN', async () => {
    const { calls, authorizers } = setup(async () => ({ payload: policy('Allow', ARN) }));
    const s = spec({ enableSimpleResponses: false });
    const ok = await authorizers.authorize(s, request(['Authorization', 't']), ROUTE);
    assert.deepEqual(ok, { ok: true, lambda: { context: {}, principalId: 'user-7' } });
    const other = { ...request(['Authorization', 't']), rawPath: '/items/43' };
    const denied = await authorizers.authorize(s, other, ROUTE);
    assert.equal(!denied.ok && denied.answer.status, 403);
    assert.equal(calls.length, 1);
  });

  it('answers 500 on errors, malformed answers and timeouts, and caches none of them', async () => {
    let behaviour: () => Promise<{ payload: string; functionError?: string }> = async () => ({
      payload: '{"errorType":"Error","errorMessage":"boom"}',
      functionError: 'Unhandled',
    });
    const { clock, calls, run, authorizers } = setup(() => behaviour());
    const failed = await run(spec(), 'a');
    assert.deepEqual(!failed.ok && [failed.answer.status, failed.reason], [500, 'authorizer failed: Error']);
    behaviour = async () => ({ payload: '{"allowed":true}' });
    const malformed = await run(spec(), 'a');
    assert.equal(!malformed.ok && malformed.answer.status, 500);
    behaviour = () => Promise.reject(new BatonError('ResourceNotFound', 'no authz'));
    const missing = await run(spec(), 'a');
    assert.equal(!missing.ok && missing.answer.status, 500);
    behaviour = () => new Promise(() => {});
    const pending = run(spec(), 'a');
    await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    const timedOut = await pending;
    assert.deepEqual(!timedOut.ok && [timedOut.answer.status, timedOut.reason], [
      500,
      'authorizer timed out',
    ]);
    assert.equal(calls.length, 4);
    assert.equal(authorizers.cacheSize, 0);
  });
});

describe('auth: { lambda } in baton.yaml', () => {
  const routeOf = (auth: string) =>
    parseManifest(
      `functions:\n  api:\n    handler: src/api.handler\n    events:\n      - http:\n          route: GET /x\n          auth: ${auth}\n`,
      '/apps/demo',
    ).functions.api!.routes![0]!.auth;
  const rejects = (auth: string, message: RegExp) =>
    assert.throws(
      () => routeOf(auth),
      (e) => isBatonError(e) && message.test(e.message),
      message.source,
    );

  it('takes the full form and fills in API Gateway defaults', () => {
    assert.deepEqual(
      routeOf(
        '{ lambda: { function: authz, identitySource: [$request.header.Authorization, $request.querystring.v], enableSimpleResponses: true, resultTtlSeconds: 60, payloadFormatVersion: "2.0" } }',
      ),
      spec({
        identitySource: ['$request.header.Authorization', '$request.querystring.v'],
        resultTtlSeconds: 60,
      }),
    );
    assert.deepEqual(routeOf('{ lambda: authz }'), spec({ enableSimpleResponses: false }));
    assert.deepEqual(
      routeOf('{ lambda: { function: authz, identitySource: [] } }'),
      spec({ identitySource: [], enableSimpleResponses: false, resultTtlSeconds: 0 }),
    );
  });

  it('refuses what API Gateway refuses', () => {
    rejects('{ lambda: {} }', /lambda\.function: is required/);
    rejects('{ lambda: { function: authz, identitySource: [$context.x] } }', /identitySource\[0\]/);
    rejects('{ lambda: { function: authz, resultTtlSeconds: 3601 } }', /resultTtlSeconds/);
    rejects('{ lambda: { function: authz, identitySource: [], resultTtlSeconds: 5 } }', /must be 0/);
    rejects(
      '{ lambda: { function: authz, payloadFormatVersion: "1.0", enableSimpleResponses: true } }',
      /needs payloadFormatVersion "2.0"/,
    );
    rejects('{ lambda: { function: authz, cache: 1 } }', /not a known field/);
  });
});
