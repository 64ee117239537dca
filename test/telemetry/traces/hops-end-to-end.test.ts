import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { StoredSpan } from '../../../src/telemetry/traces/span-store.ts';
import { parseAmznTraceId } from '../../../src/telemetry/traces/trace-header.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const MANIFEST = `app: hops
queues:
  fromTopic: {}
topics:
  orders:
    subscriptions:
      - queue: fromTopic
tables:
  items:
    key: { pk: S }
    stream: NEW_IMAGE
buses:
  shop: {}
functions:
  onTopic:
    handler: handlers.record
    events:
      - topic: orders
  onBus:
    handler: handlers.record
  onStream:
    handler: handlers.record
    events:
      - table: { name: items, batchSize: 1 }
  onTick:
    handler: handlers.record
    events:
      - schedule: rate(1 minute)
`;

const HANDLERS = `export const record = async () => {
  console.log('TRACE ' + process.env._X_AMZN_TRACE_ID);
  return {};
};
`;

const ACCOUNT = '000000000000';
const queueArn = (q: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${q}`;
const xray = (trace: string, parent: string) =>
  `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${parent};Sampled=1`;
const TOPIC_TRACE = '6b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d';
const BUS_TRACE = '6b0a1c2d5e4f5a6b7c8d9e0f1a2b3c4e';
const TABLE_TRACE = '6b0a1c2d7e4f5a6b7c8d9e0f1a2b3c4f';
const CALLER = 'c0ffee00c0ffee00';

/** A client whose calls carry `header` as X-Amzn-Trace-Id, as the AWS SDK does inside a function. */
function traced<C extends { middlewareStack: { add: (...a: never[]) => void } }>(
  client: C,
  header: string,
): C {
  (client.middlewareStack as unknown as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>) =>
      async (args: { request: { headers: Record<string, string> } }) => {
        args.request.headers['X-Amzn-Trace-Id'] = header;
        return next(args);
      },
    { step: 'build', name: 'callerTraceHeader' },
  );
  return client;
}

/**
 * A real `baton up` and the real AWS SDK clients: a traced SNS Publish, a PutEvents entry with a
 * TraceHeader, a traced PutItem and a scheduled rule each reach the function (or queue) they
 * trigger in one trace, which `/admin/v1/traces/{id}` shows.
 */
