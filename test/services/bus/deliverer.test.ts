import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sqliteBus } from '../../../src/backends/sqlite/bus.ts';
import { openSqlite } from '../../../src/backends/sqlite/database.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { BusDelivery } from '../../../src/services/bus/backend.ts';
import { BusDeliverer, retryDelayMs } from '../../../src/services/bus/deliverer.ts';

function delivery(clock: ManualClock, over: Partial<BusDelivery> = {}): BusDelivery {
  return {
    id: `d-${Math.random()}`,
    bus: 'default',
    rule: 'r',
    ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
    targetId: 't',
    targetArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    event: '{"id":"e"}',
    payload: '{"p":1}',
    maxRetries: 3,
    maxAgeMs: 86_400_000,
    deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
    createdAt: clock.now(),
    dueAt: clock.now(),
    attempts: 0,
    ...over,
  };
}

/** Lets the deliverer's promise chains settle after timers fired. */
async function settle(d: BusDeliverer): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await d.idle();
    await new Promise((r) => setImmediate(r));
  }
}

function setup(sendOk: (attempt: number) => boolean) {
  const clock = new ManualClock();
  const backend = sqliteBus(openSqlite(':memory:'));
  const sends: number[] = [];
  const dead: { d: BusDelivery; reason: string }[] = [];
  const deliverer = new BusDeliverer({
    backend,
    clock,
    send: async () => {
      sends.push(clock.now());
      if (!sendOk(sends.length)) throw new Error('target down');
    },
    deadLetter: async (d, reason) => {
      dead.push({ d, reason });
    },
    warn: () => {},
  });
  return { clock, backend, sends, dead, deliverer };
}

describe('BusDeliverer on a ManualClock', () => {
  it('retries with back-off until the send succeeds', async () => {
    const t = setup((n) => n >= 3);
    await t.backend.addDeliveries([delivery(t.clock)]);
    await t.deliverer.start();
    t.clock.advance(0);
    await settle(t.deliverer);
    assert.equal(t.sends.length, 1);
    t.clock.advance(retryDelayMs(1));
    await settle(t.deliverer);
    assert.equal(t.sends.length, 2);
    t.clock.advance(retryDelayMs(2) - 1);
    await settle(t.deliverer);
    assert.equal(t.sends.length, 2, 'not before its back-off');
    t.clock.advance(1);
    await settle(t.deliverer);
    assert.equal(t.sends.length, 3);
    assert.equal(await t.backend.nextDeliveryDue(), undefined, 'removed once delivered');
    assert.equal(t.dead.length, 0);
    t.deliverer.close();
  });

  it('hands a delivery to its dead-letter queue after MaximumRetryAttempts', async () => {
    const t = setup(() => false);
    await t.backend.addDeliveries([delivery(t.clock, { maxRetries: 2 })]);
    await t.deliverer.start();
    for (let i = 0; i < 10; i++) {
      t.clock.advance(60_000);
      await settle(t.deliverer);
    }
    assert.equal(t.sends.length, 3, 'one attempt and two retries');
    assert.equal(t.dead.length, 1);
    assert.equal(t.dead[0]!.reason, 'retries exhausted');
    assert.equal(t.dead[0]!.d.lastError, 'target down');
    assert.equal(await t.backend.nextDeliveryDue(), undefined);
    t.deliverer.close();
  });

  it('gives up at MaximumEventAgeInSeconds', async () => {
    const t = setup(() => false);
    await t.backend.addDeliveries([delivery(t.clock, { maxRetries: 185, maxAgeMs: 60_000 })]);
    await t.deliverer.start();
    for (let i = 0; i < 20; i++) {
      t.clock.advance(10_000);
      await settle(t.deliverer);
    }
    assert.equal(t.dead.length, 1);
    assert.equal(t.dead[0]!.reason, 'maximum event age reached');
    assert.ok(t.sends.length < 10);
    t.deliverer.close();
  });

  it('sends again what a stopped node had leased (at least once)', async () => {
    const t = setup(() => true);
    const d = delivery(t.clock);
    await t.backend.addDeliveries([d]);
    // A node claimed it and died before removing it.
    assert.equal((await t.backend.claimDeliveries(t.clock.now(), 10, t.clock.now() + 60_000)).length, 1);
    await t.deliverer.start();
    t.clock.advance(0);
    await settle(t.deliverer);
    assert.equal(t.sends.length, 1);
    assert.equal(await t.backend.nextDeliveryDue(), undefined);
    t.deliverer.close();
  });
});
