import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { openSqlite } from '../../../src/backends/sqlite/database.ts';
import { sqliteQueues } from '../../../src/backends/sqlite/queues.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { QueueBackend } from '../../../src/services/queues/backend.ts';
import { QueueService } from '../../../src/services/queues/service.ts';
import { queueGauges, sampleQueues } from '../../../src/telemetry/metrics/scrape-gauges.ts';
import { parseExposition, sampleValue } from '../../helpers/prometheus.ts';

const OPTS = { accountId: '000000000000', region: 'us-east-1', endpoint: () => 'http://127.0.0.1:4748' };

/** A real SQLite queue store and the queue service over it, on a ManualClock. */
async function setup() {
  const clock = new ManualClock();
  const backend = sqliteQueues(openSqlite(':memory:'));
  const queues = new QueueService(backend, clock, OPTS);
  await queues.catalog.createQueue({ QueueName: 'jobs-dlq' });
  await queues.catalog.createQueue({
    QueueName: 'jobs',
    Attributes: {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq',
        maxReceiveCount: 1,
      }),
    },
  });
  await queues.catalog.createQueue({ QueueName: 'quiet' });
  return { clock, backend, queues };
}

describe('queue gauges, read from the backend on scrape', () => {
  it('reports visible, in-flight and delayed messages, the oldest message’s age, and DLQ depth', async () => {
    const { clock, backend, queues } = await setup();
    const send = (url: string, body: string, extra: Record<string, unknown> = {}) =>
      queues.sendMessage({ QueueUrl: url, MessageBody: body, ...extra }, 'test');
    await send('jobs', 'a');
    clock.advance(1_500);
    await send('jobs', 'b');
    await send('jobs', 'c');
    await send('jobs', 'later', { DelaySeconds: 60 });
    await queues.receiveMessage({ QueueUrl: 'jobs', MaxNumberOfMessages: 1, VisibilityTimeout: 30 });
    await send('jobs-dlq', 'dead');
    clock.advance(2_000);

    const registry = new Registry();
    const warnings: string[] = [];
    queueGauges(registry, backend, clock, (m) => warnings.push(m));
    const s = parseExposition(await registry.metrics());
    const q = (name: string, queue: string) => sampleValue(s, name, { queue });
    assert.equal(q('baton_queue_messages_visible', 'jobs'), 2);
    assert.equal(q('baton_queue_messages_in_flight', 'jobs'), 1);
    assert.equal(q('baton_queue_messages_delayed', 'jobs'), 1);
    assert.equal(
      q('baton_queue_oldest_message_age_seconds', 'jobs'),
      3.5,
      'a, received, is still the oldest',
    );
    assert.equal(q('baton_queue_oldest_message_age_seconds', 'quiet'), 0, 'empty');
    assert.equal(q('baton_queue_messages_visible', 'quiet'), 0);
    assert.equal(q('baton_queue_dead_letter_messages', 'jobs-dlq'), 1);
    assert.equal(
      q('baton_queue_dead_letter_messages', 'jobs'),
      undefined,
      'jobs is nobody’s dead-letter queue',
    );
    assert.deepEqual(warnings, []);

    // A deleted queue drops out at the next scrape.
    await queues.catalog.deleteQueue({ QueueUrl: 'quiet' });
    const after = parseExposition(await registry.metrics());
    assert.equal(sampleValue(after, 'baton_queue_messages_visible', { queue: 'quiet' }), undefined);
    assert.equal(sampleValue(after, 'baton_queue_messages_visible', { queue: 'jobs' }), 2);
  });

  it('reads the backend once per scrape for all five gauges', async () => {
    const { clock, backend } = await setup();
    let lists = 0;
    const counting: Pick<QueueBackend, 'listQueues' | 'counts' | 'oldestSentAt'> = {
      listQueues: () => {
        lists++;
        return backend.listQueues();
      },
      counts: (q, now) => backend.counts(q, now),
      oldestSentAt: (q) => backend.oldestSentAt(q),
    };
    const registry = new Registry();
    queueGauges(registry, counting, clock, () => undefined);
    await registry.metrics();
    assert.equal(lists, 1);
    await registry.metrics();
    assert.equal(lists, 2, 'and again at the next scrape: nothing is cached between scrapes');
  });

  it('leaves the gauges empty and warns when the backend fails, without failing the scrape', async () => {
    const { clock, backend } = await setup();
    let broken = true;
    const registry = new Registry();
    const warnings: string[] = [];
    queueGauges(
      registry,
      {
        listQueues: () => (broken ? Promise.reject(new Error('disk gone')) : backend.listQueues()),
        counts: (q, now) => backend.counts(q, now),
        oldestSentAt: (q) => backend.oldestSentAt(q),
      },
      clock,
      (m) => warnings.push(m),
    );
    const text = await registry.metrics();
    assert.equal(
      sampleValue(parseExposition(text), 'baton_queue_messages_visible', { queue: 'jobs' }),
      undefined,
    );
    assert.match(text, /^# TYPE baton_queue_messages_visible gauge$/m);
    assert.deepEqual(warnings, ['metrics: reading queue depths failed']);
    broken = false;
    const s = parseExposition(await registry.metrics());
    assert.equal(sampleValue(s, 'baton_queue_messages_visible', { queue: 'jobs' }), 0);
  });

  it('ignores a stored RedrivePolicy that no longer parses', async () => {
    const clock = new ManualClock();
    const samples = await sampleQueues(
      {
        listQueues: async () => [
          {
            name: 'odd',
            fifo: false,
            attributes: { RedrivePolicy: '{not json' },
            tags: {},
            createdAt: 0,
            lastModified: 0,
          },
        ],
        counts: async () => ({ visible: 1, inflight: 0, delayed: 0 }),
        oldestSentAt: async () => clock.now() - 250,
      },
      clock,
    );
    assert.deepEqual(samples, [
      { name: 'odd', visible: 1, inflight: 0, delayed: 0, oldestAgeSeconds: 0.25, deadLetterTarget: false },
    ]);
  });
});
