import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { isBatonError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';
import { packageDir } from '../../src/deploy/package-dir.ts';
import { loadConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { FIXTURES } from '../helpers/harness.ts';
import { rsaKeys, signHs256, signRs256 } from '../helpers/jwt.ts';

const APP = join(FIXTURES, 'gateway-app');
const CREDS = { accessKeyId: 'AKIAGATEWAYTEST00000', secretAccessKey: 'gateway-test-secret' };
const API_KEY = 'mobile-api-key-0123456789';
const HS_SECRET = 'gateway-test-hs256-secret-0123456789abcdef';
const LITERAL_KEY = 'a-literal-partner-key-0123456789';
process.env.GW_TEST_API_KEY = API_KEY;
process.env.GW_TEST_JWT_SECRET = HS_SECRET;

/** The manifest of a second app: JWT routes (the JWKS URL is only known at run time). */
const authApp = (jwksUrl: string) => `
app: gateway-auth
functions:
  jwt-echo:
    handler: src/handlers.echo
    events:
      - http:
          route: GET /me
          auth:
            jwt:
              issuer: https://issuer.test
              audience: [gateway-tests]
              jwksUrl: ${jwksUrl}
              scopes: [profile]
      - http:
          route: GET /hs
          auth:
            jwt: { issuer: https://issuer.test, audience: gateway-tests, secret: "\${env:GW_TEST_JWT_SECRET}" }
      - http:
          route: GET /partner
          auth: { apiKeys: { partner: ${LITERAL_KEY} } }
`;

describe('gateway in front of real functions (in-process Baton, real HTTP)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-gw-'));
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  let server: RunningServer;
  let gw: string;
  let jwks: Server;
  let jwksUrl: string;
  const keys = rsaKeys('test-key');

  const start = () =>
    startServer(
      loadConfig({ BATON_SPARE_RUNNERS: '1' }, { data: dataDir, port: '0', controlPort: '0' }),
      CREDS,
      log,
    );
  const deploy = async (text: string) => {
    const m = parseManifest(text, APP);
    return server.deployer.deployApp(m.app, m.functions, await packageDir(APP));
  };
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${gw}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };
  const eventOf = async (path: string, init?: RequestInit) => {
    const r = await get(path, init);
    assert.equal(r.status, 200, r.text);
    // biome-ignore lint/suspicious/noExplicitAny: assertions walk the event loosely
    return r.json().event as Record<string, any>;
  };

  before(async () => {
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(keys.jwks));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    server = await start();
    gw = server.gatewayUrl;
    await deploy(readFileSync(join(APP, 'baton.yaml'), 'utf8'));
    await deploy(authApp(jwksUrl));
  });
  after(async () => {
    await server?.close(1000);
    jwks.closeAllConnections();
    jwks.close();
  });

  it('sends a 2.0 event and answers with the JSON result', async () => {
    const r = await get('/items/42?tag=a&tag=b&q=x%20y', {
      headers: { cookie: 'session=1; theme=dark', 'x-trace': 'one' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.match(r.headers.get('apigw-requestid') ?? '', /^.{15}=$/);
    const e = r.json().event;
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'GET /items/{id}');
    assert.equal(e.rawPath, '/items/42');
    assert.equal(e.rawQueryString, 'tag=a&tag=b&q=x%20y');
    assert.deepEqual(e.queryStringParameters, { tag: 'a,b', q: 'x y' });
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.deepEqual(e.cookies, ['session=1', 'theme=dark']);
    assert.equal(e.headers['x-trace'], 'one');
    assert.equal(e.requestContext.http.method, 'GET');
    assert.equal(e.requestContext.http.sourceIp, '127.0.0.1');
    assert.equal(e.requestContext.requestId, r.headers.get('apigw-requestid'));
    assert.equal(e.requestContext.stage, '$default');
    assert.equal(e.requestContext.accountId, '000000000000');
    assert.match(e.requestContext.apiId, /^[a-z0-9]{10}$/);
    assert.equal(e.isBase64Encoded, false);
  });

  it('selects routes: exact method, greedy ANY, then $default', async () => {
    assert.equal((await eventOf('/items', { method: 'POST' })).routeKey, 'POST /items');
    const greedy = await eventOf('/items/a/b', { method: 'DELETE' });
    assert.equal(greedy.routeKey, 'ANY /items/{proxy+}');
    assert.deepEqual(greedy.pathParameters, { proxy: 'a/b' });
    const fallback = await get('/anything/else?name=Ada');
    assert.equal(fallback.status, 200);
    assert.equal(fallback.text, 'hello Ada', 'a string result is the body itself');
    assert.equal(fallback.headers.get('content-type'), 'application/json');
  });

  it('passes binary bodies base64-encoded and text bodies as text', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const bin = await eventOf('/items', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    assert.equal(bin.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(bin.body, 'base64'), png);
    const text = await eventOf('/items', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'héllo',
    });
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, 'héllo');
  });

  it('sends a 1.0 event on a 1.0 route and maps its 1.0 response', async () => {
    const r = await get('/v1/a/b?q=1&q=2', { headers: { 'x-dup': 'one' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-multi'), 'a,b');
    const e = r.json().event;
    assert.equal(e.version, '1.0');
    assert.equal(e.resource, '/v1/{proxy+}');
    assert.equal(e.httpMethod, 'GET');
    assert.deepEqual(e.pathParameters, { proxy: 'a/b' });
    assert.deepEqual(e.queryStringParameters, { q: '2' });
    assert.deepEqual(e.multiValueQueryStringParameters, { q: ['1', '2'] });
    assert.deepEqual(e.multiValueHeaders['x-dup'], ['one']);
    assert.equal(e.requestContext.resourcePath, '/v1/{proxy+}');
    assert.equal(e.stageVariables, null);
  });

  it('maps structured results: status, headers, cookies, base64 bodies; malformed ones are 502', async () => {
    const respond = (path: string, result: unknown) =>
      get(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ result }),
      });
    const made = await respond('/respond', {
      statusCode: 201,
      headers: { 'X-Made': 'yes', 'content-type': 'text/plain' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: 'created',
    });
    assert.equal(made.status, 201);
    assert.equal(made.text, 'created');
    assert.equal(made.headers.get('x-made'), 'yes');
    assert.deepEqual(made.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
    const bin = await respond('/respond', {
      statusCode: 200,
      body: Buffer.from('binary!').toString('base64'),
      isBase64Encoded: true,
    });
    assert.equal(bin.text, 'binary!');
    const v1 = await respond('/respond1', {
      statusCode: 202,
      multiValueHeaders: { 'Set-Cookie': ['x=1', 'y=2'] },
    });
    assert.equal(v1.status, 202);
    assert.deepEqual(v1.headers.getSetCookie(), ['x=1', 'y=2']);
    for (const [path, bad] of [
      ['/respond', { statusCode: 'teapot' }],
      ['/respond', { statusCode: 200, body: { not: 'a string' } }],
      ['/respond1', { no: 'statusCode' }],
    ] as const) {
      const r = await respond(path, bad);
      assert.equal(r.status, 502, JSON.stringify(bad));
      assert.deepEqual(r.json(), { message: 'Internal Server Error' });
    }
  });

  it('answers a function error with 502 and a timeout with 503', async () => {
    const failed = await get('/fail');
    assert.equal(failed.status, 502);
    assert.deepEqual(failed.json(), { message: 'Internal Server Error' });
    const slow = await get('/slow');
    assert.equal(slow.status, 503);
    assert.deepEqual(slow.json(), { message: 'Service Unavailable' });
    const line = logs.find((l) => l.msg === 'gateway request' && l.path === '/slow');
    assert.equal(line?.error, 'Sandbox.Timedout');
  });

  it('refuses bodies over maxBodyBytes with 413, declared or streamed', async () => {
    const declared = await get('/small', { method: 'POST', body: 'x'.repeat(17) });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.json(), { message: 'Request Entity Too Large' });
    assert.equal((await get('/small', { method: 'POST', body: 'x'.repeat(16) })).status, 200);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${gw}/small`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('x'.repeat(10));
      req.end('y'.repeat(10));
    });
    assert.equal(chunked, 413);
  });

  it('throttles a route past its burst', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/limited')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  it('checks API keys read from the environment', async () => {
    assert.equal((await get('/keyed')).status, 403);
    assert.equal((await get('/keyed', { headers: { 'x-api-key': 'not-the-key-not-the-key' } })).status, 403);
    assert.equal((await get('/keyed', { headers: { 'x-api-key': API_KEY } })).status, 200);
    assert.equal((await get('/partner', { headers: { 'x-api-key': LITERAL_KEY } })).status, 200);
  });

  it('answers CORS preflights itself and replaces the function’s CORS headers', async () => {
    const pre = await get('/cors', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(pre.headers.get('access-control-max-age'), '600');
    const denied = await get('/cors', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const actual = await get('/cors', { headers: { origin: 'https://app.example' } });
    assert.equal(actual.headers.get('access-control-expose-headers'), 'x-trace');
    const overridden = await get('/respond-cors', {
      method: 'POST',
      headers: { origin: 'https://x.example', 'content-type': 'application/json' },
      body: JSON.stringify({
        result: {
          statusCode: 200,
          headers: { 'Access-Control-Allow-Origin': 'https://evil.example' },
          body: 'ok',
        },
      }),
    });
    assert.equal(overridden.headers.get('access-control-allow-origin'), '*');
  });

  it('checks JWTs: RS256 from a JWKS served on 127.0.0.1, HS256 from the environment', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://issuer.test',
      aud: 'gateway-tests',
      sub: 'ada',
      exp: now + 60,
      scope: 'profile email',
    };
    const ok = await eventOf('/me', {
      headers: { authorization: `Bearer ${signRs256(claims, keys.privateKey, 'test-key')}` },
    });
    assert.equal(ok.requestContext.authorizer.jwt.claims.sub, 'ada');
    assert.deepEqual(ok.requestContext.authorizer.jwt.scopes, ['profile', 'email']);
    const none = await get('/me');
    assert.equal(none.status, 401);
    assert.deepEqual(none.json(), { message: 'Unauthorized' });
    assert.match(none.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const expired = await get('/me', {
      headers: { authorization: signRs256({ ...claims, exp: now - 5 }, keys.privateKey, 'test-key') },
    });
    assert.equal(expired.status, 401);
    const scopeless = await get('/me', {
      headers: { authorization: signRs256({ ...claims, scope: 'email' }, keys.privateKey, 'test-key') },
    });
    assert.equal(scopeless.status, 403);
    assert.deepEqual(scopeless.json(), { message: 'Forbidden' });
    assert.equal(
      (await get('/hs', { headers: { authorization: signHs256(claims, HS_SECRET) } })).status,
      200,
    );
    assert.equal(
      (await get('/hs', { headers: { authorization: signHs256(claims, `${HS_SECRET}x`) } })).status,
      401,
    );
  });

  it('never shows route secrets through the admin API or the Lambda API, nor in its logs', async () => {
    const signed = async (path: string, service: string) => {
      const url = new URL(`${server.controlUrl}${path}`);
      const { host: _h, ...headers } = signRequest('GET', url, {}, '', CREDS, {
        region: 'us-east-1',
        service,
        now: Date.now(),
      });
      const res = await fetch(url, { headers });
      assert.equal(res.status, 200, path);
      return res.text();
    };
    const admin = await signed('/admin/v1/functions/jwt-echo', 'baton');
    const routes = JSON.parse(admin).function.routes as { route: string; auth?: unknown }[];
    assert.deepEqual(routes.find((r) => r.route === 'GET /partner')?.auth, {
      apiKeys: [{ name: 'partner', value: '(literal, hidden)' }],
    });
    const texts = [
      admin,
      await signed('/admin/v1/functions', 'baton'),
      await signed('/admin/v1/functions/echo', 'baton'),
      await signed('/2015-03-31/functions/jwt-echo', 'lambda'),
      await signed('/2015-03-31/functions/', 'lambda'),
      JSON.stringify(logs),
    ];
    for (const text of texts)
      for (const secret of [LITERAL_KEY, API_KEY, HS_SECRET])
        assert.ok(!text.includes(secret), `${secret} in ${text.slice(0, 80)}`);
  });

  it('refuses a deploy whose route another app serves', async () => {
    await assert.rejects(
      deploy(
        'app: intruder\nfunctions:\n  grab:\n    handler: src/handlers.echo\n    events:\n      - http: GET /items/{itemId}\n',
      ),
      (e) =>
        isBatonError(e, 'ResourceConflict') &&
        e.message ===
          'functions.grab.events[0].http: route "GET /items/{itemId}" is already served by function "echo" of app "gateway-app"; a route has one function',
    );
    assert.equal(server.registry.get('grab'), undefined);
  });

  it('changes routes without a new revision: the warm instance keeps serving', async () => {
    const first = await get('/items/1');
    const before = server.registry.get('echo')!;
    const changed = readFileSync(join(APP, 'baton.yaml'), 'utf8').replace(
      '      - http: POST /items\n',
      '      - http: POST /items\n      - http: PUT /things/{id}\n',
    );
    const result = await deploy(changed);
    assert.deepEqual(result.updated, ['echo']);
    const afterRec = server.registry.get('echo')!;
    assert.equal(afterRec.revision, before.revision);
    assert.equal(afterRec.routes?.length, (before.routes?.length ?? 0) + 1);
    const put = await get('/things/9', { method: 'PUT' });
    assert.equal(put.status, 200);
    assert.equal(put.json().event.routeKey, 'PUT /things/{id}');
    assert.equal(put.json().startedAt, first.json().startedAt, 'same instance as before the change');
  });

  it('keeps a function’s routes when the admin API changes its settings', async () => {
    const url = new URL(`${server.controlUrl}/admin/v1/functions/fail`);
    const body = JSON.stringify({ environment: { CHANGED: '1' } });
    const { host: _h, ...headers } = signRequest('PUT', url, {}, body, CREDS, {
      region: 'us-east-1',
      service: 'baton',
      now: Date.now(),
    });
    const res = await fetch(url, { method: 'PUT', headers, body });
    assert.equal(res.status, 200, await res.text());
    assert.deepEqual(server.registry.get('fail')?.environment, { CHANGED: '1' });
    assert.deepEqual(
      server.registry.get('fail')?.routes?.map((r) => r.route),
      ['GET /fail'],
    );
    assert.equal((await get('/fail')).status, 502, 'still routed');
  });

  it('keeps its routes across a restart', async () => {
    await server.close(1000);
    server = await start();
    gw = server.gatewayUrl;
    const r = await get('/things/3', { method: 'PUT' });
    assert.equal(r.status, 200);
    assert.equal(r.json().event.routeKey, 'PUT /things/{id}');
    assert.equal((await get('/me')).status, 401, 'auth routes come back with their authorizer');
  });
});
