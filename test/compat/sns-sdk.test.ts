import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

/** The string SNS signs, as AWS's verification guide builds it. */
function stringToSign(m: Record<string, string>): string {
  const keys =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

/** Verifies a message's signature with the certificate fetched (unsigned) from its SigningCertURL. */
async function verifySignature(m: Record<string, string>, certUrl = m.SigningCertURL!): Promise<boolean> {
  const res = await fetch(certUrl);
  assert.equal(res.status, 200);
  const pem = await res.text();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  return createVerify(m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1')
    .update(stringToSign(m))
    .verify(pem, m.Signature!, 'base64');
}

describe('topics with @aws-sdk/client-sns (awsQuery) against a real baton up', () => {
  let s: ServerProcess;
  let sns: SNSClient;
  let sqs: SQSClient;

  before(async () => {
    s = await startServerProcess();
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    sns = new SNSClient(cfg);
    sqs = new SQSClient(cfg);
  });
  after(async () => {
    sns.destroy();
    sqs.destroy();
    await s.stop();
  });

  const receive = async (QueueUrl: string, max = 10, wait = 2): Promise<Message[]> =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: wait,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('creates topics idempotently, reports conflicts, lists with NextToken, keeps attributes and tags', async () => {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: 'orders',
        Attributes: { DisplayName: 'Orders' },
        Tags: [{ Key: 'team', Value: 'shop' }],
      }),
    );
    assert.equal(TopicArn, `arn:aws:sns:us-east-1:${ACCOUNT}:orders`);
    const again = await sns.send(
      new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }),
    );
    assert.equal(again.TopicArn, TopicArn);
    await assert.rejects(
      sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })),
      (e: Error) => e.name === 'InvalidParameterException' && /different attributes/.test(e.message),
    );
    for (let i = 0; i < 101; i++)
      await sns.send(new CreateTopicCommand({ Name: `bulk-${String(i).padStart(3, '0')}` }));
    const first = await sns.send(new ListTopicsCommand({}));
    assert.equal(first.Topics?.length, 100);
    assert.ok(first.NextToken);
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    assert.equal(second.Topics?.length, 2);
    assert.equal(second.NextToken, undefined);

    await sns.send(
      new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }),
    );
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    assert.equal(attrs.DisplayName, 'Orders');
    assert.equal(attrs.SignatureVersion, '2');
    assert.equal(attrs.Owner, ACCOUNT);
    assert.equal(attrs.SubscriptionsConfirmed, '0');
    assert.match(attrs.EffectiveDeliveryPolicy!, /"numRetries":3/);
    await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['team'] }));
    const tags = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    assert.deepEqual(tags.Tags, [{ Key: 'env', Value: 'dev' }]);
    for (let i = 0; i < 101; i++)
      await sns.send(
        new DeleteTopicCommand({
          TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:bulk-${String(i).padStart(3, '0')}`,
        }),
      );
    assert.deepEqual(
      (await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn),
      [TopicArn],
    );
  });

  it('delivers to SQS subscribers: the signed notification JSON, or raw with message attributes', async () => {
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'events' }))).TopicArn!;
    const plain = (await sqs.send(new CreateQueueCommand({ QueueName: 'events-plain' }))).QueueUrl!;
    const raw = (await sqs.send(new CreateQueueCommand({ QueueName: 'events-raw' }))).QueueUrl!;
    const sub = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('events-plain') }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('events-raw'),
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.equal(listed.Subscriptions?.length, 2);
    assert.equal((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.length, 2);
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'order #1 — ünïcode',
        Subject: 'New order',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'new' },
          total: { DataType: 'Number', StringValue: '12.5' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
        },
      }),
    );
    const [m] = await receive(plain);
    const n = JSON.parse(m!.Body!);
    assert.equal(n.Type, 'Notification');
    assert.equal(n.MessageId, MessageId);
    assert.equal(n.TopicArn, TopicArn);
    assert.equal(n.Subject, 'New order');
    assert.equal(n.Message, 'order #1 — ünïcode');
    assert.equal(n.SignatureVersion, '1');
    assert.equal(
      n.UnsubscribeURL,
      `${s.controlUrl}/?Action=Unsubscribe&SubscriptionArn=${sub.SubscriptionArn}`,
    );
    assert.deepEqual(n.MessageAttributes.kind, { Type: 'String', Value: 'new' });
    assert.deepEqual(n.MessageAttributes.blob, { Type: 'Binary', Value: 'AAEC' });
    assert.ok(await verifySignature(n), 'the signature verifies against the certificate');
    assert.equal(m!.Attributes?.SenderId, 'sns.amazonaws.com');

    const [r] = await receive(raw);
    assert.equal(r!.Body, 'order #1 — ünïcode');
    assert.equal(r!.MessageAttributes?.kind?.StringValue, 'new');
    assert.equal(r!.MessageAttributes?.total?.DataType, 'Number');
    assert.deepEqual([...(r!.MessageAttributes?.blob?.BinaryValue ?? [])], [0, 1, 2]);

    // MessageStructure=json: the sqs entry for queues, "default" for the rest.
    await sns.send(
      new PublishCommand({
        TopicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
      }),
    );
    assert.equal((await receive(raw))[0]?.Body, 'for queues');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
    assert.equal(
      (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.length,
      1,
    );
  });

  it('filters by message attributes and by message body', async () => {
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'filtered' }))).TopicArn!;
    const big = (await sqs.send(new CreateQueueCommand({ QueueName: 'big-orders' }))).QueueUrl!;
    const eu = (await sqs.send(new CreateQueueCommand({ QueueName: 'eu-orders' }))).QueueUrl!;
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('big-orders'),
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({
            total: [{ numeric: ['>=', 100] }],
            kind: [{ 'anything-but': 'test' }],
          }),
        },
      }),
    );
    const euSub = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('eu-orders'),
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: euSub.SubscriptionArn,
        AttributeName: 'FilterPolicyScope',
        AttributeValue: 'MessageBody',
      }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: euSub.SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ address: { country: [{ prefix: 'D' }, 'FR'] } }),
      }),
    );
    const attrs = (
      await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: euSub.SubscriptionArn }))
    ).Attributes!;
    assert.equal(attrs.FilterPolicyScope, 'MessageBody');
    const publish = (body: unknown, total: string, kind = 'real') =>
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: JSON.stringify(body),
          MessageAttributes: {
            total: { DataType: 'Number', StringValue: total },
            kind: { DataType: 'String', StringValue: kind },
          },
        }),
      );
    await publish({ id: 1, address: { country: 'DE' } }, '250');
    await publish({ id: 2, address: { country: 'US' } }, '20');
    await publish({ id: 3, address: { country: 'FR' } }, '500', 'test');
    await publish({ id: 4, address: { country: 'ES' } }, '100');
    const ids = (msgs: Message[]) => msgs.map((m) => JSON.parse(m.Body!).id).sort();
    assert.deepEqual(ids(await receive(big, 10, 1)), [1, 4]);
    assert.deepEqual(ids(await receive(eu, 10, 1)), [1, 3]);
  });

  it('keeps FIFO order from a FIFO topic to a FIFO queue, with deduplication and sequence numbers', async () => {
    const TopicArn = (
      await sns.send(
        new CreateTopicCommand({
          Name: 'jobs.fifo',
          Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
        }),
      )
    ).TopicArn!;
    const QueueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true' } }))
    ).QueueUrl!;
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('jobs.fifo'),
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await assert.rejects(
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/x' })),
      { name: 'InvalidParameterException' },
    );
    const sent = [];
    for (const body of ['a1', 'b1', 'a2', 'a3', 'b2'])
      sent.push(await sns.send(new PublishCommand({ TopicArn, Message: body, MessageGroupId: body[0] })));
    assert.match(sent[0]!.SequenceNumber ?? '', /^\d{20}$/);
    assert.ok(BigInt(sent[4]!.SequenceNumber!) > BigInt(sent[0]!.SequenceNumber!));
    const dup = await sns.send(new PublishCommand({ TopicArn, Message: 'a1', MessageGroupId: 'a' }));
    assert.equal(dup.MessageId, sent[0]!.MessageId, 'the same content within 5 minutes is one message');
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'a4', MessageGroupId: 'a' },
          { Id: 'two', Message: 'b3' },
        ],
      }),
    );
    assert.deepEqual(
      batch.Successful?.map((e) => e.Id),
      ['one'],
    );
    assert.deepEqual(
      batch.Failed?.map((e) => [e.Id, e.Code, e.SenderFault]),
      [['two', 'InvalidParameter', true]],
    );
    const got = await receive(QueueUrl);
    assert.deepEqual(
      got.map((m) => m.Body),
      ['a1', 'b1', 'a2', 'a3', 'b2', 'a4'],
    );
    assert.equal(got[0]?.Attributes?.MessageGroupId, 'a');
    await assert.rejects(sns.send(new PublishCommand({ TopicArn, Message: 'x' })), {
      name: 'InvalidParameterException',
    });
  });

  it('invokes a Lambda subscriber asynchronously with the SNS event', async () => {
    const lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'on-event',
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
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'to-lambda' }))).TopicArn!;
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-event`;
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fnArn }),
    );
    await assert.rejects(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn,
          AttributeName: 'RawMessageDelivery',
          AttributeValue: 'true',
        }),
      ),
      { name: 'InvalidParameterException' },
    );
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'hello function',
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      }),
    );
    let event: { Records: Record<string, unknown>[] } | undefined;
    const deadline = Date.now() + 10_000;
    while (!event && Date.now() < deadline) {
      const res = await s.admin('functions/on-event/logs');
      const { events } = (await res.json()) as { events: { message: string }[] };
      const line = events.find((e) => e.message.includes('\tEVENT '));
      // A record holds the invocation's log lines (START, the handler's lines, END, REPORT).
      const text = line?.message.split('\n').find((l) => l.includes('\tEVENT '));
      if (text) event = JSON.parse(text.slice(text.indexOf('\tEVENT ') + 7));
      if (!event) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(event, 'the function logged the event');
    const record = event.Records[0]!;
    assert.equal(record.EventSource, 'aws:sns');
    assert.equal(record.EventVersion, '1.0');
    assert.equal(record.EventSubscriptionArn, SubscriptionArn);
    const sns_ = record.Sns as Record<string, unknown>;
    assert.equal(sns_.Message, 'hello function');
    assert.equal(sns_.MessageId, MessageId);
    assert.equal(sns_.Type, 'Notification');
    assert.equal(sns_.Subject, null);
    assert.deepEqual(sns_.MessageAttributes, { k: { Type: 'String', Value: 'v' } });
    assert.ok(
      await verifySignature(
        { ...(sns_ as Record<string, string>), Subject: undefined as unknown as string },
        String(sns_.SigningCertUrl),
      ),
    );
  });

  it('confirms an HTTP subscriber through its SubscribeURL and sends it signed notifications', async (t) => {
    const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        requests.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sns`;
    const TopicArn = (
      await sns.send(new CreateTopicCommand({ Name: 'to-http', Attributes: { SignatureVersion: '2' } }))
    ).TopicArn!;
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: url }));
    assert.equal(sub.SubscriptionArn, 'pending confirmation');
    const until = async (n: number) => {
      const end = Date.now() + 10_000;
      while (requests.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      assert.equal(requests.length, n);
    };
    await until(1);
    const confirmation = JSON.parse(requests[0]!.body);
    assert.equal(confirmation.Type, 'SubscriptionConfirmation');
    assert.equal(requests[0]!.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.equal(requests[0]!.headers['x-amz-sns-topic-arn'], TopicArn);
    assert.ok(await verifySignature(confirmation));
    const pending = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.equal(pending.Subscriptions?.[0]?.SubscriptionArn, 'PendingConfirmation');
    await assert.rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: 'wrong' })), {
      name: 'InvalidParameterException',
    });
    // The endpoint visits the SubscribeURL, unsigned, as real subscribers do.
    const visit = await fetch(confirmation.SubscribeURL);
    assert.equal(visit.status, 200);
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await visit.text())?.[1];
    assert.match(arn ?? '', /^arn:aws:sns:us-east-1:000000000000:to-http:/);
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })))
      .Attributes!;
    assert.equal(attrs.PendingConfirmation, 'false');
    assert.equal(attrs.ConfirmationWasAuthenticated, 'false');

    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn, Message: 'over http', Subject: 'Hi' }),
    );
    await until(2);
    // The UnsubscribeURL is not a credential in Baton: unsigned, it is refused.
    const unsubscribe = await fetch(`${s.controlUrl}/?Action=Unsubscribe&SubscriptionArn=${arn}`);
    assert.equal(unsubscribe.status, 403);
    assert.match(await unsubscribe.text(), /<Code>AuthorizationError<\/Code>/);
    const { headers, body } = requests[1]!;
    assert.equal(headers['x-amz-sns-message-type'], 'Notification');
    assert.equal(headers['x-amz-sns-message-id'], MessageId);
    assert.equal(headers['x-amz-sns-topic-arn'], TopicArn);
    assert.equal(headers['x-amz-sns-subscription-arn'], arn);
    assert.equal(headers['content-type'], 'text/plain; charset=UTF-8');
    const n = JSON.parse(body);
    assert.equal(n.Message, 'over http');
    assert.equal(n.SignatureVersion, '2');
    assert.ok(await verifySignature(n), 'SHA256withRSA signature verifies');
    assert.equal(await verifySignature({ ...n, Message: 'tampered' }), false);
  });

  it('sends deliveries a queue refuses to the subscription’s dead-letter queue', async () => {
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'with-dlq' }))).TopicArn!;
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'sub-dlq' }))).QueueUrl!;
    const gone = (await sqs.send(new CreateQueueCommand({ QueueName: 'soon-gone' }))).QueueUrl!;
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn('soon-gone'),
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('sub-dlq') }) },
      }),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'undeliverable' }));
    const [m] = await receive(dlq);
    assert.equal(JSON.parse(m!.Body!).MessageId, MessageId);
    assert.equal(m!.MessageAttributes?.ErrorCode?.StringValue, 'QueueDoesNotExist');
  });

  it('answers bad input with SNS error codes', async () => {
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:nope`;
    await assert.rejects(sns.send(new PublishCommand({ TopicArn: missing, Message: 'x' })), (e: Error) => {
      assert.equal(e.name, 'NotFoundException');
      assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 404);
      return true;
    });
    await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })), {
      name: 'InvalidParameterException',
    });
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'strict' }))).TopicArn!;
    const bad: [string, () => Promise<unknown>][] = [
      ['empty message', () => sns.send(new PublishCommand({ TopicArn, Message: '' }))],
      ['too long', () => sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262_145) }))],
      [
        'no default entry',
        () => sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: '{"sqs":"x"}' })),
      ],
      ['a bad topic name', () => sns.send(new CreateTopicCommand({ Name: 'no spaces' }))],
      [
        'an unknown protocol',
        () => sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
      ],
      [
        'a bad filter policy',
        () =>
          sns.send(
            new SubscribeCommand({
              TopicArn,
              Protocol: 'sqs',
              Endpoint: queueArn('x'),
              Attributes: { FilterPolicy: '{"a":[{"numeric":[">"]}]}' },
            }),
          ),
      ],
      [
        'group id on a standard topic',
        () => sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' })),
      ],
    ];
    for (const [what, send] of bad) await assert.rejects(send(), { name: 'InvalidParameterException' }, what);
    await assert.rejects(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } },
        }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    await assert.rejects(
      sns.send(
        new UnsubscribeCommand({ SubscriptionArn: `${TopicArn}:00000000-0000-0000-0000-000000000000` }),
      ),
      { name: 'NotFoundException' },
    );
    await assert.rejects(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] })), {
      name: 'EmptyBatchRequestException',
    });
    await assert.rejects(
      sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: [
            { Id: 'a', Message: '1' },
            { Id: 'a', Message: '2' },
          ],
        }),
      ),
      { name: 'BatchEntryIdsNotDistinctException' },
    );
    await assert.rejects(
      sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'x' })),
        }),
      ),
      { name: 'TooManyEntriesInBatchRequestException' },
    );
    // Deleting a topic that is not there is not an error.
    await sns.send(new DeleteTopicCommand({ TopicArn: missing }));
    // Wrong credentials: refused with the query protocol's error, as XML.
    const wrong = new SNSClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    await assert.rejects(wrong.send(new ListTopicsCommand({})), (e: Error) => {
      assert.equal(e.name, 'SignatureDoesNotMatch');
      assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403);
      return true;
    });
    wrong.destroy();
  });

  it('speaks the raw query protocol: XML answers in the SNS namespace, an unknown action', async () => {
    const call = async (params: Record<string, string>) => {
      const url = new URL(`${s.controlUrl}/`);
      const body = new URLSearchParams({ Version: '2010-03-31', ...params }).toString();
      const headers = signRequest(
        'POST',
        url,
        { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        s.credentials,
        {
          region: 'us-east-1',
          service: 'sns',
          now: Date.now(),
        },
      );
      delete headers.host;
      const res = await fetch(url, { method: 'POST', headers, body });
      return { status: res.status, xml: await res.text() };
    };
    const created = await call({
      Action: 'CreateTopic',
      Name: 'raw-query',
      'Attributes.entry.1.key': 'DisplayName',
      'Attributes.entry.1.value': 'R & D',
    });
    assert.equal(created.status, 200);
    assert.match(
      created.xml,
      /<CreateTopicResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:raw-query<\/TopicArn><\/CreateTopicResult><ResponseMetadata><RequestId>/,
    );
    const got = await call({
      Action: 'GetTopicAttributes',
      TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:raw-query`,
    });
    assert.match(got.xml, /<entry><key>DisplayName<\/key><value>R &#38; D<\/value><\/entry>/);
    const unknown = await call({ Action: 'Fly' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.xml, /<Code>InvalidAction<\/Code>/);
    // Object members are neither actions nor a way into Object.prototype.
    const ctor = await call({ Action: 'constructor' });
    assert.equal(ctor.status, 400);
    const polluting = await call({ Action: 'ListTopics', '__proto__.VisibilityTimeout': '0' });
    assert.equal(polluting.status, 200);
    assert.equal(({} as Record<string, unknown>).VisibilityTimeout, undefined);
    const probe = (await sqs.send(new CreateQueueCommand({ QueueName: 'after-pollution' }))).QueueUrl!;
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: probe, AttributeNames: ['VisibilityTimeout'] }),
    );
    assert.equal(attrs.Attributes?.VisibilityTimeout, '30', 'the server’s objects were not polluted');
  });
});
