import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memoryCache } from '../../src/backends/memory/cache.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { holdWhilePending, recordBaseline, whenEventLoopEmpty } from '../../src/runtime/runner/event-loop.ts';
import { CacheService } from '../../src/services/cache/service.ts';
import { createHarness, FIXTURES, type Harness } from '../helpers/harness.ts';

type Result = {
  ok?: unknown;
  error?: { name: string; code: string; message: string; isCacheError: boolean };
};

// Real runner processes reach the cache over their channel; TTLs run on the injected clock.
describe('the cache from inside a function (globalThis.baton.cache)', () => {
  let h: Harness;
  let cache: CacheService;
  const clock = new ManualClock(Date.now());
  const dir = join(FIXTURES, 'cache');
  before(async () => {
    cache = new CacheService(memoryCache({ clock, maxBytes: 64 * 1024 * 1024 }));
    h = await createHarness({ clock, cache });
    await h.deploy('ops', { handler: 'ops.handler' }, dir);
    await h.deploy('other', { handler: 'ops.handler' }, dir);
    await h.deploy('concurrent', { handler: 'ops.concurrent' }, dir);
    await h.deploy('forge', { handler: 'ops.forge' }, dir);
    await h.deploy('cjs', { handler: 'callback.handler' }, dir);
  });
  after(() => h.close());

  const run = async (fn: string, ...ops: unknown[][]): Promise<Result[]> => {
    const r = await h.call(fn, { ops });
    assert.equal(r.error, false, JSON.stringify(r.body));
    return r.body as Result[];
  };
  const values = async (fn: string, ...ops: unknown[][]) => (await run(fn, ...ops)).map((r) => r.ok);

  it('sets, gets, deletes, increments, and compares-and-sets', async () => {
    assert.deepEqual(
      await values(
        'ops',
        ['get', 'greeting'],
        ['set', 'greeting', 'hello'],
        ['get', 'greeting'],
        ['increment', 'visits'],
        ['increment', 'visits', 10],
        ['compareAndSet', 'greeting', 'hello', 'bye'],
        ['compareAndSet', 'greeting', 'hello', 'again'],
        [
          'setMany',
          [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
        ],
        ['getMany', ['a', 'nothing', 'b', 'greeting']],
        ['delete', 'a'],
        ['delete', 'a'],
      ),
      [null, null, 'hello', 1, 11, true, false, null, ['1', null, '2', 'bye'], true, false],
    );
    assert.equal(await cache.get('function:ops', 'visits'), '11', 'the host sees what the function wrote');
  });

  it('expires entries by the injected clock', async () => {
    assert.deepEqual(await values('ops', ['set', 'session', 'abc', { ttlMs: 60_000 }], ['get', 'session']), [
      null,
      'abc',
    ]);
    clock.advance(59_999);
    assert.deepEqual(await values('ops', ['get', 'session']), ['abc']);
    clock.advance(1);
    assert.deepEqual(await values('ops', ['get', 'session']), [null]);
  });

  it('keeps each function outside an app in its own namespace', async () => {
    await values('ops', ['set', 'mine', 'ops value']);
    assert.deepEqual(await values('other', ['get', 'mine'], ['set', 'mine', 'other value']), [null, null]);
    assert.deepEqual(await values('ops', ['get', 'mine']), ['ops value']);
    assert.equal(await cache.get('function:other', 'mine'), 'other value');
  });

  it('lets module init use the cache', async () => {
    assert.deepEqual(await values('ops', ['get', 'written-at-init']), ['yes']);
  });

  it('rejects with a CacheError carrying the code', async () => {
    const r = await run(
      'ops',
      ['get', ''],
      ['set', 'k', { not: 'a string' }],
      ['set', 'k', 'x'.repeat(1024 * 1024 + 1)],
      ['set', 'k', 'v', { ttlMs: 0 }],
      ['set', 'text', 'abc'],
      ['increment', 'text'],
    );
    assert.deepEqual(
      r.map((x) => x.error?.code ?? 'ok'),
      ['InvalidKey', 'InvalidValue', 'ValueTooLarge', 'InvalidTtl', 'ok', 'NotAnInteger'],
    );
    assert.equal(r[0]!.error!.name, 'CacheError');
    assert.equal(r[0]!.error!.isCacheError, true);
    assert.match(r[0]!.error!.message, /key: must be a non-empty string/);
  });

  it('carries many operations in flight at once', async () => {
    const r = await h.call('concurrent', { n: 500, key: 'hits' });
    const body = r.body as { results: number[]; final: string };
    assert.equal(body.final, '500');
    assert.deepEqual(
      [...body.results].sort((a, b) => a - b),
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
  });

  it('works from a CommonJS callback handler', async () => {
    assert.deepEqual((await h.call('cjs')).body, { n: 1 });
    assert.deepEqual((await h.call('cjs')).body, { n: 2 });
  });

  it('binds the namespace on the host: a forged request reaches only the function’s own', async () => {
    const r = await h.call('forge');
    assert.equal(r.body, 'v');
    assert.equal(await cache.get('function:forge', 'forged'), 'v');
    assert.deepEqual((await cache.stats()).namespaces.map((n) => n.namespace).includes('victim'), false);
  });
});

describe('a callback handler’s empty event loop', () => {
  it('waits for cache operations in flight', async () => {
    recordBaseline();
    let inFlight = 1;
    holdWhilePending(() => inFlight);
    let done = false;
    const empty = whenEventLoopEmpty().then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(done, false);
    inFlight = 0;
    await empty;
    assert.equal(done, true);
  });
});
