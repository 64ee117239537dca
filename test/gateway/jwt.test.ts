import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { HttpAuthSpec } from '../../src/core/function-spec.ts';
import { type AuthResult, authorize, compileAuth } from '../../src/gateway/auth.ts';
import { JWKS_REFETCH_MS, JWKS_TTL_MS, JwksCache } from '../../src/gateway/jwks.ts';
import { checkClaims, decodeJwt, tokenFrom } from '../../src/gateway/jwt.ts';
import { rsaKeys, signHs256, signRs256 } from '../helpers/jwt.ts';

/** A `${env:NAME}` secret reference. */
const ref = (name: string): string => `\${env:${name}}`;

const NOW = 1_700_000_000_000;
const SEC = NOW / 1000;
const SECRET = 'an-hs256-secret-of-at-least-32-bytes!';
const claims = (over: Record<string, unknown> = {}) => ({
  iss: 'https://issuer.example',
  aud: 'api',
  sub: 'user-1',
  exp: SEC + 60,
  iat: SEC - 10,
  scope: 'items:read items:write',
  ...over,
});
const policy = { issuer: 'https://issuer.example', audience: ['api', 'web'], scopes: [] as string[] };

const outcome = (r: AuthResult) => (r.ok ? 'ok' : `${r.answer.status} ${r.reason}`);

describe('JWT claims', () => {
  const cases: [string, Record<string, unknown>, string[], string][] = [
    ['a valid token passes', {}, [], 'ok'],
    ['aud may be a list', { aud: ['other', 'web'] }, [], 'ok'],
    ['client_id counts when there is no aud', { aud: undefined, client_id: 'web' }, [], 'ok'],
    [
      'aud wins over client_id',
      { aud: 'other', client_id: 'api' },
      [],
      '401 the token does not have a valid audience',
    ],
    [
      'another issuer is refused',
      { iss: 'https://evil.example' },
      [],
      '401 the token does not have a valid issuer',
    ],
    ['another audience is refused', { aud: 'other' }, [], '401 the token does not have a valid audience'],
    ['an expired token is refused', { exp: SEC - 1 }, [], '401 the token has expired'],
    ['a token expiring now is refused', { exp: SEC }, [], '401 the token has expired'],
    ['a token without exp is refused', { exp: undefined }, [], '401 the token has no expiry'],
    ['a token not valid yet is refused', { nbf: SEC + 5 }, [], '401 the token is not valid yet'],
    [
      'a token issued in the future is refused',
      { iat: SEC + 5 },
      [],
      '401 the token was issued in the future',
    ],
    ['one matching scope is enough', {}, ['admin', 'items:write'], 'ok'],
    ['scp as a list counts', { scope: undefined, scp: ['admin'] }, ['admin'], 'ok'],
    ['no matching scope is 403', {}, ['admin'], '403 the token does not have the required scope'],
    [
      'no scope claim is 403 when scopes are required',
      { scope: undefined },
      ['admin'],
      '403 the token does not have the required scope',
    ],
  ];
  for (const [name, over, scopes, expected] of cases)
    it(name, () => {
      const v = checkClaims(JSON.parse(JSON.stringify(claims(over))), { ...policy, scopes }, NOW);
      assert.equal(v.ok ? 'ok' : `${v.status} ${v.error}`, expected);
    });

  it('reads the token with or without Bearer, and refuses what is not a JWS', () => {
    assert.equal(tokenFrom('Bearer abc'), 'abc');
    assert.equal(tokenFrom('abc'), 'abc');
    assert.equal(tokenFrom(undefined), undefined);
    assert.equal(decodeJwt('a.b'), undefined);
    assert.equal(decodeJwt('a.b.c.d'), undefined);
    assert.equal(decodeJwt('!!.??.x'), undefined);
    assert.equal(decodeJwt(`${Buffer.from('[]').toString('base64url')}.e30.x`), undefined);
  });
});

