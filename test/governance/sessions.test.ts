import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import {
  refreshAt,
  refreshMarginMs,
  SessionVendor,
  sessionLifetimeMs,
} from '../../src/governance/sessions.ts';
import { loadConfig } from '../../src/server/config.ts';

describe('the session credential vendor', () => {
  it("issues STS-shaped credentials: ASIA key ids, 40-character secrets, a token, the clock's expiry", () => {
    const clock = new ManualClock();
    const v = new SessionVendor<string>(clock, 3_600_000);
    const a = v.issue('fn-a');
    const b = v.issue('fn-b', 60_000);
    assert.match(a.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(a.secretAccessKey.length, 40);
    assert.ok(a.sessionToken.length >= 100);
    assert.notEqual(a.accessKeyId, b.accessKeyId);
    assert.notEqual(a.sessionToken, b.sessionToken);
    assert.equal(a.expiresAt, clock.now() + 3_600_000);
    assert.equal(b.expiresAt, clock.now() + 60_000);
    assert.deepEqual(v.secretFor(a.accessKeyId), {
      secret: a.secretAccessKey,
      sessionToken: a.sessionToken,
      expiresAt: a.expiresAt,
    });
    assert.equal(v.active(a.accessKeyId)?.subject, 'fn-a');
    assert.equal(v.secretFor('ASIAUNKNOWNUNKNOWN23'), undefined);
  });

  it('keeps an expired session for its answer (ExpiredToken), then forgets it', () => {
    const clock = new ManualClock();
    const v = new SessionVendor<string>(clock, 60_000);
    const s = v.issue('fn');
    clock.advance(59_999);
    assert.ok(v.active(s.accessKeyId));
    clock.advance(1);
    assert.equal(v.active(s.accessKeyId), undefined, 'expired: no subject');
    assert.ok(v.secretFor(s.accessKeyId), 'still known, so SigV4 says it expired');
    clock.advance(60_000);
    v.issue('other');
    assert.equal(v.secretFor(s.accessKeyId), undefined, 'swept a lifetime after expiry');
    assert.equal(v.size, 1);
  });

  it('forgets a revoked session at once', () => {
    const v = new SessionVendor<string>(new ManualClock(), 60_000);
    const s = v.issue('fn');
    v.revoke(s.accessKeyId);
    assert.equal(v.secretFor(s.accessKeyId), undefined);
    assert.equal(v.active(s.accessKeyId), undefined);
  });

  it('retires an instance a margin plus its timeout before expiry, and stretches short lifetimes', () => {
    assert.equal(refreshMarginMs(3_600_000), 300_000, '5 minutes at most');
    assert.equal(refreshMarginMs(900_000), 90_000, 'a tenth of the TTL');
    assert.equal(refreshAt(10_000_000, 3_600_000, 3000), 10_000_000 - 3000 - 300_000);
    assert.equal(sessionLifetimeMs(3_600_000, 3000), 3_600_000);
    // A 900 s timeout on a 900 s TTL: long enough for one whole invocation and both margins.
    assert.equal(sessionLifetimeMs(900_000, 900_000), 900_000 + 180_000);
    const issued = 0;
    const lifetime = sessionLifetimeMs(900_000, 900_000);
    assert.ok(refreshAt(issued + lifetime, 900_000, 900_000) > issued);
  });

  it('reads BATON_FUNCTION_CREDENTIALS_TTL_S within STS bounds', () => {
    assert.equal(loadConfig({}).functionCredentialsTtlS, 3600);
    assert.equal(loadConfig({ BATON_FUNCTION_CREDENTIALS_TTL_S: '43200' }).functionCredentialsTtlS, 43_200);
    for (const bad of ['899', '43201', 'soon'])
      assert.throws(
        () => loadConfig({ BATON_FUNCTION_CREDENTIALS_TTL_S: bad }),
        /BATON_FUNCTION_CREDENTIALS_TTL_S must be a whole number from 900 to 43200/,
      );
  });
});
