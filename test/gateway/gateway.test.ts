import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.ts';
import { BatonError } from '../../src/core/errors.ts';
import type { FunctionRecord, HttpRouteSpec } from '../../src/core/function-spec.ts';
import { type Gateway, gatewayServer } from '../../src/gateway/index.ts';

/** A `${env:NAME}` secret reference. */
const ref = (name: string): string => `\${env:${name}}`;

const record = (name: string, over: Partial<FunctionRecord>): FunctionRecord => ({
  name,
  app: 'unit',
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  memory: 128,
  timeout: 3,
  environment: {},
  reservedConcurrency: null,
  provisionedConcurrency: 0,
  idleTimeout: 300,
  codeSha256: 'abc',
  codeSize: 1,
  entry: 'index.mjs',
  revision: 'r1',
  createdAt: 1,
  updatedAt: 1,
  ...over,
});

/**
 * The gateway over real HTTP with stand-ins for the registry and the invoker, so that time
 * (throttling, the integration timeout) runs on a ManualClock and invoke failures can be staged.
 * The same gateway in front of real functions: `gateway-server.test.ts`.
 */
describe('gateway (real HTTP, staged invocations)', () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const records = new Map<string, FunctionRecord>();
  let listener: ((key: string, rec: FunctionRecord | undefined) => void) | undefined;
  const put = (name: string, routes: HttpRouteSpec[], over: Partial<FunctionRecord> = {}) => {
    const rec = record(name, { routes, ...over });
    records.set(name, rec);
    listener?.(name, rec);
  };
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  /** What the next invocation of each function does. */
  const behave = new Map<string, () => Promise<{ payload: string; functionError?: string }>>();
  const invoked: { name: string; event: Record<string, unknown> }[] = [];
  let server: Server;
  let gateway: Gateway;
  let base: string;

  before(async () => {
    put('echo', [
      { route: 'ANY /echo/{proxy+}', payload: '2.0' },
      { route: 'GET /throttled', payload: '2.0', throttle: { rate: 2, burst: 2 } },
      {
        route: 'GET /keyed',
        payload: '2.0',
        auth: { type: 'apiKey', keys: [{ name: 'mobile', value: ref('GW_UNIT_KEY') }] },
      },
      {
        route: 'GET /closed',
        payload: '2.0',
        auth: { type: 'apiKey', keys: [{ name: 'gone', value: ref('GW_UNIT_UNSET') }] },
      },
    ]);
    put('slow', [{ route: 'GET /slow', payload: '2.0' }], { timeout: 900 });
    put('staged', [{ route: 'ANY /staged', payload: '2.0' }]);
    const out = gatewayServer({
      routes: {
        list: () => [...records.values()],
        onChange: (l) => {
          listener = l;
        },
      },
      invoke: async (name, event) => {
        invoked.push({ name, event: JSON.parse(JSON.stringify(event)) });
        const b = behave.get(name);
        if (b) return b();
        return { payload: JSON.stringify({ ok: name }) };
      },
      clock,
      log,
      api: { accountId: '000000000000', apiId: 'testapi000' },
      env: { GW_UNIT_KEY: 'unit-test-api-key-0123456789' },
      integrationTimeoutMs: 30_000,
    });
    server = out.server;
    gateway = out.gateway;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers 404 with API Gateway’s body, and an apigw-requestid on every response', async () => {
    const res = await fetch(`${base}/nowhere`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { message: 'Not Found' });
    const id = res.headers.get('apigw-requestid') ?? '';
    assert.match(id, /^[A-Za-z0-9+/]{15}=$/);
    const again = await fetch(`${base}/echo/a`);
    assert.notEqual(again.headers.get('apigw-requestid'), id);
  });

  it('throttles a route with its token bucket, refilled by the clock', async () => {
    const statuses = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await fetch(`${base}/throttled`)).status);
      return out;
    };
    assert.deepEqual(await statuses(3), [200, 200, 429]);
    clock.advance(499);
    assert.deepEqual(await statuses(1), [429]);
    clock.advance(1);
    assert.deepEqual(await statuses(2), [200, 429]);
    const res = await fetch(`${base}/throttled`);
    assert.deepEqual(await res.json(), { message: 'Too Many Requests' });
  });

  it('keeps a bucket’s state across a route-table rebuild that leaves the route alone', async () => {
    put('other', [{ route: 'GET /other', payload: '2.0' }]);
    assert.equal((await fetch(`${base}/throttled`)).status, 429);
    assert.equal((await fetch(`${base}/other`)).status, 200, 'the new route is served at once');
  });

  it('gives up after the integration timeout with 503, when the function may run longer', async () => {
    let release: (v: { payload: string }) => void = () => {};
    behave.set('slow', () => new Promise((r) => (release = r)));
    const pending = fetch(`${base}/slow`);
    while (!invoked.some((i) => i.name === 'slow')) await new Promise((r) => setImmediate(r));
    clock.advance(29_999);
    await new Promise((r) => setImmediate(r));
    clock.advance(1);
    const res = await pending;
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { message: 'Service Unavailable' });
    release({ payload: '"late"' });
  });

  it('maps invoke failures to API Gateway’s answers', async () => {
    const cases: [unknown, number, string][] = [
      [new BatonError('ThrottledFunction', 'Rate Exceeded.'), 429, 'Too Many Requests'],
      [new BatonError('ThrottledAccount', 'Rate Exceeded.'), 429, 'Too Many Requests'],
      [new BatonError('ShuttingDown', 'stopping'), 503, 'Service Unavailable'],
      [new BatonError('ResourceNotFound', 'gone'), 500, 'Internal Server Error'],
      [new TypeError('a bug'), 500, 'Internal Server Error'],
    ];
    for (const [error, status, message] of cases) {
      behave.set('staged', async () => {
        throw error;
      });
      const res = await fetch(`${base}/staged`);
      assert.equal(res.status, status, String(error));
      assert.deepEqual(await res.json(), { message });
    }
    const outcomes: [{ payload: string; functionError?: string }, number][] = [
      [
        { payload: JSON.stringify({ errorType: 'Error', errorMessage: 'x' }), functionError: 'Unhandled' },
        502,
      ],
      [
        {
          payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'x' }),
          functionError: 'Unhandled',
        },
        503,
      ],
      [{ payload: JSON.stringify({ statusCode: 'nope' }) }, 502],
      [{ payload: JSON.stringify({ statusCode: 418, body: 'teapot' }) }, 418],
    ];
    for (const [result, status] of outcomes) {
      behave.set('staged', async () => result);
      assert.equal((await fetch(`${base}/staged`)).status, status, result.payload);
    }
    behave.delete('staged');
  });

  it('refuses with 413 an event over Lambda’s 6 MB invoke limit, under the 10 MB body limit', async () => {
    const before = invoked.length;
    const res = await fetch(`${base}/staged`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(5 * 1024 * 1024, 1),
    });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { message: 'Request Entity Too Large' });
    assert.equal(invoked.length, before, 'the function was not invoked');
    const small = await fetch(`${base}/staged`, { method: 'POST', body: Buffer.alloc(1024 * 1024, 1) });
    assert.equal(small.status, 200);
  });

  it('checks API keys: 403 without the right one, and a route whose key is unset refuses all', async () => {
    assert.equal((await fetch(`${base}/keyed`)).status, 403);
    const wrong = await fetch(`${base}/keyed`, { headers: { 'x-api-key': 'wrong-key-wrong-key-wrong' } });
    assert.equal(wrong.status, 403);
    assert.deepEqual(await wrong.json(), { message: 'Forbidden' });
    const right = await fetch(`${base}/keyed`, { headers: { 'x-api-key': 'unit-test-api-key-0123456789' } });
    assert.equal(right.status, 200);
    assert.equal((await fetch(`${base}/closed`, { headers: { 'x-api-key': '' } })).status, 403);
    assert.ok(
      logs.some(
        (l) =>
          l.msg === 'route refuses every request: its authorizer is not configured' &&
          l.route === 'GET /closed',
      ),
    );
  });

  it('writes one structured access-log line per request, without secrets', async () => {
    logs.length = 0;
    const res = await fetch(`${base}/keyed?token=abc`, {
      headers: { 'x-api-key': 'unit-test-api-key-0123456789', authorization: 'Bearer secret-token' },
    });
    assert.equal(res.status, 200);
    const line = logs.find((l) => l.msg === 'gateway request');
    assert.ok(line);
    assert.equal(line.requestId, res.headers.get('apigw-requestid'));
    assert.equal(line.component, 'gateway');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/keyed');
    assert.equal(line.routeKey, 'GET /keyed');
    assert.equal(line.function, 'echo');
    assert.equal(line.status, 200);
    assert.equal(line.apiKey, 'mobile', 'the key is logged by name');
    assert.equal(typeof line.latencyMs, 'number');
    assert.equal(typeof line.responseLength, 'number');
    const text = JSON.stringify(logs);
    for (const secret of ['unit-test-api-key', 'secret-token', 'token=abc'])
      assert.ok(!text.includes(secret), secret);
  });

  it('rebuilds its routes when a function changes or goes', async () => {
    const before = gateway.routeCount;
    put('later', [{ route: 'GET /later/{id}', payload: '1.0' }]);
    assert.equal(gateway.routeCount, before + 1);
    const res = await fetch(`${base}/later/7`);
    assert.equal(res.status, 502, 'a 1.0 route needs a statusCode in the result');
    assert.equal(invoked.at(-1)?.event.version, '1.0');
    assert.deepEqual(invoked.at(-1)?.event.pathParameters, { id: '7' });
    records.delete('later');
    listener?.('later', undefined);
    assert.equal((await fetch(`${base}/later/7`)).status, 404);
    // A published version's change does not concern the gateway.
    listener?.('later:1', undefined);
    assert.equal(gateway.routeCount, before);
  });
});
