import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BusBackend, BusDelivery, RuleRecord } from '../../src/services/bus/backend.ts';

const NOW = 1_800_000_000_000;

const rule = (bus: string, name: string, extra: Partial<RuleRecord> = {}): RuleRecord => ({
  bus,
  name,
  eventPattern: '{"source":["app"]}',
  state: 'ENABLED',
  targets: [{ Id: 't1', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }],
  createdAt: NOW,
  ...extra,
});

const delivery = (id: string, dueAt = NOW): BusDelivery => ({
  id,
  bus: 'default',
  rule: 'r',
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  targetId: 't1',
  targetArn: 'arn:aws:sqs:us-east-1:000000000000:q',
  event: `{"id":"${id}"}`,
  payload: `{"id":"${id}"}`,
  maxRetries: 185,
  maxAgeMs: 86_400_000,
  createdAt: NOW,
  dueAt,
  attempts: 0,
});

/** The contract every BusBackend keeps (buses, rules and the delivery outbox). */
export function busContract(open: () => Promise<BusBackend>): void {
  it('creates, lists and deletes buses, refusing a second of the same name', async () => {
    const b = await open();
    assert.equal(await b.createBus({ name: 'orders', createdAt: NOW }), true);
    assert.equal(await b.createBus({ name: 'audit', description: 'd', createdAt: NOW }), true);
    assert.equal(await b.createBus({ name: 'orders', createdAt: NOW + 1 }), false);
    assert.deepEqual(
      (await b.listBuses()).map((x) => x.name),
      ['audit', 'orders'],
    );
    assert.equal((await b.getBus('audit'))?.description, 'd');
    assert.equal(await b.deleteBus('audit'), true);
    assert.equal(await b.deleteBus('audit'), false);
    assert.equal(await b.getBus('audit'), undefined);
  });

  it('puts (creating or replacing), lists and deletes rules per bus', async () => {
    const b = await open();
    await b.createBus({ name: 'orders', createdAt: NOW });
    await b.putRule(rule('orders', 'b'));
    await b.putRule(rule('orders', 'a'));
    await b.putRule(rule('default', 'a'));
    await b.putRule(rule('orders', 'a', { state: 'DISABLED', description: 'off' }));
    assert.deepEqual(
      (await b.listRules('orders')).map((r) => [r.name, r.state]),
      [
        ['a', 'DISABLED'],
        ['b', 'ENABLED'],
      ],
    );
    assert.equal((await b.listRules()).length, 3);
    assert.deepEqual((await b.getRule('orders', 'a'))?.targets, rule('orders', 'a').targets);
    assert.equal(await b.deleteRule('orders', 'a'), true);
    assert.equal(await b.deleteRule('orders', 'a'), false);
    assert.equal(await b.deleteBus('orders'), true);
    assert.deepEqual(await b.listRules('orders'), [], "a bus's rules go with it");
    assert.equal((await b.listRules('default')).length, 1);
  });

  it('claims due deliveries earliest first under a lease, and only those due', async () => {
    const b = await open();
    await b.addDeliveries([delivery('late', NOW + 5000), delivery('b', NOW + 10), delivery('a', NOW)]);
    assert.equal(await b.nextDeliveryDue(), NOW);
    const first = await b.claimDeliveries(NOW + 10, 1, NOW + 30_000);
    assert.deepEqual(
      first.map((d) => d.id),
      ['a'],
    );
    const second = await b.claimDeliveries(NOW + 10, 10, NOW + 30_000);
    assert.deepEqual(
      second.map((d) => d.id),
      ['b'],
      'a leased entry is not handed out again',
    );
    assert.equal(await b.nextDeliveryDue(), NOW + 5000);
    assert.deepEqual(await b.claimDeliveries(NOW + 20, 10, NOW + 30_000), []);
  });

  it('reschedules a failed attempt and removes a delivered one', async () => {
    const b = await open();
    await b.addDeliveries([delivery('x')]);
    const [x] = await b.claimDeliveries(NOW, 10, NOW + 30_000);
    assert.ok(x);
    await b.rescheduleDelivery({ ...x, dueAt: NOW + 2000, attempts: 1, lastError: 'refused' });
    assert.deepEqual(await b.claimDeliveries(NOW + 1999, 10, NOW + 60_000), []);
    const [again] = await b.claimDeliveries(NOW + 2000, 10, NOW + 60_000);
    assert.equal(again?.attempts, 1);
    assert.equal(again?.lastError, 'refused');
    assert.equal(again?.payload, '{"id":"x"}');
    await b.removeDelivery('x');
    assert.equal(await b.nextDeliveryDue(), undefined);
  });

  it('releases leases left by a stopped node so the entries go out again', async () => {
    const b = await open();
    await b.addDeliveries([delivery('x'), delivery('y')]);
    await b.claimDeliveries(NOW, 10, NOW + 30_000);
    assert.deepEqual(await b.claimDeliveries(NOW + 1, 10, NOW + 30_000), []);
    assert.equal(await b.releaseDeliveryLeases(NOW + 1), 2);
    assert.deepEqual((await b.claimDeliveries(NOW + 1, 10, NOW + 30_000)).map((d) => d.id).sort(), [
      'x',
      'y',
    ]);
  });

  it('stores a call’s deliveries all or nothing', async () => {
    const b = await open();
    await b.addDeliveries([delivery('dup')]);
    await assert.rejects(b.addDeliveries([delivery('new'), delivery('dup')]));
    assert.deepEqual(
      (await b.claimDeliveries(NOW, 10, NOW + 1)).map((d) => d.id),
      ['dup'],
      'the failed call left nothing behind',
    );
  });
}
