import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCorsSpec } from '../../src/core/function-spec.ts';
import { Cors } from '../../src/gateway/cors.ts';

const spec = (over: Partial<HttpCorsSpec> = {}): HttpCorsSpec => ({
  allowOrigins: ['https://app.example'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type', 'authorization'],
  exposeHeaders: ['x-trace'],
  allowCredentials: false,
  ...over,
});

describe('CORS', () => {
  const preflights: [string, HttpCorsSpec, [string, string, string | undefined], Record<string, string>][] = [
    [
      'an allowed origin and method get the configured headers',
      spec({ maxAge: 600 }),
      ['https://app.example', 'POST', 'content-type'],
      {
        'access-control-allow-origin': 'https://app.example',
        vary: 'Origin',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'content-type,authorization',
        'access-control-max-age': '600',
      },
    ],
    ['another origin gets no CORS headers', spec(), ['https://evil.example', 'GET', undefined], {}],
    ['a method not allowed gets no CORS headers', spec(), ['https://app.example', 'DELETE', undefined], {}],
    [
      'wildcards answer *',
      spec({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }),
      ['https://any.example', 'DELETE', 'x-a'],
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': '*',
        'access-control-allow-headers': '*',
      },
    ],
    [
      'with credentials, wildcards echo the request',
      spec({ allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true }),
      ['https://app.example', 'PUT', 'x-a,x-b'],
      {
        'access-control-allow-origin': 'https://app.example',
        vary: 'Origin',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'x-a,x-b',
      },
    ],
    [
      'origins compare without case',
      spec(),
      ['https://APP.example', 'GET', undefined],
      {
        'access-control-allow-origin': 'https://APP.example',
        vary: 'Origin',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'content-type,authorization',
      },
    ],
  ];
  for (const [name, s, [origin, method, headers], expected] of preflights)
    it(`preflight: ${name}`, () => {
      assert.deepEqual(new Cors(s).preflight(origin, method, headers), expected);
    });

  it('adds origin, credentials and exposed headers to a response', () => {
    const out: Record<string, string | string[]> = {};
    new Cors(spec({ allowCredentials: true })).response('https://app.example', out);
    assert.deepEqual(out, {
      'access-control-allow-origin': 'https://app.example',
      vary: 'Origin',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-trace',
    });
    const none: Record<string, string | string[]> = {};
    new Cors(spec()).response('https://evil.example', none);
    assert.deepEqual(none, {});
  });
});