describe('JWT authorizers', () => {
  const jwks = new JwksCache(new ManualClock(NOW));
  const hs: HttpAuthSpec = {
    type: 'jwt',
    issuer: policy.issuer,
    audience: ['api'],
    secret: SECRET,
    scopes: ['items:read'],
  };
  const auth = compileAuth(hs, {}, []);
  const check = (authorization: string | undefined) =>
    authorize(auth, (n) => (n === 'authorization' ? authorization : undefined), jwks, NOW) as AuthResult;

  it('HS256: verifies the signature, then the claims, and hands over claims and scopes', () => {
    const r = check(`Bearer ${signHs256(claims(), SECRET)}`);
    assert.ok(r.ok);
    assert.equal(r.jwt?.claims.sub, 'user-1');
    assert.deepEqual(r.jwt?.scopes, ['items:read', 'items:write']);
    const cases: [string | undefined, string][] = [
      [undefined, '401 the token is missing'],
      ['Bearer not-a-jwt', '401 the token is malformed'],
      [signHs256(claims(), 'another-secret-another-secret-another'), '401 the token signature is invalid'],
      [signHs256(claims(), SECRET, { alg: 'none' }), '401 the token signature is invalid'],
      [signHs256(claims({ exp: SEC - 1 }), SECRET), '401 the token has expired'],
      [signHs256(claims({ scope: 'other' }), SECRET), '403 the token does not have the required scope'],
    ];
    for (const [header, expected] of cases) assert.equal(outcome(check(header)), expected, String(header));
    const refused = check(undefined);
    assert.ok(!refused.ok);
    assert.equal(
      refused.headers?.['www-authenticate'],
      'Bearer scope="items:read" error="invalid_token" error_description="the token is missing"',
    );
  });

  it('a secret from an unset variable closes the route', () => {
    const problems: string[] = [];
    const closed = compileAuth({ ...hs, secret: ref('NOT_SET_ANYWHERE') }, {}, problems);
    assert.deepEqual(problems, [`JWT secret: ${ref('NOT_SET_ANYWHERE')} is not set`]);
    const token = signHs256(claims(), '');
    const r = authorize(closed, () => `Bearer ${token}`, jwks, NOW) as AuthResult;
    assert.equal(outcome(r), '401 the token signature is invalid');
    const open = compileAuth({ ...hs, secret: ref('JWT_S') }, { JWT_S: SECRET }, []);
    assert.equal(outcome(authorize(open, () => signHs256(claims(), SECRET), jwks, NOW) as AuthResult), 'ok');
  });

  it('RS256 with a JWKS: fetched once, cached, refetched for a new kid no more than every 30 s', async () => {
    const clock = new ManualClock(NOW);
    const one = rsaKeys('one');
    const two = rsaKeys('two');
    let doc: unknown = one.jwks;
    let fetches = 0;
    const cache = new JwksCache(clock, undefined, async () => {
      fetches++;
      return doc;
    });
    const url = 'https://issuer.example/jwks.json';
    const rs = compileAuth(
      { type: 'jwt', issuer: policy.issuer, audience: ['api'], jwksUrl: url, scopes: [] },
      {},
      [],
    );
    const run = async (token: string) =>
      outcome(await authorize(rs, () => `Bearer ${token}`, cache, clock.now()));

    assert.equal(await run(signRs256(claims(), one.privateKey, 'one')), 'ok');
    assert.equal(await run(signRs256(claims(), one.privateKey, 'one', 'RS512')), 'ok');
    assert.equal(fetches, 1);
    assert.equal(await run(signRs256(claims(), two.privateKey, 'one')), '401 the token signature is invalid');
    // Algorithm confusion: an HS256 token keyed with anything is refused by an RSA authorizer.
    assert.equal(
      await run(signHs256(claims(), 'x', { kid: 'one' })),
      '401 the token algorithm is not allowed',
    );

    // The issuer rotates its keys: the new kid is found once the refetch interval has passed.
    doc = { keys: [...one.jwks.keys, ...two.jwks.keys] };
    assert.equal(
      await run(signRs256(claims(), two.privateKey, 'two')),
      '401 the token kid is not in the key set',
    );
    assert.equal(fetches, 1, 'no refetch within the interval');
    clock.advance(JWKS_REFETCH_MS);
    const later = claims({ exp: clock.now() / 1000 + 60 });
    assert.equal(await run(signRs256(later, two.privateKey, 'two')), 'ok');
    assert.equal(fetches, 2);

    // Past the TTL the set is fetched again; a failed fetch keeps the keys already held.
    clock.advance(JWKS_TTL_MS + 1);
    doc = null;
    const latest = claims({ exp: clock.now() / 1000 + 60 });
    assert.equal(await run(signRs256(latest, one.privateKey, 'one')), 'ok');
    assert.equal(fetches, 3);
  });
});
