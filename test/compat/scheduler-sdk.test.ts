import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ROLE = 'arn:aws:iam::000000000000:role/scheduler';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:scheduled';

/** `at()` wants local wall time without a zone: this is UTC. */
const atUtc = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

describe('EventBridge Scheduler with @aws-sdk/client-scheduler (restJson1)', () => {
  let s: ServerProcess;
  let scheduler: SchedulerClient;
  let sqs: SQSClient;
  before(async () => {
    s = await startServerProcess();
    const config = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials };
    scheduler = new SchedulerClient(config);
    sqs = new SQSClient(config);
    await sqs.send(new CreateQueueCommand({ QueueName: 'scheduled' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'fired' }));
  });
  after(async () => {
    scheduler?.destroy();
    sqs?.destroy();
    await s?.stop();
  });

  it('creates, gets, lists, updates and deletes schedules', async () => {
    const created = await scheduler.send(
      new CreateScheduleCommand({
        Name: 'nightly',
        ScheduleExpression: 'cron(0 2 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: { Arn: QUEUE_ARN, RoleArn: ROLE, Input: '{"job":"report"}' },
        StartDate: new Date('2030-01-01T00:00:00Z'),
      }),
    );
    assert.equal(created.ScheduleArn, 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly');
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'nightly' }));
    assert.equal(got.ScheduleExpressionTimezone, 'Europe/Berlin');
    assert.equal(got.State, 'ENABLED');
    assert.deepEqual(got.FlexibleTimeWindow, { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    assert.equal(got.Target?.Input, '{"job":"report"}');
    assert.equal(got.Target?.RetryPolicy?.MaximumRetryAttempts, 185);
    assert.equal(got.StartDate?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.ok(got.CreationDate instanceof Date);
    assert.equal(got.ActionAfterCompletion, 'NONE');

    await scheduler.send(
      new UpdateScheduleCommand({
        Name: 'nightly',
        ScheduleExpression: 'rate(5 minutes)',
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: QUEUE_ARN, RoleArn: ROLE },
      }),
    );
    const updated = await scheduler.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'default' }));
    assert.equal(updated.ScheduleExpression, 'rate(5 minutes)');
    assert.equal(updated.State, 'DISABLED');
    assert.equal(updated.ScheduleExpressionTimezone, undefined);

    const list = await scheduler.send(new ListSchedulesCommand({ State: 'DISABLED' }));
    assert.deepEqual(
      list.Schedules?.map((x) => [x.Name, x.GroupName, x.Target?.Arn]),
      [['nightly', 'default', QUEUE_ARN]],
    );
    await scheduler.send(new DeleteScheduleCommand({ Name: 'nightly' }));
    await assert.rejects(
      scheduler.send(new GetScheduleCommand({ Name: 'nightly' })),
      (e: unknown) => e instanceof ResourceNotFoundException,
    );
  });

  it('manages schedule groups; default always exists', async () => {
    const g = await scheduler.send(new CreateScheduleGroupCommand({ Name: 'reports' }));
    assert.equal(g.ScheduleGroupArn, 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/reports');
    await assert.rejects(
      scheduler.send(new CreateScheduleGroupCommand({ Name: 'reports' })),
      (e: unknown) => e instanceof ConflictException,
    );
    assert.equal((await scheduler.send(new GetScheduleGroupCommand({ Name: 'default' }))).State, 'ACTIVE');
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'weekly',
        GroupName: 'reports',
        ScheduleExpression: 'cron(0 9 ? * MON *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: QUEUE_ARN, RoleArn: ROLE },
      }),
    );
    const inGroup = await scheduler.send(new ListSchedulesCommand({ GroupName: 'reports' }));
    assert.deepEqual(
      inGroup.Schedules?.map((x) => x.Name),
      ['weekly'],
    );
    const groups = await scheduler.send(new ListScheduleGroupsCommand({}));
    assert.deepEqual(
      groups.ScheduleGroups?.map((x) => x.Name),
      ['default', 'reports'],
    );
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: 'reports' }));
    await assert.rejects(
      scheduler.send(new GetScheduleCommand({ Name: 'weekly', GroupName: 'reports' })),
      (e: unknown) => e instanceof ResourceNotFoundException,
    );
    await assert.rejects(
      scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })),
      (e: unknown) => e instanceof ValidationException,
    );
  });

  it('answers bad input with ValidationException and unknown groups with ResourceNotFoundException', async () => {
    const base = {
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: { Arn: QUEUE_ARN, RoleArn: ROLE },
    };
    await assert.rejects(
      scheduler.send(
        new CreateScheduleCommand({ Name: 'bad', ScheduleExpression: 'rate(1 minutes)', ...base }),
      ),
      (e: unknown) => e instanceof ValidationException && e.$metadata.httpStatusCode === 400,
    );
    await assert.rejects(
      scheduler.send(
        new CreateScheduleCommand({
          Name: 'bad',
          ScheduleExpression: 'rate(1 hour)',
          ScheduleExpressionTimezone: 'Mars/Olympus',
          ...base,
        }),
      ),
      (e: unknown) => e instanceof ValidationException,
    );
    await assert.rejects(
      scheduler.send(
        new CreateScheduleCommand({
          Name: 'x',
          GroupName: 'nope',
          ScheduleExpression: 'rate(1 hour)',
          ...base,
        }),
      ),
      (e: unknown) => e instanceof ResourceNotFoundException,
    );
    await scheduler.send(
      new CreateScheduleCommand({ Name: 'dup', ScheduleExpression: 'rate(1 hour)', ...base }),
    );
    await assert.rejects(
      scheduler.send(new CreateScheduleCommand({ Name: 'dup', ScheduleExpression: 'rate(1 hour)', ...base })),
      (e: unknown) => e instanceof ConflictException,
    );
    await scheduler.send(new DeleteScheduleCommand({ Name: 'dup' }));
  });

  it('fires a one-time schedule into an SQS queue on the real clock, then deletes it', async () => {
    // at() has whole seconds: two to three seconds ahead.
    const fireAt = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'soon',
        ScheduleExpression: atUtc(fireAt),
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:fired', RoleArn: ROLE, Input: '{"ping":1}' },
      }),
    );
    const queueUrl = `${s.controlUrl}/000000000000/fired`;
    let body: string | undefined;
    const deadline = Date.now() + 10_000;
    while (body === undefined && Date.now() < deadline) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
      body = r.Messages?.[0]?.Body;
    }
    assert.equal(body, '{"ping":1}');
    assert.ok(Date.now() >= fireAt - 50, 'not before its time');
    await assert.rejects(
      scheduler.send(new GetScheduleCommand({ Name: 'soon' })),
      (e: unknown) => e instanceof ResourceNotFoundException,
    );
  });

  it('puts an event on a bus (the templated PutEvents target), whose rule takes it on', async () => {
    const events = new EventBridgeClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
    });
    try {
      const bus = await events.send(new CreateEventBusCommand({ Name: 'ops' }));
      await sqs.send(new CreateQueueCommand({ QueueName: 'from-bus' }));
      await events.send(
        new PutRuleCommand({ Name: 'jobs', EventBusName: 'ops', EventPattern: '{"source":["app.jobs"]}' }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: 'jobs',
          EventBusName: 'ops',
          Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:from-bus' }],
        }),
      );
      await assert.rejects(
        scheduler.send(
          new CreateScheduleCommand({
            Name: 'no-params',
            ScheduleExpression: 'rate(1 hour)',
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: { Arn: bus.EventBusArn, RoleArn: ROLE },
          }),
        ),
        (e: unknown) => e instanceof ValidationException && /EventBridgeParameters/.test(e.message),
      );
      const fireAt = Math.ceil((Date.now() + 2000) / 1000) * 1000;
      await scheduler.send(
        new CreateScheduleCommand({
          Name: 'to-bus',
          ScheduleExpression: atUtc(fireAt),
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: bus.EventBusArn,
            RoleArn: ROLE,
            Input: '{"job":"rotate"}',
            EventBridgeParameters: { DetailType: 'Job Due', Source: 'app.jobs' },
          },
        }),
      );
      const got = await scheduler.send(new GetScheduleCommand({ Name: 'to-bus' }));
      assert.deepEqual(got.Target?.EventBridgeParameters, { DetailType: 'Job Due', Source: 'app.jobs' });
      const queueUrl = `${s.controlUrl}/000000000000/from-bus`;
      let body: string | undefined;
      const deadline = Date.now() + 10_000;
      while (body === undefined && Date.now() < deadline) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
        body = r.Messages?.[0]?.Body;
      }
      assert.ok(body, 'the rule on the bus delivered the scheduled event');
      const event = JSON.parse(body) as Record<string, unknown>;
      assert.equal(event.source, 'app.jobs');
      assert.equal(event['detail-type'], 'Job Due');
      assert.deepEqual(event.detail, { job: 'rotate' });
      assert.deepEqual(event.resources, [got.Arn]);
    } finally {
      events.destroy();
    }
  });
});
