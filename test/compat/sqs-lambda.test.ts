import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const CONSUMER = `
export const handler = async (event) => {
  for (const r of event.Records) console.log('GOT ' + JSON.stringify(r));
  return { batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({ itemIdentifier: r.messageId })) };
};`;

describe('event source mappings: queues drive functions', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  const records = async (): Promise<Record<string, unknown>[]> => {
    const logs = (await (await s.admin('functions/consumer/logs')).json()) as {
      events: { message: string }[];
    };
    return logs.events.flatMap((e) => [...e.message.matchAll(/GOT (.*)$/gm)].map((m) => JSON.parse(m[1]!)));
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  };
  before(async () => {
    s = await startServerProcess();
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    lambda = new LambdaClient(opts);
    sqs = new SQSClient(opts);
  });
  after(async () => {
    lambda.destroy();
    sqs.destroy();
    await s.stop();
  });

  it('delivers batches in the SQS event shape, deletes what succeeded, and redrives what keeps failing', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'work-dlq' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq',
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'consumer',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.mjs': strToU8(CONSUMER) }) },
      }),
    );
    await assert.rejects(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'consumer',
          EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:nowhere',
        }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    await assert.rejects(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'consumer',
          EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work',
          BatchSize: 100,
        }),
      ),
      { name: 'InvalidParameterValueException' },
      'a batch over 10 needs a batching window',
    );
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'consumer',
        EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work',
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    assert.equal(mapping.State, 'Creating');
    assert.equal(mapping.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:consumer');
    await assert.rejects(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'consumer',
          EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work',
        }),
      ),
      { name: 'ResourceConflictException' },
    );

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          {
            Id: '1',
            MessageBody: 'ok-1',
            MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          },
          { Id: '2', MessageBody: 'fail-2' },
          { Id: '3', MessageBody: 'ok-3' },
        ],
      }),
    );
    await until('the first batch', async () => (await records()).length >= 3);
    const first = (await records()).slice(0, 3);
    assert.deepEqual(first.map((r) => r.body).sort(), ['fail-2', 'ok-1', 'ok-3']);
    const r = first.find((x) => x.body === 'ok-1')!;
    assert.equal(r.eventSource, 'aws:sqs');
    assert.equal(r.eventSourceARN, 'arn:aws:sqs:us-east-1:000000000000:work');
    assert.equal(r.awsRegion, 'us-east-1');
    assert.equal((r.attributes as Record<string, string>).ApproximateReceiveCount, '1');
    assert.deepEqual((r.messageAttributes as Record<string, unknown>).k, {
      stringValue: 'v',
      stringListValues: [],
      binaryListValues: [],
      dataType: 'String',
    });
    assert.match(String(r.md5OfBody), /^[0-9a-f]{32}$/);

    // The failed one comes back after its visibility timeout, then moves to the DLQ.
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 20 }));
    if (dead.Messages?.[0]?.Body !== 'fail-2') {
      // What the pollers saw, for a failure that only a loaded machine shows.
      const state = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }));
      assert.fail(
        `no dead letter: ${JSON.stringify({ dead: dead.Messages, queue: state.Attributes, last: m.LastProcessingResult, seen: (await records()).map((x) => [x.body, (x.attributes as Record<string, string>).ApproximateReceiveCount]) })}`,
      );
    }
    const bodies = (await records()).map((x) => x.body);
    assert.equal(bodies.filter((b) => b === 'fail-2').length, 2, 'received exactly maxReceiveCount times');
    // Successes are deleted (a redelivery is possible only if a slow machine outran the 1 s
    // visibility timeout: delivery is at least once); the queue ends empty either way.
    assert.ok(bodies.filter((b) => b === 'ok-1').length >= 1);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, '0');
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '0');

    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }));
    assert.equal(got.State, 'Enabled');
    assert.deepEqual(got.FunctionResponseTypes, ['ReportBatchItemFailures']);
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
    assert.deepEqual(
      listed.EventSourceMappings?.map((m) => m.UUID),
      [mapping.UUID],
    );
    const disabled = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false, BatchSize: 10 }),
    );
    assert.equal(disabled.BatchSize, 10);
    assert.equal(
      (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State,
      'Disabled',
    );
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
    await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('deploys queues and queue events from the manifest, and keeps them in line on redeploy', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'baton-qapp-')), 'qapp');
    cpSync(join(FIXTURES, 'queue-app'), app, { recursive: true });
    const first = await runCli(['deploy', app], s.cliEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /queue jobs-dlq \(created\)\n {2}queue jobs \(created\)\n {2}queue event jobs → worker \(created\)/,
    );
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${s.controlUrl}/000000000000/jobs`,
        AttributeNames: ['All'],
      }),
    );
    assert.equal(attrs.Attributes?.VisibilityTimeout, '1');
    assert.equal(
      attrs.Attributes?.RedrivePolicy,
      '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq","maxReceiveCount":3}',
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: `${s.controlUrl}/000000000000/jobs`,
        Entries: [{ Id: 'a', MessageBody: 'job-a' }],
      }),
    );
    const worked = async () => {
      const logs = (await (await s.admin('functions/worker/logs')).json()) as {
        events: { message: string }[];
      };
      return logs.events.some((e) => e.message.includes('WORKED job-a'));
    };
    await until('the worker', worked);
    const again = await runCli(['deploy', app], s.cliEnv);
    assert.match(again.stdout, /queue jobs \(unchanged\)/);
    assert.doesNotMatch(again.stdout, /queue event/, 'an unchanged mapping is left alone');
    writeFileSync(
      join(app, 'baton.yaml'),
      'app: qapp\nqueues:\n  jobs-dlq: {}\n  jobs:\n    visibilityTimeout: 2\nfunctions:\n  worker:\n    handler: worker.handler\n',
    );
    const third = await runCli(['deploy', app], s.cliEnv);
    assert.match(third.stdout, /queue jobs \(updated\)\n {2}queue event jobs → worker \(deleted\)/);
    const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'worker' }));
    assert.deepEqual(mappings.EventSourceMappings, []);
  });

  it('loses nothing while the function is throttled', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'held', Attributes: { VisibilityTimeout: '1' } }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'held-consumer',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: {
          ZipFile: zipSync({
            'index.mjs': strToU8(
              'export const handler = async (e) => { console.log("HELD " + e.Records.length); };',
            ),
          }),
        },
      }),
    );
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'held-consumer', ReservedConcurrentExecutions: 0 }),
    );
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'held-consumer',
        EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:held',
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: '1', MessageBody: 'a' },
          { Id: '2', MessageBody: 'b' },
        ],
      }),
    );
    const ran = async () => {
      const logs = (await (await s.admin('functions/held-consumer/logs')).json()) as {
        events: { message: string }[];
      };
      return logs.events.some((e) => e.message.includes('HELD'));
    };
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await ran(), false, 'throttled: not run');
    const during = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    const held =
      Number(during.Attributes?.ApproximateNumberOfMessages) +
      Number(during.Attributes?.ApproximateNumberOfMessagesNotVisible);
    assert.equal(held, 2, 'both messages are still in the queue');
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'held-consumer' }));
    await until('the throttle to lift', ran);
    await until('the queue to empty', async () => {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      return (
        a.Attributes?.ApproximateNumberOfMessages === '0' &&
        a.Attributes?.ApproximateNumberOfMessagesNotVisible === '0'
      );
    });
  });
});