describe('trace context through topics, buses, schedules and streams (real server process)', () => {
  let s: ServerProcess;
  let cfg: {
    endpoint: string;
    region: string;
    credentials: ServerProcess['credentials'];
    maxAttempts: number;
  };
  let sqs: SQSClient;

  before(async () => {
    s = await startServerProcess({ env: { BATON_RATE_SCALE: '0.02' } });
    cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    sqs = new SQSClient(cfg);
    const app = join(mkdtempSync(join(tmpdir(), 'baton-hops-app-')), 'hops');
    mkdirSync(app);
    writeFileSync(join(app, 'baton.yaml'), MANIFEST);
    writeFileSync(join(app, 'handlers.mjs'), HANDLERS);
    const deployed = await runCli(['deploy', app], s.cliEnv);
    assert.equal(deployed.code, 0, deployed.stderr);
  });

  after(async () => {
    sqs?.destroy();
    await s?.stop();
  });

  /** The trace's spans once `names` are all there (polled: deliveries are asynchronous). */
  const spansOf = async (traceId: string, names: string[]): Promise<StoredSpan[]> => {
    let spans: StoredSpan[] = [];
    for (let i = 0; i < 150; i++) {
      const r = await s.admin(`traces/${traceId}`);
      spans = r.status === 200 ? ((await r.json()) as { spans: StoredSpan[] }).spans : [];
      if (r.status !== 200) await r.arrayBuffer();
      if (names.every((n) => spans.some((x) => x.name === n))) return spans;
      await sleep(100);
    }
    assert.fail(`trace ${traceId} lacks one of ${names}: ${spans.map((x) => x.name).join(', ')}`);
  };
  const named = (spans: StoredSpan[], name: string, pred: (x: StoredSpan) => boolean = () => true) => {
    const found = spans.find((x) => x.name === name && pred(x));
    assert.ok(found, `${name} in ${spans.map((x) => x.name).join(', ')}`);
    return found;
  };
  const awsTraceHeader = async (queue: string): Promise<string | undefined> => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    for (let i = 0; i < 20; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['AWSTraceHeader'],
        }),
      );
      const m = r.Messages?.[0];
      if (m) return m.Attributes?.AWSTraceHeader;
    }
    assert.fail(`no message in ${queue}`);
  };

  it('a traced Publish: the SQS subscription gets AWSTraceHeader, the Lambda subscription runs in the trace', async () => {
    const sns = traced(new SNSClient(cfg), xray(TOPIC_TRACE, CALLER));
    await sns.send(
      new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:orders`, Message: 'hi' }),
    );
    sns.destroy();
    const header = parseAmznTraceId(await awsTraceHeader('fromTopic'));
    const spans = await spansOf(TOPIC_TRACE, ['onTopic', 'onTopic enqueue']);
    const publish = named(spans, 'sns/POST');
    assert.equal(publish.parentSpanId, CALLER);
    const toQueue = named(
      spans,
      'orders deliver',
      (x) => x.attributes['baton.subscription.protocol'] === 'sqs',
    );
    const toFn = named(
      spans,
      'orders deliver',
      (x) => x.attributes['baton.subscription.protocol'] === 'lambda',
    );
    assert.equal(toQueue.parentSpanId, publish.spanId);
    assert.equal(toFn.parentSpanId, publish.spanId);
    assert.equal(header?.traceId, TOPIC_TRACE);
    assert.equal(header?.spanId, toQueue.spanId);
    const hop = named(spans, 'onTopic enqueue');
    assert.equal(hop.parentSpanId, toFn.spanId);
    assert.equal(named(spans, 'onTopic').parentSpanId, hop.spanId);
  });

  it('PutEvents with an entry TraceHeader: the Lambda and SQS targets continue it', async () => {
    const eb = new EventBridgeClient(cfg);
    await sqs.send(new CreateQueueCommand({ QueueName: 'fromBus' }));
    await eb.send(
      new PutRuleCommand({ Name: 'fan', EventBusName: 'shop', EventPattern: '{"source":["shop"]}' }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'fan',
        EventBusName: 'shop',
        Targets: [
          { Id: 'fn', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:onBus` },
          { Id: 'q', Arn: queueArn('fromBus') },
        ],
      }),
    );
    const entrySpan = 'e17e17e17e17e17e';
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'shop',
            Source: 'shop',
            DetailType: 'Order',
            Detail: '{"id":1}',
            TraceHeader: xray(BUS_TRACE, entrySpan),
          },
        ],
      }),
    );
    eb.destroy();
    assert.equal(put.FailedEntryCount, 0);
    const header = parseAmznTraceId(await awsTraceHeader('fromBus'));
    const spans = await spansOf(BUS_TRACE, ['onBus', 'onBus enqueue']);
    const target = (arn: string) =>
      named(spans, 'shop/fan deliver', (x) => x.attributes['baton.target'] === arn);
    const toFn = target(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:onBus`);
    const toQueue = target(queueArn('fromBus'));
    assert.equal(toFn.parentSpanId, entrySpan);
    assert.equal(toQueue.parentSpanId, entrySpan);
    assert.equal(header?.traceId, BUS_TRACE);
    assert.equal(header?.spanId, toQueue.spanId);
    const hop = named(spans, 'onBus enqueue');
    assert.equal(hop.parentSpanId, toFn.spanId);
    assert.equal(named(spans, 'onBus').parentSpanId, hop.spanId);
  });

  it('a traced PutItem: the stream-triggered invocation is in its trace', async () => {
    const ddb = traced(new DynamoDBClient(cfg), xray(TABLE_TRACE, CALLER));
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'a' } } }));
    ddb.destroy();
    const spans = await spansOf(TABLE_TRACE, ['onStream']);
    const write = named(spans, 'DynamoDB/PutItem');
    assert.equal(write.parentSpanId, CALLER);
    assert.equal(named(spans, 'onStream').parentSpanId, write.spanId);
  });

  it('a scheduled rule fires a new trace that parents the invocation; a Scheduler fire parents its SQS message', async () => {
    let root: string | undefined;
    for (let i = 0; i < 100 && root === undefined; i++) {
      const logs = (await (await s.admin('functions/onTick/logs')).json()) as {
        events: { message: string }[];
      };
      const line = logs.events.map((e) => /TRACE (Root=\S+)/.exec(e.message)?.[1]).find(Boolean);
      root = line && parseAmznTraceId(line)?.traceId;
      if (root === undefined) await sleep(100);
    }
    assert.ok(root, 'onTick ran with a trace');
    const rule = 'default/baton-hops-onTick-0';
    const spans = await spansOf(root, [`rule ${rule}`, `${rule} deliver`, 'onTick enqueue', 'onTick']);
    const fire = named(spans, `rule ${rule}`);
    assert.equal(fire.parentSpanId, undefined, 'each fire starts a trace');
    const deliver = named(spans, `${rule} deliver`);
    assert.equal(deliver.parentSpanId, fire.spanId);
    const hop = named(spans, 'onTick enqueue');
    assert.equal(hop.parentSpanId, deliver.spanId);
    assert.equal(named(spans, 'onTick').parentSpanId, hop.spanId);

    const scheduler = new SchedulerClient(cfg);
    await sqs.send(new CreateQueueCommand({ QueueName: 'ticks' }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'every-minute',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: queueArn('ticks'), RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler` },
      }),
    );
    scheduler.destroy();
    const header = parseAmznTraceId(await awsTraceHeader('ticks'));
    assert.ok(header, 'the scheduled message carries AWSTraceHeader');
    const tick = named(
      await spansOf(header.traceId, ['schedule default/every-minute']),
      'schedule default/every-minute',
    );
    assert.equal(tick.spanId, header.spanId);
    assert.equal(tick.parentSpanId, undefined);
  });
});
