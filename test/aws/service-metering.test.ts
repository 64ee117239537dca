import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meteredInput, tableUnits } from '../../src/aws/dynamodb/metering.ts';
import { busUsage, entrySize } from '../../src/aws/events/metering.ts';
import { snsUsage } from '../../src/aws/sns/metering.ts';
import { sqsUsage } from '../../src/aws/sqs/metering.ts';
import { memoryUsage } from '../../src/backends/memory/usage.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { FunctionRecord } from '../../src/core/function-spec.ts';
import { Meter } from '../../src/governance/costs/meter.ts';
import { DEFAULT_PRICES } from '../../src/governance/costs/prices.ts';
import { costReport } from '../../src/governance/costs/report.ts';
import { ACCOUNT_APP, ownerIndex, serviceMeter } from '../../src/governance/costs/service-usage.ts';

const KB = 1024;
const URL = 'http://localhost:9000/000000000000/orders';

describe('service metering: what each call bills', () => {
  it('SQS: every action is a request; payloads bill per 64 KB chunk, a batch summed', () => {
    assert.deepEqual(sqsUsage('GetQueueAttributes', { QueueUrl: URL }, {}), { queue: 'orders', requests: 1 });
    assert.deepEqual(sqsUsage('CreateQueue', { QueueName: 'q' }, {}), { queue: 'q', requests: 1 });
    assert.equal(
      sqsUsage('SendMessage', { QueueUrl: URL, MessageBody: 'x'.repeat(64 * KB) }, {}).requests,
      1,
    );
    const attrs = { a: { DataType: 'String', StringValue: 'v' } }; // 1 + 6 + 1 bytes
    const body = 'x'.repeat(64 * KB - 7);
    assert.equal(
      sqsUsage('SendMessage', { QueueUrl: URL, MessageBody: body, MessageAttributes: attrs }, {}).requests,
      2,
    );
    const entries = [0, 1, 2].map((i) => ({ Id: `${i}`, MessageBody: 'y'.repeat(50 * KB) }));
    assert.equal(sqsUsage('SendMessageBatch', { QueueUrl: URL, Entries: entries }, {}).requests, 3);
    const got = { Messages: [{ Body: 'z'.repeat(200 * KB) }] };
    assert.equal(sqsUsage('ReceiveMessage', { QueueUrl: URL }, got).requests, 4);
    assert.equal(sqsUsage('ReceiveMessage', { QueueUrl: URL }, {}).requests, 1);
    assert.equal(sqsUsage('ListQueues', {}, {}).queue, undefined);
  });

  it('SNS: Publish and PublishBatch bill per 64 KB chunk; other actions are not metered', () => {
    const arn = 'arn:aws:sns:us-east-1:000000000000:alerts';
    assert.deepEqual(snsUsage('Publish', { TopicArn: arn, Message: 'hi' }), { topic: 'alerts', requests: 1 });
    assert.equal(snsUsage('Publish', { TopicArn: arn, Message: 'x'.repeat(130 * KB) })?.requests, 3);
    const entries = [{ Message: 'x'.repeat(40 * KB) }, { Message: 'y'.repeat(40 * KB) }];
    assert.equal(
      snsUsage('PublishBatch', { TopicArn: arn, PublishBatchRequestEntries: entries })?.requests,
      2,
    );
    assert.equal(snsUsage('CreateTopic', { Name: 'alerts' }), undefined);
    assert.equal(snsUsage('Publish', { TargetArn: 'x', Message: 'a' })?.topic, undefined);
  });

  it('EventBridge: each entry put bills per 64 KB chunk, per bus; failed entries do not', () => {
    const e = (detail: string, bus?: string) => ({
      Source: 'app',
      DetailType: 't',
      Detail: detail,
      ...(bus ? { EventBusName: bus } : {}),
    });
    assert.equal(entrySize({ ...e('{}'), Time: '2024-01-01', Resources: ['r'] }), 14 + 3 + 1 + 2 + 1);
    const input = {
      Entries: [
        e('{}'),
        e('x'.repeat(100 * KB), 'arn:aws:events:us-east-1:000000000000:event-bus/shop'),
        e('{}'),
      ],
    };
    const out = { Entries: [{ EventId: '1' }, { EventId: '2' }, { ErrorCode: 'X', ErrorMessage: 'no' }] };
    assert.deepEqual(
      [...busUsage('PutEvents', input, out)!],
      [
        ['default', 1],
        ['shop', 2],
      ],
    );
    assert.equal(busUsage('ListRules', {}, {}), undefined);
  });

  it('DynamoDB: capacity is asked for, counted per table in half read units, and stripped', () => {
    assert.deepEqual(meteredInput('GetItem', { TableName: 't' }), {
      input: { TableName: 't', ReturnConsumedCapacity: 'TOTAL' },
      strip: true,
    });
    assert.equal(meteredInput('PutItem', { ReturnConsumedCapacity: 'INDEXES' })?.strip, false);
    assert.equal(meteredInput('DescribeTable', {}), undefined);
    // An eventually consistent 1 KB read (0.5 RRU), a 3 KB write (3 WRU), a transaction (×2).
    const single = tableUnits({
      ConsumedCapacity: { TableName: 'a', CapacityUnits: 0.5, ReadCapacityUnits: 0.5 },
    });
    assert.deepEqual([...single], [['a', { readHalfUnits: 1, writeUnits: 0 }]]);
    const many = tableUnits({
      ConsumedCapacity: [
        { TableName: 'a', CapacityUnits: 3, WriteCapacityUnits: 3 },
        { TableName: 'b', CapacityUnits: 4, WriteCapacityUnits: 4 },
      ],
    });
    assert.deepEqual(
      [...many],
      [
        ['a', { readHalfUnits: 0, writeUnits: 3 }],
        ['b', { readHalfUnits: 0, writeUnits: 4 }],
      ],
    );
  });
});

