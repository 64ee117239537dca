import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { isBatonError } from '../../src/core/errors.ts';
import { formatInvocationLog } from '../../src/telemetry/logs/invocation-log.ts';
import { drive } from '../helpers/drive.ts';
import { createHarness, type Harness } from '../helpers/harness.ts';

const pidOf = (body: unknown): number => (body as { pid: number }).pid;

describe('pool and scaling (real processes, injected clock)', () => {
  let h: Harness;
  const clock = new ManualClock(Date.now());
  before(async () => {
    h = await createHarness({ clock, maxInstances: 6 });
  });
  after(() => h.close());

  it('scales out under concurrent load up to reservedConcurrency, then throttles with 429', async () => {
    await h.deploy('capped', { handler: 'basic.slow', reservedConcurrency: 3 });
    const calls = Array.from({ length: 5 }, () => h.invoker.invoke('capped', '{"ms":300}'));
    // Requests that cannot have a spare first wait as long as a boot would take: drive the clock.
    const results = await drive(Promise.allSettled(calls), clock, 50);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const throttled = results.filter(
      (r) => r.status === 'rejected' && isBatonError(r.reason, 'ThrottledFunction'),
    );
    assert.equal(ok.length, 3);
    assert.equal(throttled.length, 2);
    const pids = new Set(
      ok.map((r) => pidOf(JSON.parse((r as PromiseFulfilledResult<{ payload: string }>).value.payload))),
    );
    assert.equal(pids.size, 3, 'three instances ran side by side');
    const again = await h.invoker.invoke('capped', '{"ms":1}');
    assert.ok(pids.has(pidOf(JSON.parse(again.payload))), 'then a warm one is reused');
    assert.equal(again.cold, false);
  });

  it('throttles at the platform cap once nothing idle can be reclaimed', async () => {
    await h.deploy('wide', { handler: 'basic.slow' });
    // capped holds 3 idle instances; the cap is 6: 6 concurrent calls reclaim them, a 7th is refused.
    const calls = Array.from({ length: 7 }, () => h.invoker.invoke('wide', '{"ms":300}'));
    const results = await drive(Promise.allSettled(calls), clock, 50);
    const refused = results.filter(
      (r) => r.status === 'rejected' && isBatonError(r.reason, 'ThrottledAccount'),
    );
    assert.equal(refused.length, 1);
    assert.equal(h.pool.stats().live, 6);
    assert.equal(
      h.pool.stats().functions.capped?.live,
      0,
      'idle instances of another function were reclaimed',
    );
  });

  it('queues short invocations behind a busy instance rather than starting one per request', async () => {
    await h.deploy('short', { handler: 'basic.handler' });
    await h.call('short');
    await h.call('short');
    // The clock stands still: each invocation seems to take 0 ms, far less than a cold start.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.invoker.invoke('short', `{"i":${i}}`)),
    );
    assert.deepEqual(
      results.map((r) => JSON.parse(r.payload).event.i),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(h.pool.stats().functions.short?.live, 1, 'one hot instance served them all, in order');
    assert.ok(results.every((r) => !r.cold));
  });

  it('starts more instances for slow invocations after waiting at most a start time', async () => {
    await h.deploy('slowish', { handler: 'basic.slow', reservedConcurrency: 4 });
    await h.invoker.invoke('slowish', '{"ms":1}');
    clock.advance(400);
    // A first call took 400 ms of clock time: waiting behind it is slower than starting.
    const calls = Array.from({ length: 3 }, () => h.invoker.invoke('slowish', '{"ms":300}'));
    await drive(Promise.all(calls), clock, 50);
    assert.ok(
      (h.pool.stats().functions.slowish?.live ?? 0) >= 3,
      JSON.stringify(h.pool.stats().functions.slowish),
    );
  });

  it('reaps idle instances after idleTimeout, scaling to zero', async () => {
    await h.deploy('reaped', { handler: 'basic.handler', idleTimeout: 60 });
    await h.call('reaped');
    assert.equal(h.pool.stats().functions.reaped?.live, 1);
    clock.advance(59_000);
    h.pool.scale();
    assert.equal(h.pool.stats().functions.reaped?.live, 1, 'not yet');
    clock.advance(1_000);
    h.pool.scale();
    await waitFor(() => h.pool.stats().functions.reaped?.live === 0);
    const next = await h.call('reaped');
    assert.equal(next.cold, true, 'the next call starts cold');
  });

  it('keeps provisioned instances warm, initialised ahead of demand', async () => {
    await h.deploy('prov', { handler: 'basic.handler', provisionedConcurrency: 2, idleTimeout: 1 });
    await waitFor(() => h.pool.stats().functions.prov?.idle === 2);
    clock.advance(3_600_000);
    h.pool.scale();
    assert.equal(h.pool.stats().functions.prov?.live, 2, 'provisioned instances are never reaped');
    const r = await h.invoker.invoke('prov', '{}');
    assert.equal(r.cold, false);
    assert.doesNotMatch(formatInvocationLog(r.log).at(-1)!, /Init Duration/);
    assert.equal(JSON.parse(r.payload).initCount, 1);
  });

  it('replaces a crashed instance', async () => {
    await h.deploy('crashy', { handler: 'basic.handler', provisionedConcurrency: 1 });
    await waitFor(() => h.pool.stats().functions.crashy?.idle === 1);
    const pid = pidOf((await h.call('crashy')).body);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => h.pool.stats().functions.crashy?.live === 0);
    h.pool.scale();
    await waitFor(() => h.pool.stats().functions.crashy?.idle === 1);
    const next = await h.call('crashy');
    assert.notEqual(pidOf(next.body), pid);
    assert.equal(next.error, false);
  });

  it('drains old instances on deploy without failing in-flight invocations', async () => {
    await h.deploy('drain', { handler: 'basic.slow' });
    const warm = await h.invoker.invoke('drain', '{"ms":1}');
    const oldPid = pidOf(JSON.parse(warm.payload));
    const inFlight = h.invoker.invoke('drain', '{"ms":400}');
    await new Promise((r) => setTimeout(r, 50));
    await h.deploy('drain', { handler: 'basic.handler' });
    const fresh = await h.call('drain', { after: 'deploy' });
    assert.equal((fresh.body as { event: unknown }).event && true, true, 'new code answers at once');
    assert.notEqual(pidOf(fresh.body), oldPid);
    const finished = await inFlight;
    assert.equal(finished.functionError, undefined);
    assert.deepEqual(
      JSON.parse(finished.payload),
      { version: 'v1', pid: oldPid },
      'the old instance finished its work',
    );
    await waitFor(() => h.pool.stats().functions.drain?.live === 1);
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
