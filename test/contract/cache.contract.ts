import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CacheBackend } from '../../src/services/cache/backend.ts';
import { isCacheError } from '../../src/services/cache/errors.ts';

/** One backend under test, with a way to move its time on. */
export interface CacheSubject {
  backend: CacheBackend;
  /**
   * Moves the backend's notion of time forward by `ms`: a ManualClock for the memory backend.
   * A Redis backend, whose server keeps its own time, waits instead (keep TTLs in these tests short).
   */
  advance(ms: number): Promise<void>;
}

export interface CacheContractOptions {
  /** A fresh, empty backend with this memory cap in bytes. */
  make(opts: { maxBytes: number }): Promise<CacheSubject>;
  /**
   * True when the backend evicts exactly by LRU under its byte cap; otherwise the reason the
   * eviction tests are skipped (Redis evicts by sampling, under a cap set on the server).
   */
  exactLru: true | string;
}

const MB = 1024 * 1024;

/** The cache backend contract: every CacheBackend implementation runs these. */
export function cacheContract({ make, exactLru }: CacheContractOptions): void {
  const fresh = async (maxBytes = 64 * MB) => {
    const s = await make({ maxBytes });
    return { ...s, b: s.backend };
  };
  const rejectsWith = (p: Promise<unknown>, code: string) =>
    assert.rejects(p, (e) => isCacheError(e) && e.code === code);

  it('gets what was set, overwrites, and deletes', async () => {
    const { b } = await fresh();
    assert.equal(await b.get('app', 'k'), null);
    await b.set('app', 'k', 'v1');
    assert.equal(await b.get('app', 'k'), 'v1');
    await b.set('app', 'k', 'v2');
    assert.equal(await b.get('app', 'k'), 'v2');
    assert.equal(await b.delete('app', 'k'), true);
    assert.equal(await b.delete('app', 'k'), false);
    assert.equal(await b.get('app', 'k'), null);
    await b.set('app', 'empty', '');
    assert.equal(await b.get('app', 'empty'), '', 'an empty string is a value, not an absence');
  });

  it('keeps any string intact: unicode, newlines, JSON, NUL, and 1 MiB', async () => {
    const { b } = await fresh();
    const odd = ['héllo wörld ✓ 🎉', 'line\nbreak\r\n', '{"a":[1,"\\u0000"]}', 'nul\u0000inside'];
    for (const [i, v] of odd.entries()) await b.set('app', `k${i}`, v);
    for (const [i, v] of odd.entries()) assert.equal(await b.get('app', `k${i}`), v);
    await b.set('app', 'key\u0000with/odd chars é', 'x');
    assert.equal(await b.get('app', 'key\u0000with/odd chars é'), 'x');
    const big = 'x'.repeat(MB);
    await b.set('app', 'big', big);
    assert.equal(await b.get('app', 'big'), big);
  });

  it('keeps namespaces apart', async () => {
    const { b } = await fresh();
    await b.set('shop', 'k', 'shop value');
    await b.set('blog', 'k', 'blog value');
    assert.equal(await b.get('shop', 'k'), 'shop value');
    assert.equal(await b.get('blog', 'k'), 'blog value');
    assert.equal(await b.get('function:x', 'k'), null);
    assert.equal(await b.delete('blog', 'k'), true);
    assert.equal(await b.get('shop', 'k'), 'shop value');
    assert.equal(await b.increment('blog', 'n', 5), 5);
    assert.equal(await b.get('shop', 'n'), null);
    assert.equal(await b.compareAndSet('blog', 'k', null, 'mine'), true);
    assert.equal(await b.get('shop', 'k'), 'shop value');
    assert.deepEqual(await b.getMany('blog', ['k', 'n']), ['mine', '5']);
  });

  it('expires entries at their TTL, and a set without a TTL clears it', async () => {
    const { b, advance } = await fresh();
    await b.set('app', 'short', 'v', 1000);
    await b.set('app', 'kept', 'v', 1000);
    await b.set('app', 'kept', 'v');
    await b.set('app', 'renewed', 'v', 1000);
    await advance(999);
    assert.equal(await b.get('app', 'short'), 'v');
    await b.set('app', 'renewed', 'v2', 2000);
    await advance(1);
    assert.equal(await b.get('app', 'short'), null);
    assert.equal(await b.delete('app', 'short'), false, 'an expired key is absent');
    assert.equal(await b.get('app', 'kept'), 'v');
    assert.equal(await b.get('app', 'renewed'), 'v2');
    await advance(2000);
    assert.equal(await b.get('app', 'renewed'), null);
    assert.equal(await b.get('app', 'kept'), 'v');
  });

  it('gets and sets many at once, in order, with per-entry TTLs', async () => {
    const { b, advance } = await fresh();
    await b.setMany('app', [
      { key: 'a', value: '1' },
      { key: 'b', value: '2', ttlMs: 500 },
      { key: 'c', value: '3' },
    ]);
    assert.deepEqual(await b.getMany('app', ['c', 'missing', 'a', 'b']), ['3', null, '1', '2']);
    await advance(500);
    assert.deepEqual(await b.getMany('app', ['a', 'b', 'c']), ['1', null, '3']);
    assert.deepEqual(await b.getMany('other', ['a']), [null]);
  });

  it('increments integers, from 0 for an absent key', async () => {
    const { b } = await fresh();
    assert.equal(await b.increment('app', 'n', 1), 1);
    assert.equal(await b.increment('app', 'n', 41), 42);
    assert.equal(await b.increment('app', 'n', -50), -8);
    assert.equal(await b.get('app', 'n'), '-8');
    await b.set('app', 'text', '41');
    assert.equal(await b.increment('app', 'text', 1), 42);
    assert.equal(await b.increment('app', 'zero', 0), 0);
    assert.equal(await b.get('app', 'zero'), '0');
  });

  it('refuses to increment a non-integer, or past 2^53 - 1, changing nothing', async () => {
    const { b } = await fresh();
    for (const v of ['abc', '1.5', ' 1', '1e3', '', '+1']) {
      await b.set('app', 'v', v);
      await rejectsWith(b.increment('app', 'v', 1), 'NotAnInteger');
      assert.equal(await b.get('app', 'v'), v);
    }
    await b.set('app', 'max', String(Number.MAX_SAFE_INTEGER));
    await rejectsWith(b.increment('app', 'max', 1), 'OutOfRange');
    assert.equal(await b.get('app', 'max'), String(Number.MAX_SAFE_INTEGER));
    assert.equal(await b.increment('app', 'max', -1), Number.MAX_SAFE_INTEGER - 1);
    await b.set('app', 'huge', '99999999999999999999');
    await rejectsWith(b.increment('app', 'huge', 1), 'OutOfRange');
  });

  it('gives a TTL to the key an increment creates, and keeps an existing key’s TTL', async () => {
    const { b, advance } = await fresh();
    assert.equal(await b.increment('app', 'window', 1, 1000), 1);
    await advance(600);
    assert.equal(await b.increment('app', 'window', 1, 1000), 2, 'the TTL is not extended');
    await advance(400);
    assert.equal(await b.get('app', 'window'), null);
    assert.equal(await b.increment('app', 'window', 1, 1000), 1, 'a new window starts');
    await b.set('app', 'forever', '5');
    assert.equal(await b.increment('app', 'forever', 1, 10), 6);
    await advance(100);
    assert.equal(await b.get('app', 'forever'), '6', 'ttlMs applies only to a key the increment creates');
  });

  it('compares and sets: null means absent, and a mismatch changes nothing', async () => {
    const { b, advance } = await fresh();
    assert.equal(await b.compareAndSet('app', 'lock', null, 'owner-1', 1000), true);
    assert.equal(await b.compareAndSet('app', 'lock', null, 'owner-2'), false);
    assert.equal(await b.compareAndSet('app', 'lock', 'owner-2', 'owner-3'), false);
    assert.equal(await b.get('app', 'lock'), 'owner-1');
    assert.equal(await b.compareAndSet('app', 'lock', 'owner-1', 'owner-1b', 1000), true);
    assert.equal(await b.get('app', 'lock'), 'owner-1b');
    await advance(1000);
    assert.equal(await b.compareAndSet('app', 'lock', 'owner-1b', 'late'), false, 'an expired value is gone');
    assert.equal(await b.compareAndSet('app', 'lock', null, 'owner-2'), true, 'an expired key is absent');
    assert.equal(await b.get('app', 'lock'), 'owner-2');
  });

  it('clears one namespace and leaves the others', async () => {
    const { b } = await fresh();
    await b.setMany('a', [
      { key: '1', value: 'x' },
      { key: '2', value: 'y' },
    ]);
    await b.set('b', '1', 'z');
    assert.equal(await b.clear('a'), 2);
    assert.equal(await b.clear('a'), 0);
    assert.deepEqual(await b.getMany('a', ['1', '2']), [null, null]);
    assert.equal(await b.get('b', '1'), 'z');
  });

  it('counts keys and UTF-8 bytes of keys and values per namespace', async () => {
    const { b } = await fresh();
    await b.set('a', 'k1', 'hello');
    await b.set('a', 'k2', 'é');
    await b.set('b', 'key', 'v');
    await b.set('a', 'k1', 'hi');
    await b.delete('b', 'key');
    const s = await b.stats();
    assert.equal(s.keys, 2);
    assert.equal(s.bytes, 2 + 2 + 2 + 2);
    assert.deepEqual(s.namespaces, [{ namespace: 'a', keys: 2, bytes: 8 }]);
  });

  const lru = exactLru === true ? {} : { skip: exactLru };

  it('evicts the least recently used entries to stay under the cap', lru, async () => {
    const { b } = await fresh(100);
    // Each entry is 2 key bytes + 18 value bytes = 20 bytes: five fit.
    const v = 'v'.repeat(18);
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) await b.set(k === 'k3' ? 'other' : 'app', k, v);
    assert.equal(await b.get('app', 'k1'), v, 'reading k1 makes k2 the least recently used');
    await b.set('app', 'k6', v);
    assert.equal(await b.get('app', 'k2'), null);
    await b.increment('app', 'k7', 1);
    assert.equal(await b.get('other', 'k3'), null, 'eviction crosses namespaces');
    assert.deepEqual(await b.getMany('app', ['k1', 'k4', 'k5', 'k6', 'k7']), [v, v, v, v, '1']);
    const s = await b.stats();
    assert.ok(s.bytes <= 100, `${s.bytes} bytes held`);
    assert.equal(s.evictions, 2);
  });

  it('writes of a key move it to the most recently used end', lru, async () => {
    const { b } = await fresh(60);
    const v = 'v'.repeat(18);
    await b.set('app', 'k1', v);
    await b.set('app', 'k2', v);
    await b.set('app', 'k3', v);
    await b.set('app', 'k1', v);
    await b.set('app', 'k4', v);
    assert.deepEqual(await b.getMany('app', ['k1', 'k2', 'k3', 'k4']), [v, null, v, v]);
  });
}
