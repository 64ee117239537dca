/**
 * Instances' session credentials expire and are rotated: real runner processes, an injected clock,
 * and the SigV4 verifier the control plane uses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { type SignedRequest, verifySigV4 } from '../../src/aws/sigv4.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { FunctionRoles, type FunctionSubject } from '../../src/governance/function-roles.ts';
import { refreshAt, SessionVendor } from '../../src/governance/sessions.ts';
import type { PoolCredentials } from '../../src/runtime/pool.ts';
import { createHarness, type Harness } from '../helpers/harness.ts';

const TTL_MS = 900_000;
const TIMEOUT_MS = 3000;
type Env = Record<string, string>;

describe('function credentials: expiry and rotation (real processes, injected clock)', () => {
  const clock = new ManualClock(Date.now());
  const roles = new FunctionRoles({
    accountId: '000000000000',
    region: 'us-east-1',
    sessions: new SessionVendor<FunctionSubject>(clock, TTL_MS),
    appGrants: () => ({ queues: [], topics: [], tables: [], buses: [], functions: [] }),
  });
  const credentials: PoolCredentials = {
    issue: (rec) => roles.issue({ name: rec.name, app: rec.app }, rec.timeout * 1000),
    revoke: (id) => roles.revoke(id),
  };
  let h: Harness;
  before(async () => {
    h = await createHarness({ clock, credentials });
  });
  after(() => h.close());

  /** Verifies a request signed now with these credentials (`token: false` leaves the token out). */
  const verify = async (c: { id: string; secret: string; token: string }, token = true) => {
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: c.id,
        secretAccessKey: c.secret,
        ...(token ? { sessionToken: c.token } : {}),
      },
      region: 'us-east-1',
      service: 'sqs',
      sha256: Sha256,
    });
    const r = (await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4748,
        path: '/',
        headers: { host: '127.0.0.1:4748', 'content-type': 'application/x-amz-json-1.0' },
        body: '{}',
      }),
      { signingDate: new Date(clock.now()) },
    )) as HttpRequest;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
    const req: SignedRequest = {
      method: 'POST',
      rawPath: '/',
      rawQuery: '',
      headers,
      body: Buffer.from('{}'),
    };
    const v = verifySigV4(req, (id) => roles.secretFor(id), clock.now(), 'sqs');
    return v.ok ? 'ok' : v.code;
  };
  const credsOf = (env: Env) => ({
    id: env.AWS_ACCESS_KEY_ID!,
    secret: env.AWS_SECRET_ACCESS_KEY!,
    token: env.AWS_SESSION_TOKEN!,
  });
  const envOf = async (name: string) => {
    const r = await h.call(name);
    return { env: r.body as Env, cold: r.cold };
  };
  const until = async (what: string, test: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 250; i++) {
      if (await test()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`timed out waiting until ${what}`);
  };

  it('serves on its credentials until they are due, then a new instance gets new ones', async () => {
    await h.deploy('rotating', { handler: 'basic.env', timeout: TIMEOUT_MS / 1000, idleTimeout: 86_400 });
    const first = await envOf('rotating');
    const a = credsOf(first.env);
    assert.match(a.id, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(await verify(a), 'ok');
    assert.equal(await verify(a, false), 'UnknownAccessKey', 'a session key needs its token');
    assert.equal(await verify({ ...a, token: `${a.token.slice(1)}x` }), 'UnknownAccessKey');
    const issuedAt = clock.now();
    const due = refreshAt(issuedAt + TTL_MS, TTL_MS, TIMEOUT_MS);
    assert.equal(due - issuedAt, TTL_MS - TIMEOUT_MS - 90_000, 'a tenth of the TTL plus the timeout early');

    clock.advance(due - issuedAt - 1000);
    const warm = await envOf('rotating');
    assert.equal(warm.cold, false);
    assert.equal(warm.env.AWS_ACCESS_KEY_ID, a.id, 'the same instance, the same credentials');
    assert.equal(await verify(a), 'ok');

    clock.advance(1000);
    const next = await envOf('rotating');
    assert.equal(next.cold, true, 'the instance was retired and replaced');
    assert.notEqual(next.env.AWS_LAMBDA_LOG_STREAM_NAME, first.env.AWS_LAMBDA_LOG_STREAM_NAME);
    const b = credsOf(next.env);
    assert.notEqual(b.id, a.id);
    assert.equal(await verify(b), 'ok');
    assert.ok(clock.now() < issuedAt + TTL_MS, 'replaced before the old credentials expired');
    // The old instance's session ends with it.
    await until('the old session is revoked', async () => (await verify(a)) === 'UnknownAccessKey');
  });

  it('accepts a session until it expires, then answers ExpiredToken', async () => {
    const issued = roles.issue({ name: 'rotating', app: null }, TIMEOUT_MS);
    const c = { id: issued.accessKeyId, secret: issued.secretAccessKey, token: issued.sessionToken };
    assert.ok(roles.callerOf(c.id, { role: () => undefined }));
    clock.advance(issued.expiresAt - clock.now() - 1);
    assert.equal(await verify(c), 'ok');
    clock.advance(1);
    assert.equal(await verify(c), 'ExpiredToken');
    assert.equal(roles.callerOf(c.id, { role: () => undefined }), undefined, 'no caller once expired');
  });

  it('replaces provisioned instances ahead of demand when their credentials are due', async () => {
    h.pool.start();
    await h.deploy('kept', {
      handler: 'basic.env',
      timeout: TIMEOUT_MS / 1000,
      idleTimeout: 86_400,
      provisionedConcurrency: 1,
    });
    const ready = () => h.pool.stats().functions.kept?.idle === 1;
    await until('a provisioned instance is ready', ready);
    const first = await envOf('kept');
    assert.equal(first.cold, false);
    clock.advance(TTL_MS - TIMEOUT_MS - 90_000);
    await until('its replacement is ready', ready);
    const next = await envOf('kept');
    assert.equal(next.cold, false, 'the replacement was started before it was needed');
    assert.notEqual(next.env.AWS_ACCESS_KEY_ID, first.env.AWS_ACCESS_KEY_ID);
  });
});
