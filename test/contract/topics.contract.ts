import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { NewMessage, QueueBackend } from '../../src/services/queues/backend.ts';
import type {
  OutboxEntry,
  PublishWrite,
  SubscriptionRecord,
  TopicBackend,
} from '../../src/services/topics/backend.ts';

const NOW = 1_800_000_000_000;

const message = (id: string, body = id): NewMessage => ({
  id,
  body,
  meta: '{}',
  groupId: null,
  dedupId: null,
  visibleAt: NOW,
});

const subscription = (id: string, topic = 't', at = NOW): SubscriptionRecord => ({
  id,
  topic,
  protocol: 'sqs',
  endpoint: `arn:aws:sqs:us-east-1:000000000000:${id}`,
  owner: '000000000000',
  attributes: {},
  token: null,
  confirmed: true,
  authenticated: true,
  authenticateOnUnsubscribe: false,
  createdAt: at,
});

const entry = (id: string, sub: string, dueAt = NOW): OutboxEntry => ({
  id,
  subscription: sub,
  kind: 'http',
  payload: `{"n":"${id}"}`,
  createdAt: dueAt,
  dueAt,
  attempts: 0,
});

/**
 * The contract every TopicBackend keeps (`src/services/topics/backend.ts`); `open` gives a fresh
 * store with the queue backend that shares its database.
 */
export function topicsContract(open: () => Promise<{ topics: TopicBackend; queues: QueueBackend }>): void {
  const topic = (name: string, fifo = false) => ({ name, fifo, attributes: {}, tags: {}, createdAt: NOW });

  it('creates a topic once and returns the existing one after', async () => {
    const { topics } = await open();
    assert.equal((await topics.createTopic(topic('t'))).created, true);
    const again = await topics.createTopic({ ...topic('t'), attributes: { DisplayName: 'x' } });
    assert.equal(again.created, false);
    assert.deepEqual(again.record.attributes, {});
    await topics.updateTopic({ ...topic('t'), tags: { a: 'b' } });
    assert.deepEqual((await topics.getTopic('t'))?.tags, { a: 'b' });
    await topics.createTopic(topic('a'));
    assert.deepEqual(
      (await topics.listTopics()).map((t) => t.name),
      ['a', 't'],
    );
  });

  it('keeps subscriptions per topic in creation order, and deletes them with their topic', async () => {
    const { topics } = await open();
    await topics.createTopic(topic('t'));
    await topics.createTopic(topic('u'));
    await topics.putSubscription(subscription('s2', 't', NOW + 1));
    await topics.putSubscription(subscription('s1', 't', NOW));
    await topics.putSubscription(subscription('s3', 'u'));
    await topics.putSubscription({
      ...subscription('s2', 't', NOW + 1),
      attributes: { RawMessageDelivery: 'true' },
    });
    assert.deepEqual(
      (await topics.listSubscriptions('t')).map((s) => s.id),
      ['s1', 's2'],
    );
    assert.equal((await topics.getSubscription('s2'))?.attributes.RawMessageDelivery, 'true');
    assert.equal((await topics.listSubscriptions()).length, 3);
    await topics.addDeliveries([entry('d1', 's1')]);
    assert.equal(await topics.deleteTopic('t'), true);
    assert.equal(await topics.deleteTopic('t'), false);
    assert.deepEqual(
      (await topics.listSubscriptions()).map((s) => s.id),
      ['s3'],
    );
    assert.equal(await topics.nextDeliveryDue(), undefined, 'the topic’s deliveries went with it');
    assert.equal(await topics.deleteSubscription('s3'), true);
    assert.equal(await topics.deleteSubscription('s3'), false);
  });

  it('stores a publish’s queue messages and outbox entries together, with a growing sequence number', async () => {
    const { topics, queues } = await open();
    await topics.createTopic(topic('t'));
    const write = (id: string, fail = false): PublishWrite => ({
      topic: 't',
      messageId: id,
      dedup: null,
      deliveries: (seq) => {
        if (fail) throw new Error('boom');
        return {
          queues: [
            { queue: 'q1', message: message(`${id}-q1`, `seq ${seq}`), dedup: null },
            { queue: 'q2', message: message(`${id}-q2`), dedup: null },
          ],
          outbox: [entry(`${id}-d`, 's1')],
        };
      },
    });
    const [a, b] = await topics.publish([write('m1'), write('m2')], NOW);
    assert.deepEqual([a?.messageId, a?.duplicate, a?.queues], ['m1', false, ['q1', 'q2']]);
    assert.ok(b!.seq > a!.seq);
    assert.deepEqual(await queues.counts('q1', NOW), { visible: 2, inflight: 0, delayed: 0 });
    assert.deepEqual(await queues.counts('q2', NOW), { visible: 2, inflight: 0, delayed: 0 });
    // All or nothing: a publish whose deliveries fail to build leaves no trace.
    await assert.rejects(topics.publish([write('m3'), write('m4', true)], NOW));
    assert.deepEqual(await queues.counts('q1', NOW), { visible: 2, inflight: 0, delayed: 0 });
    const claimed = await topics.claimDeliveries(NOW, 10, NOW + 1000);
    assert.deepEqual(claimed.map((e) => e.id).sort(), ['m1-d', 'm2-d']);
  });

  it('deduplicates FIFO publishes within the window: a duplicate writes nothing and returns the first', async () => {
    const { topics, queues } = await open();
    await topics.createTopic(topic('t.fifo', true));
    let built = 0;
    const write = (id: string, dedup: string): PublishWrite => ({
      topic: 't.fifo',
      messageId: id,
      dedup: { id: dedup, windowMs: 300_000 },
      deliveries: () => {
        built++;
        return { queues: [{ queue: 'q', message: message(id), dedup: null }], outbox: [] };
      },
    });
    const [first] = await topics.publish([write('m1', 'd')], NOW);
    const [dup] = await topics.publish([write('m2', 'd')], NOW + 1000);
    assert.equal(dup?.duplicate, true);
    assert.equal(dup?.messageId, 'm1');
    assert.equal(dup?.seq, first?.seq);
    assert.equal(built, 1);
    const [later] = await topics.publish([write('m3', 'd')], NOW + 300_001);
    assert.equal(later?.duplicate, false, 'after the window the id is new again');
    assert.equal((await queues.counts('q', NOW + 300_001)).visible, 2);
  });

  it('leases outbox entries, reschedules them, and releases leases at start', async () => {
    const { topics } = await open();
    await topics.addDeliveries([
      entry('a', 's', NOW),
      entry('b', 's', NOW + 10),
      entry('c', 's', NOW + 5000),
    ]);
    assert.equal(await topics.nextDeliveryDue(), NOW);
    const got = await topics.claimDeliveries(NOW + 10, 10, NOW + 60_000);
    assert.deepEqual(
      got.map((e) => e.id),
      ['a', 'b'],
    );
    assert.deepEqual(
      await topics.claimDeliveries(NOW + 20, 10, NOW + 60_000),
      [],
      'leased entries are not claimed again',
    );
    await topics.rescheduleDelivery('a', NOW + 20_000, 1);
    await topics.removeDelivery('c');
    assert.equal(await topics.releaseDeliveryLeases(NOW + 30), 1);
    const again = await topics.claimDeliveries(NOW + 30, 10, NOW + 60_000);
    assert.deepEqual(
      again.map((e) => e.id),
      ['b'],
    );
    const later = await topics.claimDeliveries(NOW + 20_000, 10, NOW + 60_000);
    assert.deepEqual(
      later.map((e) => [e.id, e.attempts]),
      [['a', 1]],
    );
  });
}
