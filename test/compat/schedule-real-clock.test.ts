import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// End to end on the real clock: BATON_RATE_SCALE shortens rate() periods (1 minute → 1.2 s).
describe('a rate(1 minute) schedule, shortened by configuration, on the real clock', () => {
  let s: ServerProcess;
  let scheduler: SchedulerClient;
  let sqs: SQSClient;
  before(async () => {
    s = await startServerProcess({ env: { BATON_RATE_SCALE: '0.02' } });
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    scheduler = new SchedulerClient(cfg);
    sqs = new SQSClient(cfg);
  });
  after(async () => {
    scheduler.destroy();
    sqs.destroy();
    await s.stop();
  });

  it('fires each shortened minute once, in order', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'minutes' }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'every-minute',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:sqs:us-east-1:000000000000:minutes',
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{"tick":true}',
        },
      }),
    );
    const got: Message[] = [];
    const deadline = Date.now() + 10_000;
    while (got.length < 3 && Date.now() < deadline) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      got.push(...(r.Messages ?? []));
    }
    await scheduler.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
    assert.ok(got.length >= 3, `three shortened minutes fired (got ${got.length})`);
    assert.ok(got.every((m) => m.Body === '{"tick":true}'));
    const sent = got.map((m) => Number(m.Attributes?.SentTimestamp)).sort((a, b) => a - b);
    for (let i = 1; i < 3; i++) {
      const gap = sent[i]! - sent[i - 1]!;
      assert.ok(
        gap >= 200 && gap <= 3000,
        `one shortened minute apart, give or take a loaded machine (got ${gap} ms)`,
      );
    }
  });
});
