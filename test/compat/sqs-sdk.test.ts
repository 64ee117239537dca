import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// The real SDK checks MD5OfMessageBody and MD5OfMessageAttributes on every send and receive.
describe('queues with @aws-sdk/client-sqs (awsJson1_0) and the query protocol', () => {
  let s: ServerProcess;
  let sqs: SQSClient;
  before(async () => {
    s = await startServerProcess();
    sqs = new SQSClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    sqs.destroy();
    await s.stop();
  });

  it('creates queues idempotently, and reports attribute conflicts as SQS does', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '40' } }),
    );
    assert.equal(QueueUrl, `${s.controlUrl}/000000000000/orders`);
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '40' } }),
    );
    assert.equal(again.QueueUrl, QueueUrl);
    await assert.rejects(
      sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '41' } })),
      { name: 'QueueNameExists' },
    );
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl, QueueUrl);
    await assert.rejects(
      sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })),
      (e: Error & { Code?: string }) => {
        assert.equal(e.name, 'QueueDoesNotExist');
        return true;
      },
    );
    await sqs.send(new CreateQueueCommand({ QueueName: 'orders-2' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'other' }));
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 1 }));
    assert.deepEqual(listed.QueueUrls, [QueueUrl]);
    const next = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 1, NextToken: listed.NextToken }),
    );
    assert.deepEqual(next.QueueUrls, [`${s.controlUrl}/000000000000/orders-2`]);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.VisibilityTimeout, '40');
    assert.equal(attrs.Attributes?.MessageRetentionPeriod, '345600');
    assert.equal(attrs.Attributes?.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:orders');
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { team: 'shop' } }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'shop' });
    await assert.rejects(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '99999' } })),
      { name: 'InvalidAttributeValue' },
    );
  });

  it('sends, receives with attributes, hides in flight, and deletes', async () => {
    const QueueUrl = `${s.controlUrl}/000000000000/orders`;
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'order #1 — ünïcode',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'new' },
          total: { DataType: 'Number', StringValue: '12.5' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
        },
      }),
    );
    assert.ok(sent.MessageId);
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    assert.equal(got.Messages?.length, 1);
    const m = got.Messages![0]!;
    assert.equal(m.Body, 'order #1 — ünïcode');
    assert.equal(m.MessageAttributes?.kind?.StringValue, 'new');
    assert.deepEqual([...(m.MessageAttributes?.blob?.BinaryValue ?? [])], [0, 1, 2]);
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.equal(m.Attributes?.SenderId, s.credentials.accessKeyId);
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(hidden.Messages, undefined, 'in flight: not delivered again');
    const counts = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
    );
    assert.deepEqual(counts.Attributes, { ApproximateNumberOfMessagesNotVisible: '1' });
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    assert.equal(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    await assert.rejects(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: again.Messages![0]!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
      { name: 'ReceiptHandleIsInvalid' },
    );
    await assert.rejects(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })), {
      name: 'ReceiptHandleIsInvalid',
    });
  });

  it('handles batches with a result per entry', async () => {
    const QueueUrl = `${s.controlUrl}/000000000000/orders-2`;
    const r = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 900 },
          {
            Id: 'c',
            MessageBody: 'three',
            MessageAttributes: { n: { DataType: 'Number', StringValue: 'x' } },
          },
        ],
      }),
    );
    assert.deepEqual(
      r.Successful?.map((e) => e.Id),
      ['a', 'b'],
    );
    assert.equal(r.Failed?.[0]?.Id, 'c');
    assert.equal(r.Failed?.[0]?.SenderFault, true);
    await assert.rejects(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'x', MessageBody: '1' },
            { Id: 'x', MessageBody: '2' },
          ],
        }),
      ),
      { name: 'BatchEntryIdsNotDistinct' },
    );
    await assert.rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })), {
      name: 'EmptyBatchRequest',
    });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(
      got.Messages?.map((m) => m.Body),
      ['one'],
      'the delayed one waits',
    );
    const del = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'd1', ReceiptHandle: got.Messages![0]!.ReceiptHandle },
          { Id: 'd2', ReceiptHandle: 'bad' },
        ],
      }),
    );
    assert.deepEqual(
      del.Successful?.map((e) => e.Id),
      ['d1'],
    );
    assert.deepEqual(
      del.Failed?.map((e) => [e.Id, e.Code]),
      [['d2', 'ReceiptHandleIsInvalid']],
    );
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, '1');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    await assert.rejects(sqs.send(new PurgeQueueCommand({ QueueUrl })), { name: 'PurgeQueueInProgress' });
  });

  it('keeps FIFO order per group, deduplicates, and moves to the DLQ after maxReceiveCount receives', async () => {
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs-dlq.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'jobs.fifo',
        Attributes: {
          FifoQueue: 'true',
          ContentBasedDeduplication: 'true',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq.fifo',
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    const first = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: 'a1', MessageGroupId: 'a' }),
    );
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a1', MessageGroupId: 'a' }));
    assert.equal(dup.MessageId, first.MessageId, 'the same content within 5 minutes is one message');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a2', MessageGroupId: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b1', MessageGroupId: 'b' }));
    await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })), {
      name: 'MissingParameter',
    });

    const one = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }),
    );
    assert.equal(one.Messages?.[0]?.Body, 'a1');
    const batch = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
    );
    assert.deepEqual(
      batch.Messages?.map((m) => m.Body),
      ['a1', 'a2', 'b1'],
    );
    assert.equal(batch.Messages?.[0]?.Attributes?.MessageGroupId, 'a');
    assert.match(batch.Messages?.[0]?.Attributes?.SequenceNumber ?? '', /^\d{20}$/);
    const locked = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.equal(locked.Messages, undefined, 'groups with messages in flight give nothing');
    // a1 has been received twice (maxReceiveCount): return the others, make a1 visible again.
    for (const m of batch.Messages!.slice(1))
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: batch.Messages![0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.equal(third.Messages, undefined, 'the third receive moves it to the DLQ instead');
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageSystemAttributeNames: ['All'] }),
    );
    assert.equal(dead.Messages?.[0]?.Body, 'a1');
    assert.equal(
      dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn,
      'arn:aws:sqs:us-east-1:000000000000:jobs.fifo',
    );
  });

  it('long-polls: a waiting receive returns as soon as a message arrives', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'poll' }));
    const t0 = Date.now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    await new Promise((r) => setTimeout(r, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    const got = await waiting;
    assert.equal(got.Messages?.[0]?.Body, 'wake up');
    assert.ok(Date.now() - t0 < 4000, 'returned on arrival, not at the end of the wait');
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await assert.rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl })), { name: 'QueueDoesNotExist' });
  });

  it('speaks the query protocol with XML answers and query error codes', async () => {
    const call = async (params: Record<string, string>, path = '/') => {
      const url = new URL(`${s.controlUrl}${path}`);
      const body = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
      const headers = signRequest(
        'POST',
        url,
        { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        s.credentials,
        {
          region: 'us-east-1',
          service: 'sqs',
          now: Date.now(),
        },
      );
      delete headers.host;
      const res = await fetch(url, { method: 'POST', headers, body });
      return { status: res.status, xml: await res.text() };
    };
    const created = await call({
      Action: 'CreateQueue',
      QueueName: 'legacy',
      'Attribute.1.Name': 'DelaySeconds',
      'Attribute.1.Value': '0',
    });
    assert.equal(created.status, 200);
    assert.match(
      created.xml,
      /<CreateQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>http:\/\/127\.0\.0\.1:\d+\/000000000000\/legacy<\/QueueUrl>/,
    );
    const sent = await call(
      {
        Action: 'SendMessage',
        MessageBody: 'via <query> & XML',
        'MessageAttribute.1.Name': 'k',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'v',
      },
      '/000000000000/legacy',
    );
    assert.match(
      sent.xml,
      /<MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><MessageId>/,
    );
    const got = await call({
      Action: 'ReceiveMessage',
      QueueUrl: `${s.controlUrl}/000000000000/legacy`,
      'MessageAttributeName.1': 'All',
    });
    assert.match(got.xml, /<Body>via &#60;query&#62; &#38; XML<\/Body>/);
    assert.match(
      got.xml,
      /<MessageAttribute><Name>k<\/Name><Value><StringValue>v<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute>/,
    );
    const missing = await call({ Action: 'GetQueueUrl', QueueName: 'ghost' });
    assert.equal(missing.status, 400);
    assert.match(missing.xml, /<Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code>/);
    const unknown = await call({ Action: 'Fly', QueueName: 'ghost' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.xml, /<Code>InvalidAction<\/Code>/);
  });

  it('receives failed async invocations: an OnFailure destination queue, and a dead-letter queue', async () => {
    const lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    const failures = await sqs.send(new CreateQueueCommand({ QueueName: 'failures' }));
    const dead = await sqs.send(new CreateQueueCommand({ QueueName: 'dead-letters' }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'broken',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: {
          ZipFile: zipSync({
            'index.mjs': strToU8('export const handler = async () => { throw new Error("nope"); };'),
          }),
        },
      }),
    );
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'broken',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:failures' } },
      }),
    );
    await lambda.send(
      new InvokeCommand({
        FunctionName: 'broken',
        InvocationType: 'Event',
        Payload: Buffer.from('{"id":1}'),
      }),
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: failures.QueueUrl, WaitTimeSeconds: 10 }),
    );
    const record = JSON.parse(got.Messages?.[0]?.Body ?? '{}');
    assert.equal(record.requestContext?.condition, 'RetriesExhausted');
    assert.deepEqual(record.requestPayload, { id: 1 });
    assert.equal(record.responsePayload?.errorMessage, 'nope');

    // Without a destination, the function's DeadLetterConfig gets the event itself.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'broken', MaximumRetryAttempts: 0 }),
    );
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'broken',
        DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead-letters' },
      }),
    );
    await lambda.send(
      new InvokeCommand({
        FunctionName: 'broken',
        InvocationType: 'Event',
        Payload: Buffer.from('{"id":2}'),
      }),
    );
    const dl = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dead.QueueUrl, WaitTimeSeconds: 10 }));
    assert.deepEqual(JSON.parse(dl.Messages?.[0]?.Body ?? '{}'), { id: 2 });
    lambda.destroy();
  });

  it('redrives dead letters back to their source queue with a message move task', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'src-dlq' }));
    const src = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'src',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:src-dlq',
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: src.QueueUrl, MessageBody: 'try again' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.QueueUrl, VisibilityTimeout: 0 }));
    assert.equal(
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.QueueUrl }))).Messages,
      undefined,
      'moved on the second receive',
    );
    await assert.rejects(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:src' })),
      { name: 'InvalidParameterValue' },
      'only a dead-letter queue can be redriven',
    );
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:src-dlq' }),
    );
    assert.ok(TaskHandle);
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.QueueUrl, WaitTimeSeconds: 5 }));
    assert.equal(back.Messages?.[0]?.Body, 'try again');
    const tasks = await sqs.send(
      new ListMessageMoveTasksCommand({
        SourceArn: 'arn:aws:sqs:us-east-1:000000000000:src-dlq',
        MaxResults: 10,
      }),
    );
    assert.equal(tasks.Results?.[0]?.Status, 'COMPLETED');
    assert.equal(tasks.Results?.[0]?.ApproximateNumberOfMessagesMoved, 1);
    await assert.rejects(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })), {
      name: 'UnsupportedOperation',
    });
    const left = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlq.QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    assert.equal(left.Attributes?.ApproximateNumberOfMessages, '0');
  });

  it('refuses bad signatures with the query-compatible auth codes', async () => {
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', maxAttempts: 1 };
    const wrong = new SQSClient({ ...opts, credentials: { ...s.credentials, secretAccessKey: 'wrong' } });
    await assert.rejects(wrong.send(new ListQueuesCommand({})), { name: 'SignatureDoesNotMatch' });
    wrong.destroy();
    const unknown = new SQSClient({
      ...opts,
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    await assert.rejects(unknown.send(new ListQueuesCommand({})), { name: 'InvalidClientTokenId' });
    unknown.destroy();
  });
});
