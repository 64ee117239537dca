import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  adminQuery,
  dropSchema,
  requirePostgres,
  testSchemaName,
  urlWithSchema,
} from '../helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// `baton up` with its queues in PostgreSQL, in a schema of this run's own (dropped at the end).
describe('queues in PostgreSQL (BATON_QUEUE_BACKEND=postgres) with @aws-sdk/client-sqs', () => {
  const schema = testSchemaName();
  let s: ServerProcess | undefined;
  let sqs: SQSClient;
  before(async () => {
    await requirePostgres();
    await adminQuery(`CREATE SCHEMA ${schema}`);
    s = await startServerProcess({
      env: { BATON_QUEUE_BACKEND: 'postgres', BATON_POSTGRES_URL: urlWithSchema(schema) },
    });
    sqs = new SQSClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    sqs?.destroy();
    await s?.stop();
    await dropSchema(schema);
  });

  it('sends, receives and deletes a message, stored in PostgreSQL', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'pg-orders' }));
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'hello from postgres',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    const stored = await adminQuery(`SELECT id, body FROM ${schema}.queue_messages`);
    assert.deepEqual(stored, [{ id: sent.MessageId, body: 'hello from postgres' }]);

    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }),
    );
    assert.equal(got.Messages?.length, 1);
    const [m] = got.Messages!;
    assert.deepEqual([m?.MessageId, m?.Body], [sent.MessageId, 'hello from postgres']);
    assert.equal(m?.MessageAttributes?.kind?.StringValue, 'test');
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '1');
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined, 'in flight');

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m?.ReceiptHandle }));
    assert.deepEqual(await adminQuery(`SELECT id FROM ${schema}.queue_messages`), []);
    assert.deepEqual(await adminQuery(`SELECT name FROM ${schema}.queues`), [{ name: 'pg-orders' }]);
  });

  it('stops cleanly, closing its pool', async () => {
    assert.equal(await s!.stop(), 0);
  });
});
