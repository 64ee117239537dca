import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

describe('event bus with @aws-sdk/client-eventbridge (awsJson1_1) against a real baton up', () => {
  let s: ServerProcess;
  let eb: EventBridgeClient;
  let sqs: SQSClient;

  before(async () => {
    s = await startServerProcess();
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    eb = new EventBridgeClient(cfg);
    sqs = new SQSClient(cfg);
  });
  after(async () => {
    eb.destroy();
    sqs.destroy();
    await s.stop();
  });

  /** Receives until `n` messages arrived (or 10 s passed). */
  async function receive(QueueUrl: string, n: number): Promise<Message[]> {
    const got: Message[] = [];
    const deadline = Date.now() + 10_000;
    while (got.length < n && Date.now() < deadline) {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      got.push(...(r.Messages ?? []));
    }
    return got;
  }

  it('creates, describes, lists and deletes buses; default always exists', async () => {
    const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'orders' }));
    assert.equal(EventBusArn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
    await assert.rejects(eb.send(new CreateEventBusCommand({ Name: 'orders' })), {
      name: 'ResourceAlreadyExistsException',
    });
    const d = await eb.send(new DescribeEventBusCommand({ Name: 'orders' }));
    assert.equal(d.Name, 'orders');
    assert.ok(d.CreationTime instanceof Date);
    assert.equal((await eb.send(new DescribeEventBusCommand({}))).Name, 'default');
    await eb.send(new CreateEventBusCommand({ Name: 'orders-2' }));
    const page1 = await eb.send(new ListEventBusesCommand({ NamePrefix: 'orders', Limit: 1 }));
    assert.deepEqual(
      page1.EventBuses?.map((b) => b.Name),
      ['orders'],
    );
    const page2 = await eb.send(
      new ListEventBusesCommand({ NamePrefix: 'orders', NextToken: page1.NextToken }),
    );
    assert.deepEqual(
      page2.EventBuses?.map((b) => b.Name),
      ['orders-2'],
    );
    const all = await eb.send(new ListEventBusesCommand({}));
    assert.ok(all.EventBuses?.some((b) => b.Name === 'default'));
    await eb.send(new DeleteEventBusCommand({ Name: 'orders-2' }));
    await assert.rejects(eb.send(new DescribeEventBusCommand({ Name: 'orders-2' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(eb.send(new DeleteEventBusCommand({ Name: 'default' })), {
      name: 'ValidationException',
    });
  });

  it('creates, describes, lists, enables, disables and deletes rules', async () => {
    const pattern = JSON.stringify({ source: ['app.rules'] });
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: 'r1', EventPattern: pattern }));
    assert.equal(RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/r1`);
    await eb.send(
      new PutRuleCommand({ Name: 'r2', ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' }),
    );
    const r1 = await eb.send(new DescribeRuleCommand({ Name: 'r1' }));
    assert.equal(r1.EventPattern, pattern);
    assert.equal(r1.State, 'ENABLED');
    assert.equal(r1.EventBusName, 'default');
    const page = await eb.send(new ListRulesCommand({ NamePrefix: 'r', Limit: 1 }));
    assert.equal(page.Rules?.[0]?.Name, 'r1');
    const next = await eb.send(new ListRulesCommand({ NamePrefix: 'r', NextToken: page.NextToken }));
    assert.equal(next.Rules?.[0]?.ScheduleExpression, 'rate(5 minutes)');
    await eb.send(new EnableRuleCommand({ Name: 'r2' }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'r2' }))).State, 'ENABLED');
    await eb.send(new DisableRuleCommand({ Name: 'r1' }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).State, 'DISABLED');
    await assert.rejects(
      eb.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(5 fortnights)' })),
      {
        name: 'ValidationException',
      },
    );
    await assert.rejects(eb.send(new PutRuleCommand({ Name: 'bad' })), { name: 'ValidationException' });
    await eb.send(new PutTargetsCommand({ Rule: 'r1', Targets: [{ Id: 't', Arn: queueArn('nowhere') }] }));
    assert.deepEqual(
      (await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: queueArn('nowhere') }))).RuleNames,
      ['r1'],
    );
    await assert.rejects(eb.send(new DeleteRuleCommand({ Name: 'r1' })), { name: 'ValidationException' });
    await eb.send(new RemoveTargetsCommand({ Rule: 'r1', Ids: ['t'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'r1' }));
    await eb.send(new DeleteRuleCommand({ Name: 'r2' }));
    await assert.rejects(eb.send(new DescribeRuleCommand({ Name: 'r1' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('tests event patterns', async () => {
    const event = JSON.stringify({
      id: '1',
      account: ACCOUNT,
      source: 'app',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'x',
      detail: { n: 5 },
    });
    const yes = await eb.send(
      new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",3]}]}}', Event: event }),
    );
    assert.equal(yes.Result, true);
    const no = await eb.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["other"]}', Event: event }),
    );
    assert.equal(no.Result, false);
    await assert.rejects(
      eb.send(new TestEventPatternCommand({ EventPattern: '{"source":"x"}', Event: event })),
      {
        name: 'InvalidEventPatternException',
      },
    );
  });

  it('delivers matched events to SQS with Input, InputPath and InputTransformer', async () => {
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'eb-out' }))).QueueUrl!;
    await eb.send(
      new PutRuleCommand({
        Name: 'orders-placed',
        EventPattern: JSON.stringify({ source: ['shop'], 'detail-type': ['OrderPlaced'] }),
      }),
    );
    const { FailedEntryCount } = await eb.send(
      new PutTargetsCommand({
        Rule: 'orders-placed',
        Targets: [
          { Id: 'whole', Arn: queueArn('eb-out') },
          { Id: 'const', Arn: queueArn('eb-out'), Input: '{"fixed":true}' },
          { Id: 'path', Arn: queueArn('eb-out'), InputPath: '$.detail.order' },
          {
            Id: 'tmpl',
            Arn: queueArn('eb-out'),
            InputTransformer: {
              InputPathsMap: { id: '$.detail.order.id', total: '$.detail.order.total' },
              InputTemplate: '{"order": <id>, "text": "order <id> costs <total>", "total": <total>}',
            },
          },
        ],
      }),
    );
    assert.equal(FailedEntryCount, 0);
    assert.equal((await eb.send(new ListTargetsByRuleCommand({ Rule: 'orders-placed' }))).Targets?.length, 4);
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ order: { id: 'o-1', total: 42 } }),
            Resources: ['arn:x'],
          },
          { Source: 'shop', DetailType: 'Other', Detail: '{}' },
          { Source: 'shop', DetailType: 'OrderPlaced', Detail: 'not json' },
        ],
      }),
    );
    assert.equal(put.FailedEntryCount, 1);
    assert.ok(put.Entries?.[0]?.EventId);
    assert.equal(put.Entries?.[2]?.ErrorCode, 'MalformedDetail');
    const bodies = (await receive(QueueUrl, 4)).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    assert.equal(bodies.length, 4);
    const whole = bodies.find((b) => b.version === '0')!;
    assert.equal(whole.id, put.Entries?.[0]?.EventId);
    assert.equal(whole['detail-type'], 'OrderPlaced');
    assert.equal(whole.source, 'shop');
    assert.equal(whole.account, ACCOUNT);
    assert.equal(whole.region, 'us-east-1');
    assert.deepEqual(whole.resources, ['arn:x']);
    assert.match(String(whole.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(bodies.some((b) => b.fixed === true));
    assert.ok(bodies.some((b) => b.id === 'o-1' && b.total === 42 && b.version === undefined));
    assert.ok(bodies.some((b) => b.order === 'o-1' && b.text === 'order o-1 costs 42' && b.total === 42));
  });

  it('delivers to a function on a custom bus', async () => {
    const lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'on-bus-event',
        Runtime: 'nodejs20.x',
        Role: `arn:aws:iam::${ACCOUNT}:role/r`,
        Handler: 'index.handler',
        Code: {
          ZipFile: zipSync({
            'index.mjs': strToU8(
              'export const handler = async (e) => { console.log("EVENT " + JSON.stringify(e)); };',
            ),
          }),
        },
      }),
    );
    lambda.destroy();
    await eb.send(new CreateEventBusCommand({ Name: 'fn-bus' }));
    await eb.send(
      new PutRuleCommand({ Name: 'to-fn', EventBusName: 'fn-bus', EventPattern: '{"source":["billing"]}' }),
    );
    assert.equal(
      (await eb.send(new DescribeRuleCommand({ Name: 'to-fn', EventBusName: 'fn-bus' }))).Arn,
      `arn:aws:events:us-east-1:${ACCOUNT}:rule/fn-bus/to-fn`,
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'to-fn',
        EventBusName: 'fn-bus',
        Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-bus-event` }],
      }),
    );
    // The same event on the default bus matches nothing.
    await eb.send(
      new PutEventsCommand({ Entries: [{ Source: 'billing', DetailType: 'd', Detail: '{"n":0}' }] }),
    );
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'fn-bus', Source: 'billing', DetailType: 'Invoice', Detail: '{"n":1}' }],
      }),
    );
    let event: Record<string, unknown> | undefined;
    const deadline = Date.now() + 10_000;
    while (!event && Date.now() < deadline) {
      const res = await s.admin('functions/on-bus-event/logs');
      const { events } = (await res.json()) as { events: { message: string }[] };
      const text = events.flatMap((e) => e.message.split('\n')).find((l) => l.includes('\tEVENT '));
      if (text) event = JSON.parse(text.slice(text.indexOf('\tEVENT ') + 7));
      if (!event) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(event, 'the function logged the event');
    assert.equal(event.id, put.Entries?.[0]?.EventId);
    assert.equal(event['detail-type'], 'Invoice');
    assert.deepEqual(event.detail, { n: 1 });
  });

  it('fires a scheduled rule with a Scheduled Event, on the real clock', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ticks' }));
    // Created disabled, so that its first slot (its creation) finds the target in place when the
    // rule is enabled: the missed slot then fires once, as the misfire policy allows.
    await eb.send(
      new PutRuleCommand({ Name: 'every-minute', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' }),
    );
    await eb.send(
      new PutTargetsCommand({ Rule: 'every-minute', Targets: [{ Id: 'q', Arn: queueArn('ticks') }] }),
    );
    await eb.send(new EnableRuleCommand({ Name: 'every-minute' }));
    const got = await receive(QueueUrl!, 1);
    assert.equal(got.length, 1, 'the rule fired');
    const event = JSON.parse(got[0]!.Body!);
    assert.equal(event['detail-type'], 'Scheduled Event');
    assert.equal(event.source, 'aws.events');
    assert.deepEqual(event.resources, [`arn:aws:events:us-east-1:${ACCOUNT}:rule/every-minute`]);
    assert.deepEqual(event.detail, {});
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(again.Messages, undefined, 'once per slot');
    await assert.rejects(
      eb.send(new PutRuleCommand({ Name: 'bad-schedule', ScheduleExpression: 'rate(1 minutes)' })),
      { name: 'ValidationException' },
    );
  });

  it('refuses bad input with EventBridge error codes and keeps serving', async () => {
    await assert.rejects(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' })), {
      name: 'InvalidEventPatternException',
    });
    await assert.rejects(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: 'nope' })), {
      name: 'InvalidEventPatternException',
    });
    await assert.rejects(eb.send(new DescribeRuleCommand({ Name: 'missing' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(
      eb.send(new PutRuleCommand({ Name: 'x', EventBusName: 'ghost', EventPattern: '{}' })),
      {
        name: 'ResourceNotFoundException',
      },
    );
    await assert.rejects(
      eb.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 't', Arn: queueArn('q') }] })),
      { name: 'ResourceNotFoundException' },
    );
    await eb.send(new PutRuleCommand({ Name: 'limits', EventPattern: '{"source":["l"]}' }));
    await assert.rejects(
      eb.send(
        new PutTargetsCommand({
          Rule: 'limits',
          Targets: [1, 2, 3, 4, 5, 6].map((i) => ({ Id: `t${i}`, Arn: queueArn('q') })),
        }),
      ),
      { name: 'LimitExceededException' },
    );
    await assert.rejects(
      eb.send(
        new PutTargetsCommand({
          Rule: 'limits',
          Targets: [{ Id: 't', Arn: queueArn('q'), Input: '{', InputPath: '$' }],
        }),
      ),
      { name: 'ValidationException' },
    );
    await assert.rejects(
      eb.send(new PutTargetsCommand({ Rule: 'limits', Targets: [{ Id: 't', Arn: queueArn('q.fifo') }] })),
      { name: 'ValidationException' },
    );
    const big = JSON.stringify({ pad: 'x'.repeat(260 * 1024) });
    await assert.rejects(
      eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: big }] })),
      {
        name: 'ValidationException',
      },
    );
    await assert.rejects(
      eb.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })),
        }),
      ),
      { name: 'ValidationException' },
    );
    const unknownBus = await eb.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'ghost', Source: 's', DetailType: 'd', Detail: '{}' }],
      }),
    );
    assert.equal(unknownBus.FailedEntryCount, 1);
    assert.equal(unknownBus.Entries?.[0]?.ErrorCode, 'ResourceNotFoundException');
    assert.ok((await eb.send(new ListEventBusesCommand({}))).EventBuses);
  });
});

