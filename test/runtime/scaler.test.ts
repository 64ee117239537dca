import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  admit,
  ewma,
  expectedWaitMs,
  type InstanceStats,
  keepWaiting,
  MAX_QUEUE_PER_INSTANCE,
  pickVictim,
  plan,
} from '../../src/runtime/scaler.ts';

const base = {
  idle: 0,
  live: 0,
  inFlight: 0,
  reserved: null,
  platformLive: 0,
  platformCap: 10,
  reclaimable: 0,
  busy: 0,
  queued: 0,
  serviceMs: undefined,
  startMs: 5,
  mayQueue: true,
};

describe('admit', () => {
  it('reuses an idle instance first', () => {
    assert.equal(admit({ ...base, idle: 1, live: 5, inFlight: 4, reserved: 5, platformLive: 10 }), 'warm');
  });
  it('leaves idle instances unused beyond a lowered reserved concurrency', () => {
    assert.equal(admit({ ...base, idle: 2, live: 5, inFlight: 3, reserved: 3 }), 'throttle-function');
    assert.equal(admit({ ...base, idle: 1, live: 1, reserved: 0 }), 'throttle-function');
  });
  it('starts an instance below both limits', () => {
    assert.equal(admit({ ...base, live: 2, reserved: 3, platformLive: 9 }), 'cold');
  });
  it('throttles the function at its reserved concurrency', () => {
    assert.equal(admit({ ...base, live: 3, reserved: 3 }), 'throttle-function');
    assert.equal(admit({ ...base, reserved: 0 }), 'throttle-function', 'reserved 0 stops every invocation');
  });
  it('reclaims an idle instance of another function at the platform cap, else throttles', () => {
    assert.equal(admit({ ...base, platformLive: 10, reclaimable: 2 }), 'evict');
    assert.equal(admit({ ...base, platformLive: 10 }), 'throttle-platform');
  });
});

const inst = (
  id: string,
  state: InstanceStats['state'],
  idleSince: number,
  current = true,
): InstanceStats => ({
  id,
  state,
  current,
  idleSince,
});

describe('admit: waiting versus starting', () => {
  const busy = { ...base, live: 2, busy: 2 };

  it('waits for a busy instance when it should be free sooner than a start', () => {
    // Four requests share two instances at 1 ms each: about 2 ms, against a 5 ms start.
    assert.equal(expectedWaitMs({ busy: 2, queued: 3, serviceMs: 1 }), 2);
    assert.equal(admit({ ...busy, queued: 3, serviceMs: 1 }), 'queue');
  });

  it('starts an instance when waiting would take longer', () => {
    assert.equal(admit({ ...busy, queued: 3, serviceMs: 10 }), 'cold');
  });

  it('with no service time known, waits only when a start would be a process boot', () => {
    assert.equal(admit({ ...busy, startMs: 5 }), 'cold');
    assert.equal(admit({ ...busy, startMs: 80 }), 'queue');
  });

  it('never queues without busy instances, past the queue cap, or once a request has waited', () => {
    assert.equal(admit({ ...base, serviceMs: 0.1 }), 'cold');
    assert.equal(admit({ ...busy, serviceMs: 0.001, queued: 2 * MAX_QUEUE_PER_INSTANCE }), 'cold');
    assert.equal(admit({ ...busy, serviceMs: 0.1, mayQueue: false }), 'cold');
  });

  it('at reserved concurrency, waits briefly if that is quick, else throttles', () => {
    const full = { ...busy, reserved: 2 };
    assert.equal(admit({ ...full, serviceMs: 0.5 }), 'queue');
    assert.equal(admit({ ...full, serviceMs: 300 }), 'throttle-function');
    assert.equal(admit({ ...full, serviceMs: 0.5, mayQueue: false }), 'throttle-function');
  });

  it('keeps waiting past a start time only while the queue moves and the platform is the bottleneck', () => {
    // Instances work 0.1 ms of each 2 ms turnaround: the dispatcher, not the instances, is saturated.
    assert.equal(keepWaiting({ progressed: true, turnaroundMs: 2, serviceMs: 0.1 }), true);
    assert.equal(
      keepWaiting({ progressed: false, turnaroundMs: 2, serviceMs: 0.1 }),
      false,
      'a stuck queue starts one',
    );
    assert.equal(
      keepWaiting({ progressed: true, turnaroundMs: 300, serviceMs: 299 }),
      false,
      'busy instances: start one',
    );
    assert.equal(keepWaiting({ progressed: true, turnaroundMs: 2, serviceMs: undefined }), false);
  });

  it('averages service times', () => {
    assert.equal(ewma(undefined, 4), 4);
    assert.equal(ewma(4, 9), 5);
  });
});

describe('plan', () => {
  const spec = { provisioned: 0, idleTimeoutMs: 60_000 };

  it('reaps instances idle past their time, and keeps the rest', () => {
    const now = 1_000_000;
    const p = plan(
      now,
      [inst('a', 'idle', now - 60_000), inst('b', 'idle', now - 59_999), inst('c', 'busy', 0)],
      spec,
    );
    assert.deepEqual(p, { reap: ['a'], start: 0 });
  });

  it('scales to zero when everything is idle long enough', () => {
    const p = plan(500_000, [inst('a', 'idle', 0), inst('b', 'idle', 100)], spec);
    assert.deepEqual(p.reap.sort(), ['a', 'b']);
  });

  it('starts instances up to the provisioned count and never reaps below it', () => {
    const s = { provisioned: 2, idleTimeoutMs: 1000 };
    assert.deepEqual(plan(0, [], s), { reap: [], start: 2 });
    assert.deepEqual(plan(10_000, [inst('a', 'idle', 0), inst('b', 'idle', 5)], s), { reap: [], start: 0 });
    const three = plan(10_000, [inst('a', 'idle', 0), inst('b', 'idle', 5), inst('c', 'idle', 9)], s);
    assert.deepEqual(three, { reap: ['a'], start: 0 }, 'the longest idle goes first');
  });

  it('counts starting instances, so a pass does not start them twice', () => {
    assert.deepEqual(plan(0, [inst('s', 'starting', 0)], { provisioned: 1, idleTimeoutMs: 1 }), {
      reap: [],
      start: 0,
    });
  });

  it('reaps idle instances of an old revision at once and does not count them as provisioned', () => {
    const p = plan(0, [inst('old', 'idle', 0, false), inst('busyOld', 'busy', 0, false)], {
      provisioned: 1,
      idleTimeoutMs: 1e9,
    });
    assert.deepEqual(p, { reap: ['old'], start: 1 });
  });
});

describe('pickVictim', () => {
  it('picks the instance idle longest', () => {
    assert.deepEqual(pickVictim([{ idleSince: 5 }, { idleSince: 2 }, { idleSince: 9 }]), { idleSince: 2 });
    assert.equal(pickVictim([]), undefined);
  });
});
