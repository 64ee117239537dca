import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';
import { describeRoutes } from '../../src/gateway/describe.ts';
import { redactSecret, resolveSecret } from '../../src/gateway/secrets.ts';

/** A `${env:NAME}` secret reference. */
const ref = (name: string): string => `\${env:${name}}`;

const manifest = (events: string): string =>
  `functions:\n  api:\n    handler: src/api.handler\n    events:\n${events
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`;

const routesOf = (events: string) => parseManifest(manifest(events), '/apps/demo').functions.api!.routes;

const rejects = (text: string, message: RegExp): void => {
  assert.throws(
    () => parseManifest(text, '/apps/demo'),
    (e) => isBatonError(e) && message.test(e.message),
    message.source,
  );
};

describe('http events in baton.yaml', () => {
  it('reads the short form as a payload 2.0 route with no options', () => {
    assert.deepEqual(routesOf('- http: get /items/{id}\n- http: $default'), [
      { route: 'GET /items/{id}', payload: '2.0' },
      { route: '$default', payload: '2.0' },
    ]);
  });

  it('reads the long form with every option', () => {
    const routes = routesOf(`- http:
    route: POST /items
    payload: '1.0'
    cors:
      allowOrigins: [https://a.example]
      allowMethods: [get, post]
      allowHeaders: [Content-Type]
      exposeHeaders: X-Trace
      maxAge: 300
      allowCredentials: true
    auth:
      jwt:
        issuer: https://issuer.example
        audience: api
        jwksUrl: https://issuer.example/jwks.json
        scopes: [items:write]
    throttle: { rate: 5 }
    maxBodyBytes: 1024`);
    assert.deepEqual(routes, [
      {
        route: 'POST /items',
        payload: '1.0',
        cors: {
          allowOrigins: ['https://a.example'],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['content-type'],
          exposeHeaders: ['x-trace'],
          maxAge: 300,
          allowCredentials: true,
        },
        auth: {
          type: 'jwt',
          issuer: 'https://issuer.example',
          audience: ['api'],
          jwksUrl: 'https://issuer.example/jwks.json',
          scopes: ['items:write'],
        },
        throttle: { rate: 5, burst: 5 },
        maxBodyBytes: 1024,
      },
    ]);
  });

  it('reads API keys as a list or as named keys, and cors: true', () => {
    const routes = routesOf(`- http:
    route: GET /a
    cors: true
    auth: { apiKeys: ["\${env:KEY_A}", "a-literal-key-of-20-chars"] }
- http:
    route: GET /b
    auth: { apiKeys: { partner: "\${env:KEY_B}" } }
- http: { route: GET /c, auth: none }`);
    assert.deepEqual(routes?.[0]?.cors, {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
    });
    assert.deepEqual(routes?.[0]?.auth, {
      type: 'apiKey',
      keys: [
        { name: 'key-1', value: ref('KEY_A') },
        { name: 'key-2', value: 'a-literal-key-of-20-chars' },
      ],
    });
    assert.deepEqual(routes?.[1]?.auth, {
      type: 'apiKey',
      keys: [{ name: 'partner', value: ref('KEY_B') }],
    });
    assert.equal(routes?.[2]?.auth, undefined);
  });

  it('leaves routes out of a function without events', () => {
    const m = parseManifest('functions:\n  f:\n    handler: a.b\n', '/x');
    assert.equal('routes' in m.functions.f!, false);
  });

  it('names the field path of every mistake', () => {
    const f = (events: string) => manifest(events);
    const cases: [string, RegExp][] = [
      ['- http: /items', /^functions\.api\.events\[0\]\.http: "\/items" is not a route key/],
      ['- cron: x', /^functions\.api\.events\[0\]\.cron: is not a known event type/],
      ['- http: { path: /x }', /^functions\.api\.events\[0\]\.http\.path: is not a known field/],
      ['- http: { payload: "2.0" }', /^functions\.api\.events\[0\]\.http\.route: is required/],
      ['- http: { route: GET /x, payload: "3.0" }', /\.payload: must be "2.0" or "1.0"/],
      [
        '- http: { route: GET /x, maxBodyBytes: 20000000 }',
        /\.maxBodyBytes: must be a whole number of bytes/,
      ],
      ['- http: { route: GET /x, throttle: { burst: 3 } }', /\.throttle\.rate: is required/],
      [
        '- http: { route: GET /x, throttle: { rate: 1, burst: 0.5 } }',
        /\.throttle\.burst: must be a whole number/,
      ],
      ['- http: { route: GET /x, cors: { allowMethods: [GET] } }', /\.cors\.allowOrigins: is required/],
      [
        '- http: { route: GET /x, cors: { allowOrigins: ["*"], allowCredentials: true } }',
        /allowCredentials: cannot be true/,
      ],
      [
        '- http: { route: GET /x, cors: { allowOrigins: [a], allowMethods: [FETCH] } }',
        /allowMethods: "FETCH" is not a method/,
      ],
      [
        '- http: { route: GET /x, auth: { apiKeys: [short] } }',
        /\.auth\.apiKeys\[0\]: must be at least 20 characters/,
      ],
      ['- http: { route: GET /x, auth: { apiKeys: [] } }', /\.auth\.apiKeys: must hold at least one key/],
      [
        '- http: { route: GET /x, auth: { jwt: { audience: a, secret: x } } }',
        /\.auth\.jwt\.issuer: is required/,
      ],
      [
        '- http: { route: GET /x, auth: { jwt: { issuer: i, secret: x } } }',
        /\.auth\.jwt\.audience: is required/,
      ],
      [
        '- http: { route: GET /x, auth: { jwt: { issuer: i, audience: a } } }',
        /\.auth\.jwt: needs exactly one of jwksUrl/,
      ],
      [
        '- http: { route: GET /x, auth: { jwt: { issuer: i, audience: a, secret: short } } }',
        /\.secret: must be at least 32/,
      ],
      [
        '- http: { route: GET /x, auth: { jwt: { issuer: i, audience: a, jwksUrl: ftp://x } } }',
        /\.jwksUrl: must be an http\(s\) URL/,
      ],
      ['- http: { route: GET /x, auth: { basic: {} } }', /\.auth: must be "none"/],
    ];
    for (const [events, message] of cases) rejects(f(events), message);
  });

  it('refuses one route declared twice in a manifest, even under other variable names', () => {
    rejects(
      `functions:
  a:
    handler: a.b
    events:
      - http: GET /items/{id}
  b:
    handler: a.b
    events:
      - http: get /items/{itemId}
`,
      /^functions\.b\.events\[0\]\.http: route "GET \/items\/\{itemId\}" is already declared by functions\.a\.events$/,
    );
  });
});

