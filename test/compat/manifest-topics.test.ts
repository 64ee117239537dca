import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

describe('topics and subscriptions from the manifest', () => {
  let s: ServerProcess;
  let sns: SNSClient;
  let sqs: SQSClient;
  before(async () => {
    s = await startServerProcess();
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    sns = new SNSClient(opts);
    sqs = new SQSClient(opts);
  });
  after(async () => {
    sns.destroy();
    sqs.destroy();
    await s.stop();
  });

  it('creates topics with queue and function subscriptions, and keeps them in line', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'baton-tapp-')), 'tapp');
    cpSync(join(FIXTURES, 'topic-app'), app, { recursive: true });
    const first = await runCli(['deploy', app], s.cliEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /topic orders \(created\)/);
    assert.match(first.stdout, /topic subscription orders → audit \(created\)/);
    assert.match(first.stdout, /topic subscription orders → notify \(created\)/);
    const TopicArn = 'arn:aws:sns:us-east-1:000000000000:orders';
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'order 7',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'refund 8',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'refund' } },
      }),
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${s.controlUrl}/000000000000/audit`,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 5,
      }),
    );
    assert.deepEqual(
      got.Messages?.map((m) => m.Body),
      ['order 7'],
      'raw delivery, filtered',
    );
    for (let i = 0; i < 100; i++) {
      const logs = (await (await s.admin('functions/notify/logs')).json()) as {
        events: { message: string }[];
      };
      const lines = logs.events.flatMap((e) => [...e.message.matchAll(/NOTIFIED (.*)$/gm)].map((m) => m[1]));
      if (lines.length >= 2) {
        assert.deepEqual(lines.sort(), ['aws:sns order 7', 'aws:sns refund 8'], 'the function has no filter');
        break;
      }
      assert.ok(i < 99, 'the function was notified');
      await new Promise((r) => setTimeout(r, 50));
    }
    const again = await runCli(['deploy', app], s.cliEnv);
    assert.match(again.stdout, /topic orders \(unchanged\)/);
    assert.doesNotMatch(again.stdout, /subscription/, 'unchanged subscriptions are left alone');
    writeFileSync(
      join(app, 'baton.yaml'),
      'app: tapp\nqueues:\n  audit: {}\ntopics:\n  orders: {}\nfunctions:\n  notify:\n    handler: notify.handler\n    events:\n      - topic: orders\n        filterPolicy: { kind: [refund] }\n',
    );
    const third = await runCli(['deploy', app], s.cliEnv);
    assert.match(third.stdout, /topic subscription orders → notify \(updated\)/);
    assert.match(
      third.stdout,
      /topic subscription orders → arn:aws:sqs:us-east-1:000000000000:audit \(deleted\)/,
    );
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.deepEqual(
      subs.Subscriptions?.map((x) => x.Protocol),
      ['lambda'],
    );
  });
});
