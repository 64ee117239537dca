import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type AsyncEvent, type AsyncEventBackend, PARKED } from '../../src/runtime/async/backend.ts';

const event = (id: string, over: Partial<AsyncEvent> = {}): AsyncEvent => ({
  id,
  function: 'fn',
  qualifier: '$LATEST',
  payload: `{"id":"${id}"}`,
  enqueuedAt: 100,
  dueAt: 100,
  attempts: 0,
  throttles: 0,
  ...over,
});

/** The async event queue's contract: every AsyncEventBackend implementation runs these. */
export function asyncEventsContract(make: () => Promise<AsyncEventBackend>): void {
  it('claims due events in order under a lease, and not twice', async () => {
    const b = await make();
    await b.add(event('a', { enqueuedAt: 1, dueAt: 10 }));
    await b.add(event('b', { enqueuedAt: 2, dueAt: 20 }));
    await b.add(event('c', { enqueuedAt: 3, dueAt: 500 }));
    assert.equal(await b.nextDue(), 10);
    const first = await b.claim(100, 10, 1000);
    assert.deepEqual(
      first.map((e) => [e.id, e.payload]),
      [
        ['a', '{"id":"a"}'],
        ['b', '{"id":"b"}'],
      ],
    );
    assert.deepEqual(await b.claim(100, 10, 1000), [], 'leased events are not claimed again');
    assert.equal(await b.nextDue(), 500);
    assert.deepEqual(
      (await b.claim(2000, 1, 3000)).map((e) => e.id),
      ['c'],
      'the limit holds, earliest due first',
    );
    assert.deepEqual(
      (await b.claim(2000, 5, 3000)).map((e) => e.id),
      ['a', 'b'],
      'an expired lease makes events due again',
    );
  });

  it('reschedules, parks, removes and releases leases', async () => {
    const b = await make();
    await b.add(event('x'));
    await b.add(event('y'));
    await b.add(event('z'));
    await b.claim(100, 3, 10_000);
    await b.reschedule('x', 160, 1, 0);
    await b.reschedule('y', PARKED, 3, 0);
    await b.remove('z');
    assert.deepEqual(await b.counts(), { pending: 1, parked: 1 });
    assert.equal(await b.nextDue(), 160);
    const [x] = await b.claim(200, 5, 900);
    assert.deepEqual([x?.id, x?.attempts], ['x', 1]);
    assert.equal(await b.releaseLeases(300), 1, 'only the running event is released');
    assert.deepEqual(
      (await b.claim(300, 5, 900)).map((e) => e.id),
      ['x'],
    );
  });
}