describe('route secrets', () => {
  it('resolves env references from the environment, and shows only references', () => {
    assert.equal(resolveSecret(ref('K'), { K: 'v' }), 'v');
    assert.equal(resolveSecret(ref('K'), {}), undefined);
    assert.equal(resolveSecret(ref('K'), { K: '' }), undefined);
    assert.equal(resolveSecret('literal', {}), 'literal');
    assert.equal(redactSecret(ref('K')), ref('K'));
    assert.equal(redactSecret('a-literal-secret'), '(literal, hidden)');
  });

  it('describes routes for the admin API without secret values', () => {
    const described = describeRoutes([
      {
        route: 'GET /a',
        payload: '2.0',
        auth: { type: 'apiKey', keys: [{ name: 'k', value: 'super-secret-value-123' }] },
      },
      {
        route: 'GET /b',
        payload: '2.0',
        auth: {
          type: 'jwt',
          issuer: 'i',
          audience: ['a'],
          secret: 'hs256-secret-hs256-secret-hs256-secret',
          scopes: [],
        },
      },
    ]);
    const text = JSON.stringify(described);
    assert.ok(!text.includes('super-secret-value-123'));
    assert.ok(!text.includes('hs256-secret'));
    assert.deepEqual(described[1], {
      route: 'GET /b',
      payload: '2.0',
      auth: { jwt: { issuer: 'i', audience: ['a'], scopes: [], secret: '(literal, hidden)' } },
    });
  });
});