describe('event bus deliveries survive a restart', () => {
  it('retries a delivery stored before the restart and delivers it after', async () => {
    let s = await startServerProcess();
    const cfg = () => ({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    let eb = new EventBridgeClient(cfg());
    try {
      await eb.send(new PutRuleCommand({ Name: 'later', EventPattern: '{"source":["restart"]}' }));
      // The queue does not exist yet: the first attempt fails and the delivery waits in the outbox.
      await eb.send(
        new PutTargetsCommand({ Rule: 'later', Targets: [{ Id: 'q', Arn: queueArn('made-later') }] }),
      );
      const put = await eb.send(
        new PutEventsCommand({ Entries: [{ Source: 'restart', DetailType: 'd', Detail: '{"n":7}' }] }),
      );
      assert.equal(put.FailedEntryCount, 0);
    } finally {
      eb.destroy();
      await s.stop();
    }
    s = await startServerProcess({ dataDir: s.dataDir });
    eb = new EventBridgeClient(cfg());
    const sqs = new SQSClient(cfg());
    try {
      const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'made-later' }))).QueueUrl!;
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
      const body = JSON.parse(r.Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
      assert.equal(body.source, 'restart');
      assert.deepEqual(body.detail, { n: 7 });
      assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'later' }))).State, 'ENABLED');
    } finally {
      eb.destroy();
      sqs.destroy();
      await s.stop();
    }
  });
});
