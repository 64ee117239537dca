import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryCache } from '../../../src/backends/memory/cache.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { CacheBackend } from '../../../src/services/cache/backend.ts';
import { cacheLimits } from '../../../src/services/cache/constants.ts';
import { type CacheErrorCode, isCacheError } from '../../../src/services/cache/errors.ts';
import { cacheNamespaceOf } from '../../../src/services/cache/namespace.ts';
import { CacheService } from '../../../src/services/cache/service.ts';

const make = () => new CacheService(memoryCache({ clock: new ManualClock(), maxBytes: 64 * 1024 * 1024 }));
const fails = (p: Promise<unknown>, code: CacheErrorCode) =>
  assert.rejects(p, (e) => isCacheError(e, code), `expected ${code}`);

describe('cache service: the documented limits', () => {
  it('takes keys up to 1 KiB of UTF-8, and no empty or non-string key', async () => {
    const c = make();
    await c.set('app', 'k'.repeat(1024), 'v');
    assert.equal(await c.get('app', 'k'.repeat(1024)), 'v');
    await fails(c.set('app', 'k'.repeat(1025), 'v'), 'InvalidKey');
    await fails(c.get('app', 'é'.repeat(513)), 'InvalidKey');
    await fails(c.get('app', ''), 'InvalidKey');
    await fails(c.get('app', 5 as unknown as string), 'InvalidKey');
  });

  it('takes string values up to 1 MiB of UTF-8', async () => {
    const c = make();
    await c.set('app', 'max', 'v'.repeat(cacheLimits.valueBytes));
    await fails(c.set('app', 'over', 'v'.repeat(cacheLimits.valueBytes + 1)), 'ValueTooLarge');
    await fails(c.set('app', 'wide', 'é'.repeat(cacheLimits.valueBytes / 2 + 1)), 'ValueTooLarge');
    await fails(c.set('app', 'obj', { a: 1 } as unknown as string), 'InvalidValue');
    await fails(c.set('app', 'undef', undefined as unknown as string), 'InvalidValue');
    await fails(c.compareAndSet('app', 'k', null, 7 as unknown as string), 'InvalidValue');
    assert.equal(await c.get('app', 'over'), null);
  });

  it('takes TTLs from 1 ms to 30 days, in whole milliseconds', async () => {
    const c = make();
    await c.set('app', 'a', 'v', 1);
    await c.set('app', 'b', 'v', 30 * 24 * 3_600_000);
    for (const ttl of [0, -5, 1.5, 30 * 24 * 3_600_000 + 1, Number.NaN, '100' as unknown as number])
      await fails(c.set('app', 'c', 'v', ttl), 'InvalidTtl');
    await fails(c.increment('app', 'n', 1, 0), 'InvalidTtl');
    await fails(c.setMany('app', [{ key: 'a', value: 'v', ttlMs: -1 }]), 'InvalidTtl');
  });

  it('takes app names and function:NAME as namespaces', async () => {
    const c = make();
    for (const ns of ['shop', 'my_app-2', 'function:orders', 'a'.repeat(64)]) await c.set(ns, 'k', 'v');
    for (const ns of ['', 'has space', 'a/b', 'a'.repeat(65), 'function:', 'other:x', 'x\u0000y'])
      await fails(c.get(ns, 'k'), 'InvalidNamespace');
  });

  it('takes at most 100 keys and 16 MiB per batch', async () => {
    const c = make();
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    assert.equal((await c.getMany('app', keys)).length, 100);
    await fails(c.getMany('app', [...keys, 'one more']), 'TooManyKeys');
    await fails(
      c.setMany(
        'app',
        [...keys, 'x'].map((key) => ({ key, value: 'v' })),
      ),
      'TooManyKeys',
    );
    const mib = 'v'.repeat(cacheLimits.valueBytes);
    const big = Array.from({ length: 17 }, (_, i) => ({ key: `b${i}`, value: mib }));
    await fails(c.setMany('app', big), 'ValueTooLarge');
    assert.equal(await c.get('app', 'b0'), null, 'nothing of a refused batch is stored');
    await fails(c.getMany('app', 'k1' as unknown as string[]), 'InvalidArgument');
    await fails(c.setMany('app', [null] as unknown as []), 'InvalidArgument');
    await fails(c.getMany('app', ['ok', '']), 'InvalidKey');
    assert.deepEqual(await c.getMany('app', []), []);
    await c.setMany('app', []);
  });

  it('checks increment amounts and compare-and-set’s expected value', async () => {
    const c = make();
    assert.equal(await c.increment('app', 'n'), 1, 'by defaults to 1');
    await fails(c.increment('app', 'n', 1.5), 'InvalidArgument');
    await fails(c.increment('app', 'n', Number.MAX_SAFE_INTEGER + 1), 'InvalidArgument');
    await fails(c.compareAndSet('app', 'n', 1 as unknown as string, 'v'), 'InvalidArgument');
    assert.equal(await c.compareAndSet('app', 'n', '1', '10'), true);
  });

  it('reports a failing backend as BackendFailure, keeping the driver error as cause', async () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const broken = new Proxy({} as CacheBackend, {
      get: () => async () => {
        throw cause;
      },
    });
    const c = new CacheService(broken);
    await assert.rejects(c.get('app', 'k'), (e) => {
      assert.ok(isCacheError(e, 'BackendFailure'));
      assert.equal(e.cause, cause);
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
  });
});

describe('cache namespaces', () => {
  it('is the app, or function:NAME for a function outside any app', () => {
    assert.equal(cacheNamespaceOf({ app: 'shop', name: 'checkout' }), 'shop');
    assert.equal(cacheNamespaceOf({ app: null, name: 'checkout' }), 'function:checkout');
  });
});
