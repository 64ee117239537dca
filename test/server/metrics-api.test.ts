import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { authorizeWith } from '../../src/aws/access.ts';
import { authenticator } from '../../src/aws/auth.ts';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { isBatonError } from '../../src/core/errors.ts';
import { Authorizer, keyCaller } from '../../src/governance/authorizer.ts';
import { loadConfig } from '../../src/server/config.ts';
import { controlPlaneServer } from '../../src/server/control-plane.ts';
import { metricsRoutes, tokenMatches } from '../../src/server/metrics-api.ts';

const CREDS = { accessKeyId: 'AKIAMETRICSTEST00000', secretAccessKey: 'metrics-test-secret' };
const TOKEN = 'scrape-token-0123456789abcdef';
const TEXT = '# HELP up_total Test.\n# TYPE up_total counter\nup_total 1\n';

/** A control plane holding only the metrics route, over real HTTP on loopback. */
async function control(opts: { token?: string; off?: boolean }): Promise<{ server: Server; base: string }> {
  const authenticate = authenticator(
    (id) => (id === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined),
    () => Date.now(),
  );
  // The one key is the root's: it may read the metrics.
  const authorize = authorizeWith(
    new Authorizer({
      accountId: '000000000000',
      principalOf: (id) =>
        id === CREDS.accessKeyId ? keyCaller('000000000000', { kind: 'root' }) : undefined,
      policiesOf: () => [],
      now: () => Date.now(),
    }),
  );
  const route = metricsRoutes({
    scrape: opts.off ? undefined : async () => ({ contentType: 'text/plain; version=0.0.4', body: TEXT }),
    token: opts.token,
    authenticate,
    authorize,
  });
  const server = controlPlaneServer([route], authenticate, pino({ level: 'silent' }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function signed(base: string, path: string, method = 'GET'): Promise<Response> {
  const url = new URL(base + path);
  const headers = signRequest(method, url, {}, '', CREDS, {
    region: 'us-east-1',
    service: 'baton',
    now: Date.now(),
  });
  delete headers.host;
  return fetch(url, { method, headers });
}

describe('GET /metrics and /admin/v1/metrics on the control port', () => {
  let withToken: { server: Server; base: string };
  let noToken: { server: Server; base: string };
  let off: { server: Server; base: string };
  before(async () => {
    withToken = await control({ token: TOKEN });
    noToken = await control({});
    off = await control({ token: TOKEN, off: true });
  });
  after(() => {
    for (const c of [withToken, noToken, off]) c.server.close();
  });

  it('serves the exposition to the bearer token on /metrics, with Prometheus’ content type', async () => {
    const r = await fetch(`${withToken.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4');
    assert.equal(await r.text(), TEXT);
    const lower = await fetch(`${withToken.base}/metrics`, { headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(lower.status, 200, 'the scheme is case-insensitive (RFC 9110 §11.1)');
  });

  it('answers 401 to a wrong token, and to any token when none is configured', async () => {
    for (const [base, token] of [
      [withToken.base, `${TOKEN}x`],
      [withToken.base, TOKEN.slice(0, -1)],
      [noToken.base, TOKEN],
    ] as const) {
      const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="baton-metrics"');
      const body = (await r.json()) as { __type: string };
      assert.equal(body.__type, 'UnrecognizedClientException');
    }
  });

  it('takes a SigV4 signature on both paths, and nothing else: unsigned is 403', async () => {
    for (const base of [withToken.base, noToken.base]) {
      for (const path of ['/metrics', '/admin/v1/metrics']) {
        const r = await signed(base, path);
        assert.equal(r.status, 200, `${path} signed`);
        assert.equal(await r.text(), TEXT);
        const bare = await fetch(base + path);
        assert.equal(bare.status, 403, `${path} unsigned`);
        assert.equal(
          ((await bare.json()) as { __type: string }).__type,
          'MissingAuthenticationTokenException',
        );
      }
    }
    const bearerOnAdmin = await fetch(`${withToken.base}/admin/v1/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(bearerOnAdmin.status, 403, 'the admin path is signed like the rest of the admin API');
  });

  it('says so when metrics are off, refuses other methods, and leaves other paths alone', async () => {
    const r = await fetch(`${off.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 404);
    assert.match(((await r.json()) as { message: string }).message, /BATON_METRICS=off/);
    const post = await signed(withToken.base, '/admin/v1/metrics', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
    const other = await signed(withToken.base, '/metricsx');
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as { __type: string }).__type, 'UnknownOperationException');
  });

  it('compares tokens by their digests', () => {
    const expected = createHash('sha256').update(TOKEN).digest();
    assert.equal(tokenMatches(TOKEN, expected), true);
    assert.equal(tokenMatches('', expected), false);
    assert.equal(tokenMatches(`${TOKEN}${TOKEN}`, expected), false);
  });
});

describe('BATON_METRICS and BATON_METRICS_TOKEN', () => {
  it('metrics are on unless BATON_METRICS=off; no token unless one is set', () => {
    assert.equal(loadConfig({}).metrics, true);
    assert.equal(loadConfig({ BATON_METRICS: 'on' }).metrics, true);
    assert.equal(loadConfig({ BATON_METRICS: 'off' }).metrics, false);
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(loadConfig({ BATON_METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
  });

  it('refuses other switch values, and short or unprintable tokens', () => {
    const refuses = (env: NodeJS.ProcessEnv, name: string) =>
      assert.throws(
        () => loadConfig(env),
        (e) => isBatonError(e, 'InvalidParameterValue') && e.message.includes(name),
      );
    for (const v of ['no', 'false', 'OFF']) refuses({ BATON_METRICS: v }, 'BATON_METRICS');
    for (const v of ['short', 'has a space in it!!', 'tab\tseparated-token-1234'])
      refuses({ BATON_METRICS_TOKEN: v }, 'BATON_METRICS_TOKEN');
  });
});
