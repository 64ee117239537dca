import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventV1, eventV2, type RouteInfo } from '../../src/gateway/events.ts';
import {
  apiGatewayTime,
  encodeBody,
  type GatewayRequest,
  isTextContentType,
} from '../../src/gateway/request.ts';

const api = { accountId: '000000000000', apiId: 'abcdefghij' };
const T = Date.UTC(2020, 2, 12, 19, 3, 58, 123);

const request = (over: Partial<GatewayRequest> = {}): GatewayRequest => ({
  method: 'POST',
  rawPath: '/items/42',
  rawQuery: 'a=1&a=2&b=x+y&c=%2F&flag',
  rawHeaders: [
    'Host',
    'api.example.com:4747',
    'User-Agent',
    'curl/8',
    'X-Dup',
    'one',
    'x-dup',
    'two',
    'Cookie',
    'a=1; b=2',
    'Cookie',
    'c=3',
    'Content-Type',
    'application/json; charset=utf-8',
  ],
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  body: Buffer.from('{"x":1}'),
  requestId: 'JKJaXmPLvHcESHA=',
  timeEpoch: T,
  ...over,
});

const route: RouteInfo = {
  routeKey: 'POST /items/{id}',
  resourcePath: '/items/{id}',
  pathParameters: { id: '42' },
  jwt: undefined,
};

// Events go to the function as JSON: compare what it receives.
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

describe('payload format 2.0', () => {
  it('builds the documented event', () => {
    assert.deepEqual(json(eventV2(request(), route, api)), {
      version: '2.0',
      routeKey: 'POST /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'a=1&a=2&b=x+y&c=%2F&flag',
      cookies: ['a=1', 'b=2', 'c=3'],
      headers: {
        host: 'api.example.com:4747',
        'user-agent': 'curl/8',
        'x-dup': 'one,two',
        'content-type': 'application/json; charset=utf-8',
      },
      queryStringParameters: { a: '1,2', b: 'x y', c: '/', flag: '' },
      pathParameters: { id: '42' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abcdefghij',
        domainName: 'api.example.com:4747',
        domainPrefix: 'api',
        http: {
          method: 'POST',
          path: '/items/42',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: 'POST /items/{id}',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: T,
      },
      body: '{"x":1}',
      isBase64Encoded: false,
    });
  });

  it('leaves out what the request lacks, and carries JWT claims', () => {
    const e = json(
      eventV2(
        request({ method: 'GET', rawQuery: '', rawHeaders: ['Host', 'h'], body: undefined }),
        {
          routeKey: '$default',
          resourcePath: '$default',
          pathParameters: undefined,
          jwt: { claims: { sub: 'u1' }, scopes: undefined },
        },
        api,
      ),
    );
    for (const absent of ['cookies', 'queryStringParameters', 'pathParameters', 'body'])
      assert.equal(absent in e, false, absent);
    assert.equal(e.isBase64Encoded, false);
    assert.deepEqual((e.requestContext as Record<string, unknown>).authorizer, {
      jwt: { claims: { sub: 'u1' }, scopes: null },
    });
    assert.equal(
      ((e.requestContext as Record<string, unknown>).http as Record<string, unknown>).userAgent,
      '',
    );
  });

  it('base64-encodes binary bodies and keeps text as text', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const bin = json(eventV2(request({ rawHeaders: ['Content-Type', 'image/png'], body: png }), route, api));
    assert.equal(bin.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(bin.body as string, 'base64'), png);
  });
});

describe('payload format 1.0', () => {
  it('builds the REST-shaped event', () => {
    const e = json(eventV1(request(), { ...route, jwt: { claims: { sub: 'u1' }, scopes: ['read'] } }, api));
    assert.equal(e.version, '1.0');
    assert.equal(e.resource, '/items/{id}');
    assert.equal(e.path, '/items/42');
    assert.equal(e.httpMethod, 'POST');
    assert.equal((e.headers as Record<string, string>)['x-dup'], 'two');
    assert.equal((e.headers as Record<string, string>).cookie, 'c=3');
    assert.deepEqual((e.multiValueHeaders as Record<string, string[]>)['x-dup'], ['one', 'two']);
    assert.deepEqual((e.multiValueHeaders as Record<string, string[]>).cookie, ['a=1; b=2', 'c=3']);
    assert.deepEqual(e.queryStringParameters, { a: '2', b: 'x y', c: '/', flag: '' });
    assert.deepEqual(e.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'], c: ['/'], flag: [''] });
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.equal(e.stageVariables, null);
    assert.equal(e.body, '{"x":1}');
    assert.equal(e.isBase64Encoded, false);
    const ctx = e.requestContext as Record<string, unknown>;
    assert.equal(ctx.resourcePath, '/items/{id}');
    assert.equal(ctx.httpMethod, 'POST');
    assert.equal(ctx.requestTime, '12/Mar/2020:19:03:58 +0000');
    assert.equal(ctx.requestTimeEpoch, T);
    assert.equal(ctx.stage, '$default');
    assert.deepEqual(ctx.authorizer, { claims: { sub: 'u1' }, scopes: ['read'] });
    assert.equal((ctx.identity as Record<string, unknown>).sourceIp, '127.0.0.1');
    assert.equal((ctx.identity as Record<string, unknown>).userAgent, 'curl/8');
  });

  it('sends null for what the request lacks', () => {
    const e = json(
      eventV1(request({ rawQuery: '', body: undefined }), { ...route, pathParameters: undefined }, api),
    );
    assert.equal(e.queryStringParameters, null);
    assert.equal(e.multiValueQueryStringParameters, null);
    assert.equal(e.pathParameters, null);
    assert.equal(e.body, null);
  });
});

describe('request pieces', () => {
  const types: [string | undefined, boolean][] = [
    ['text/plain', true],
    ['text/html; charset=utf-8', true],
    ['application/json', true],
    ['Application/JSON', true],
    ['application/vnd.api+json', true],
    ['application/xml', true],
    ['application/atom+xml', true],
    ['application/javascript', true],
    ['application/octet-stream', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['image/png', false],
    [undefined, false],
  ];
  for (const [type, text] of types)
    it(`${type ?? 'no content type'} reaches the function as ${text ? 'text' : 'base64'}`, () => {
      assert.equal(isTextContentType(type), text);
      assert.equal(encodeBody(Buffer.from('hi'), type).isBase64Encoded, !text);
    });

  it('formats requestContext.time as API Gateway does', () => {
    assert.equal(apiGatewayTime(Date.UTC(2021, 0, 5, 3, 4, 5)), '05/Jan/2021:03:04:05 +0000');
    assert.equal(apiGatewayTime(Date.UTC(2021, 0, 5, 3, 4, 5, 999)), '05/Jan/2021:03:04:05 +0000');
  });

  it('ignores a __proto__ header name instead of corrupting the map', () => {
    const e = eventV2(request({ rawHeaders: ['__proto__', 'x', 'Host', 'h'] }), route, api);
    assert.equal(JSON.stringify(e.headers), '{"__proto__":"x","host":"h"}');
  });
});
