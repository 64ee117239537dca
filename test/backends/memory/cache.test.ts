import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryCache } from '../../../src/backends/memory/cache.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { isCacheError } from '../../../src/services/cache/errors.ts';

// What the memory backend does beyond the contract (test/contract/cache.contract.ts): its sweep,
// its timer, and its bookkeeping. Time moves only by ManualClock.advance.
describe('memory cache: sweep and bookkeeping', () => {
  const make = (opts: { maxBytes?: number; sweepIntervalMs?: number; sweepBudget?: number } = {}) => {
    const clock = new ManualClock();
    const cache = memoryCache({ clock, maxBytes: 1024 * 1024, ...opts });
    return { clock, cache };
  };

  it('sweeps expired entries that nobody reads', async () => {
    const { clock, cache } = make({ sweepIntervalMs: 1000 });
    for (let i = 0; i < 5; i++) await cache.set('app', `k${i}`, 'value', 500 + i);
    await cache.set('app', 'kept', 'value');
    clock.advance(999);
    assert.equal((await cache.stats()).keys, 6, 'nothing is swept before the sweep runs');
    clock.advance(1);
    const s = await cache.stats();
    assert.deepEqual([s.keys, s.expirations, s.bytes], [1, 5, 4 + 5]);
  });

  it('runs its sweep timer only while entries with a TTL exist', async () => {
    const { clock, cache } = make();
    await cache.set('app', 'plain', 'v');
    assert.equal(clock.pending(), 0);
    await cache.set('app', 'a', 'v', 10_000);
    await cache.set('app', 'b', 'v', 10_000);
    assert.equal(clock.pending(), 1, 'one timer for every entry');
    await cache.delete('app', 'a');
    assert.equal(clock.pending(), 1);
    await cache.set('app', 'b', 'no ttl now');
    assert.equal(clock.pending(), 0, 'the last TTL gone, the timer stops');
    await cache.increment('app', 'n', 1, 2000);
    clock.advance(2000);
    assert.equal(clock.pending(), 0, 'the sweep that empties it does not re-arm');
    assert.equal((await cache.stats()).expirations, 1);
    await cache.set('app', 'c', 'v', 5);
    await cache.close();
    assert.equal(clock.pending(), 0, 'close stops it');
  });

  it('drops at most its budget per sweep, and the rest on the next ones', async () => {
    const { clock, cache } = make({ sweepIntervalMs: 100, sweepBudget: 2 });
    for (let i = 0; i < 5; i++) await cache.set('app', `k${i}`, 'v', 50);
    clock.advance(100);
    assert.equal((await cache.stats()).keys, 3);
    clock.advance(100);
    assert.equal((await cache.stats()).keys, 1);
    clock.advance(100);
    assert.equal((await cache.stats()).keys, 0);
  });

  it('keeps its expiry heap bounded when the same keys are rewritten with TTLs', async () => {
    const { clock, cache } = make();
    for (let i = 0; i < 20_000; i++) await cache.set('app', `k${i % 10}`, 'v', 60_000 + i);
    const heap = (cache as unknown as { expiries: { size: number } }).expiries;
    assert.ok(heap.size <= 2 * 10 + 1024 + 1, `${heap.size} heap nodes for 10 keys`);
    clock.advance(100_000);
    assert.equal((await cache.stats()).keys, 0);
  });

  it('refuses an entry larger than the whole cap, changing nothing', async () => {
    const { cache } = make({ maxBytes: 64 });
    await cache.set('app', 'k', 'small');
    const tooBig = 'x'.repeat(64);
    await assert.rejects(cache.set('app', 'k', tooBig), (e) => isCacheError(e, 'ValueTooLarge'));
    await assert.rejects(
      cache.setMany('app', [
        { key: 'a', value: 'fits' },
        { key: 'b', value: tooBig },
      ]),
      (e) => isCacheError(e, 'ValueTooLarge'),
    );
    assert.deepEqual(await cache.getMany('app', ['k', 'a', 'b']), ['small', null, null], 'all or nothing');
    await assert.rejects(cache.compareAndSet('app', 'k', 'small', tooBig), (e) =>
      isCacheError(e, 'ValueTooLarge'),
    );
    assert.equal(await cache.get('app', 'k'), 'small');
  });

  it('forgets a namespace once its last key is gone', async () => {
    const { clock, cache } = make();
    await cache.set('a', 'k', 'v', 10);
    await cache.set('b', 'k', 'v');
    clock.advance(10);
    assert.equal(await cache.get('a', 'k'), null);
    assert.deepEqual(
      (await cache.stats()).namespaces.map((n) => n.namespace),
      ['b'],
    );
    assert.equal(await cache.clear('b'), 1);
    assert.deepEqual((await cache.stats()).namespaces, []);
    assert.equal((await cache.stats()).bytes, 0);
  });
});