describe('service metering: attribution and reports', () => {
  const rec = (name: string, app: string, tables: string[], queues: string[] = []) =>
    ({
      name,
      app,
      manifestResources: { queues, topics: [], tables, buses: [] },
    }) as unknown as FunctionRecord;

  it("puts usage on the owner app's row, else on (account), and prices it exactly", async () => {
    const backend = memoryUsage();
    const meter = new Meter(backend, new ManualClock(Date.parse('2024-06-01T12:00:00Z')), {
      flushIntervalMs: 1000,
    });
    const owners = ownerIndex([rec('api', 'shop', ['carts'], ['orders']), rec('w', 'shop', ['carts'])]);
    const sm = serviceMeter(meter, (kind, name) => owners.get(`${kind}\0${name}`));
    // A known workload: 3 sends of 100 KB (2 chunks each), 10 one-chunk receives, a stray queue,
    // 4 eventually consistent reads of 1 KB, 5 writes of 2 KB, one 1 KB transactional write.
    for (let i = 0; i < 3; i++) sm.record('queues', 'orders', { queueRequests: 2 });
    for (let i = 0; i < 10; i++) sm.record('queues', 'orders', { queueRequests: 1 });
    sm.record('queues', 'stray', { queueRequests: 1 });
    sm.record('topics', undefined, { topicRequests: 2 });
    for (let i = 0; i < 4; i++) sm.record('tables', 'carts', { readHalfUnits: 1 });
    for (let i = 0; i < 5; i++) sm.record('tables', 'carts', { writeUnits: 2 });
    sm.record('tables', 'carts', { writeUnits: 2 });
    await meter.flush();
    const rows = await backend.query({});
    const byApp = costReport(rows, DEFAULT_PRICES, 'app');
    const shop = byApp.lines.find((l) => l.key === 'shop')!;
    assert.equal(shop.queueRequests, 16);
    assert.equal(shop.readHalfUnits, 4);
    assert.equal(shop.writeUnits, 12);
    const P = DEFAULT_PRICES;
    assert.equal(shop.cost.queues, 16 * P.queueRequest);
    assert.equal(shop.cost.tables, 2 * P.tableReadUnit + 12 * P.tableWriteUnit);
    const account = byApp.lines.find((l) => l.key === ACCOUNT_APP)!;
    assert.equal(account.queueRequests, 1);
    assert.equal(account.topicRequests, 2);
    assert.equal(byApp.total.queueRequests, 17);
    const byFn = costReport(rows, DEFAULT_PRICES, 'function');
    assert.deepEqual(
      byFn.lines.map((l) => l.key),
      ['(account)', '(app shop)'],
    );
  });
});
