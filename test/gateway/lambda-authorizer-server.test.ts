import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseManifest } from '../../src/deploy/manifest.ts';
import { packageDir } from '../../src/deploy/package-dir.ts';
import { loadConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { FIXTURES } from '../helpers/harness.ts';

const APP = join(FIXTURES, 'gateway-app');
const CREDS = { accessKeyId: 'AKIALAMBDAAUTHZTEST0', secretAccessKey: 'lambda-authorizer-test-secret' };

/** Routes behind Lambda authorizers (src/authorizers.mjs), in front of the echo function. */
const MANIFEST = `
app: gateway-lambda-auth
functions:
  authz:
    handler: src/authorizers.simple
  authz-iam:
    handler: src/authorizers.policy
  guarded:
    handler: src/handlers.echo
    events:
      - http:
          route: GET /private/{id}
          auth:
            lambda:
              function: authz
              identitySource: [$request.header.Authorization]
              enableSimpleResponses: true
              resultTtlSeconds: 300
              payloadFormatVersion: "2.0"
      - http:
          route: GET /uncached
          auth: { lambda: { function: authz, enableSimpleResponses: true, resultTtlSeconds: 0 } }
      - http:
          route: GET /iam/{id}
          auth: { lambda: { function: authz-iam, resultTtlSeconds: 0 } }
  guarded-v1:
    handler: src/handlers.echoV1
    events:
      - http:
          route: GET /v1/iam
          payload: "1.0"
          auth:
            lambda: { function: authz-iam, payloadFormatVersion: "1.0", resultTtlSeconds: 0 }
`;

describe('Lambda authorizers in front of real functions (in-process Baton, real HTTP)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-lambda-authz-'));
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  let server: RunningServer;
  let gw: string;

  const get = async (path: string, authorization?: string) => {
    const res = await fetch(`${gw}${path}`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: assertions walk the event loosely
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, any> };
  };
  /** The `requestContext.authorizer` the route's function got. */
  const authorizerOf = async (path: string, authorization: string) => {
    const r = await get(path, authorization);
    assert.equal(r.status, 200, r.text);
    return r.json().event.requestContext.authorizer;
  };
  const accessLog = (path: string) =>
    logs.filter((l) => l.msg === 'gateway request' && l.path === path).at(-1);

  before(async () => {
    server = await startServer(
      loadConfig({ BATON_SPARE_RUNNERS: '1' }, { data: dataDir, port: '0', controlPort: '0' }),
      CREDS,
      log,
    );
    gw = server.gatewayUrl;
    const m = parseManifest(MANIFEST, APP);
    await server.deployer.deployApp(m.app, m.functions, await packageDir(APP));
  });
  after(async () => {
    await server?.close(1000);
  });

  it('lets an allowed request through with the simple response context', async () => {
    const a = await authorizerOf('/private/1', 'allow-ada');
    assert.equal(a.lambda.user, 'ada');
    assert.equal(a.lambda.type, 'REQUEST');
    assert.equal(a.lambda.version, '2.0');
    assert.equal(a.lambda.identity, 'allow-ada');
    assert.match(
      a.lambda.arn,
      /^arn:aws:execute-api:us-east-1:000000000000:[a-z0-9]{10}\/\$default\/GET\/private\/1$/,
    );
    assert.equal(a.jwt, undefined);
  });

  it('answers 403 Forbidden when the authorizer says no', async () => {
    const r = await get('/private/1', 'deny');
    assert.equal(r.status, 403);
    assert.deepEqual(r.json(), { message: 'Forbidden' });
  });

  it('answers 401 without invoking the authorizer when the identity source is missing', async () => {
    const r = await get('/private/1');
    assert.equal(r.status, 401);
    assert.deepEqual(r.json(), { message: 'Unauthorized' });
    assert.equal(accessLog('/private/1')?.error, 'identity source missing');
  });

  it('answers 500 when the authorizer fails', async () => {
    const r = await get('/private/1', 'throw');
    assert.equal(r.status, 500);
    assert.deepEqual(r.json(), { message: 'Internal Server Error' });
    assert.equal(accessLog('/private/1')?.error, 'authorizer failed: Error');
  });

  it('caches a result within resultTtlSeconds (one invocation), across the routes it covers', async () => {
    const first = await authorizerOf('/private/2', 'allow-cached');
    const again = await authorizerOf('/private/3', 'allow-cached');
    assert.equal(again.lambda.nonce, first.lambda.nonce, 'the authorizer ran once');
    const other = await authorizerOf('/private/2', 'allow-other');
    assert.notEqual(other.lambda.nonce, first.lambda.nonce, 'other identity values: another call');
    const u1 = await authorizerOf('/uncached', 'allow-cached');
    const u2 = await authorizerOf('/uncached', 'allow-cached');
    assert.notEqual(u1.lambda.nonce, u2.lambda.nonce, 'resultTtlSeconds 0 asks every time');
  });

  it('evaluates IAM policy responses against the route ARN', async () => {
    const a = await authorizerOf('/iam/7', 'allow');
    assert.equal(a.lambda.tier, 'gold');
    assert.equal(a.principalId, undefined, '2.0 events carry the context only');
    const denied = await get('/iam/7', 'deny');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: 'Forbidden' });
    const elsewhere = await get('/iam/7', 'post-only');
    assert.equal(elsewhere.status, 403, 'the policy allows other routes only');
  });

  it('sends the 1.0 authorizer event and passes the context to a 1.0 route', async () => {
    const r = await get('/v1/iam', 'allow');
    assert.equal(r.status, 200, r.text);
    const a = r.json().event.requestContext.authorizer;
    assert.equal(a.version, '1.0');
    assert.equal(a.identity, 'allow');
    assert.match(a.arn, /\/\$default\/GET\/v1\/iam$/);
    assert.equal(a.tier, 'gold');
    assert.equal(a.principalId, 'user-42');
    assert.equal((await get('/v1/iam', 'deny')).status, 403);
  });
});
