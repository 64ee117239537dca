import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openSqlite, type SqliteDatabase } from '../../../src/backends/sqlite/database.ts';
import { sqliteQueues } from '../../../src/backends/sqlite/queues.ts';
import { sqliteTopics } from '../../../src/backends/sqlite/topics.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { BatonError } from '../../../src/core/errors.ts';
import { QueueService } from '../../../src/services/queues/service.ts';
import { TopicDeliverer } from '../../../src/services/topics/deliverer.ts';
import { TopicService } from '../../../src/services/topics/service.ts';
import {
  loadSigningIdentity,
  MessageSigner,
  type SigningIdentity,
} from '../../../src/services/topics/signing.ts';

const T0 = Date.UTC(2026, 10, 26, 12);
const ACCOUNT = '000000000000';
const ENDPOINT = 'http://127.0.0.1:4748';

/** An HTTP endpoint on loopback that answers each request with the next scripted status. */
async function endpoint(script: number[]): Promise<{
  url: string;
  requests: { headers: IncomingHttpHeaders; body: string }[];
  server: Server;
}> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(script[requests.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests, server };
}

/** Polls `cond` until it holds; the 10 s margin only matters on a loaded machine. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets in-flight async work (a request that should not happen) show itself. */
const settle = () => new Promise((r) => setTimeout(r, 60));

/** The topic services over one SQLite file and a ManualClock; `start` runs the deliverer. */
function open(
  file: string,
  clock: ManualClock,
  identity: SigningIdentity,
  invoked: string[] = [],
  queuesInTransaction = true,
) {
  const db: SqliteDatabase = openSqlite(file);
  const queues = new QueueService(sqliteQueues(db), clock, {
    accountId: ACCOUNT,
    region: 'us-east-1',
    endpoint: () => ENDPOINT,
  });
  const backend = sqliteTopics(db);
  const warnings: string[] = [];
  const signer = new MessageSigner(identity, () => ENDPOINT);
  const topics: TopicService = new TopicService({
    backend,
    clock,
    queues,
    signer,
    accountId: ACCOUNT,
    region: 'us-east-1',
    endpoint: () => ENDPOINT,
    queuesInTransaction,
    wake: () => deliverer.wake(),
    warn: (m) => warnings.push(m),
  });
  const deliverer = new TopicDeliverer({
    backend,
    clock,
    subscription: (id) => topics.subscription(id),
    queues,
    invoke: async (fn, _q, event) => {
      if (fn === 'gone') throw new BatonError('ResourceNotFound', 'Function not found: gone');
      invoked.push(event);
    },
    warn: (m) => warnings.push(m),
  });
  return { db, queues, topics, deliverer, warnings };
}

describe('topic deliveries: retries on the injected clock, dead letters, restarts', () => {
  let identity: SigningIdentity;
  before(async () => {
    identity = await loadSigningIdentity(mkdtempSync(join(tmpdir(), 'baton-sign-')), T0);
  });

  const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:events`;
  const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:dead`;

  it('confirms an HTTP subscription, then retries a failing endpoint 3 times 20 s apart before the DLQ', async (t) => {
    const clock = new ManualClock(T0);
    const ep = await endpoint([200, 500, 503, 500, 500]);
    t.after(() => ep.server.close());
    const s = open(join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db'), clock, identity);
    t.after(() => s.db.close());
    await s.deliverer.start();
    await s.queues.createQueue({ QueueName: 'dead' });
    await s.topics.createTopic({ Name: 'events' });
    const sub = await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: ep.url,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) },
    });
    assert.equal(sub.SubscriptionArn, 'pending confirmation');
    await until(() => ep.requests.length === 1, 'the confirmation');
    const confirmation = JSON.parse(ep.requests[0]!.body);
    assert.equal(confirmation.Type, 'SubscriptionConfirmation');
    assert.equal(ep.requests[0]!.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    // Pending: a publish now reaches nobody.
    await s.topics.publish({ TopicArn: topicArn, Message: 'too early' });
    await settle();
    assert.equal(ep.requests.length, 1);
    const confirmed = await s.topics.confirmSubscription(
      { TopicArn: topicArn, Token: confirmation.Token },
      false,
    );
    assert.match(String(confirmed.SubscriptionArn), /^arn:aws:sns:us-east-1:000000000000:events:/);

    await s.topics.publish({ TopicArn: topicArn, Message: 'hello' });
    await until(() => ep.requests.length === 2, 'the first attempt');
    await settle(); // the deliverer takes the answer and sets its timer before time moves
    assert.equal(JSON.parse(ep.requests[1]!.body).Message, 'hello');
    assert.equal(ep.requests[1]!.headers['x-amz-sns-subscription-arn'], confirmed.SubscriptionArn);
    for (let retry = 1; retry <= 3; retry++) {
      clock.advance(19_999);
      await settle();
      assert.equal(ep.requests.length, 1 + retry, `retry ${retry} waits the full 20 s`);
      clock.advance(1);
      await until(() => ep.requests.length === 2 + retry, `retry ${retry}`);
      await settle();
    }
    // Four attempts failed: the notification goes to the dead-letter queue with the error.
    const dead = await waitForMessage(s.queues, 'dead');
    assert.equal(JSON.parse(String(dead.Body)).Message, 'hello');
    const attrs = dead.MessageAttributes as Record<string, { StringValue: string }>;
    assert.equal(attrs.ErrorCode?.StringValue, '500');
    clock.advance(60_000);
    await settle();
    assert.equal(ep.requests.length, 5, 'no attempt after the policy is exhausted');
  });

  it('does not retry an endpoint that refuses the message (4xx): straight to the DLQ', async (t) => {
    const clock = new ManualClock(T0);
    const ep = await endpoint([200, 400]);
    t.after(() => ep.server.close());
    const s = open(join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db'), clock, identity);
    t.after(() => s.db.close());
    await s.deliverer.start();
    await s.queues.createQueue({ QueueName: 'dead' });
    await s.topics.createTopic({ Name: 'events' });
    await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: ep.url,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }),
        RawMessageDelivery: 'true',
      },
    });
    await until(() => ep.requests.length === 1, 'the confirmation');
    await s.topics.confirmSubscription(
      { TopicArn: topicArn, Token: JSON.parse(ep.requests[0]!.body).Token },
      true,
    );
    await s.topics.publish({ TopicArn: topicArn, Message: 'raw body' });
    await until(() => ep.requests.length === 2, 'the attempt');
    assert.equal(ep.requests[1]!.body, 'raw body', 'raw delivery posts the message itself');
    assert.equal(ep.requests[1]!.headers['x-amz-sns-rawdelivery'], 'true');
    const dead = await waitForMessage(s.queues, 'dead');
    assert.equal(
      (dead.MessageAttributes as Record<string, { StringValue: string }>).ErrorCode?.StringValue,
      '400',
    );
  });

  it('follows a custom delivery policy (exponential backoff) and content type', async (t) => {
    const clock = new ManualClock(T0);
    const ep = await endpoint([200, 500, 500, 500, 200]);
    t.after(() => ep.server.close());
    const s = open(join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db'), clock, identity);
    t.after(() => s.db.close());
    await s.deliverer.start();
    await s.topics.createTopic({ Name: 'events' });
    const policy = {
      healthyRetryPolicy: {
        numRetries: 3,
        minDelayTarget: 2,
        maxDelayTarget: 8,
        backoffFunction: 'exponential',
      },
      requestPolicy: { headerContentType: 'application/json' },
    };
    await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: ep.url,
      Attributes: { DeliveryPolicy: JSON.stringify(policy) },
    });
    await until(() => ep.requests.length === 1, 'the confirmation');
    await s.topics.confirmSubscription(
      { TopicArn: topicArn, Token: JSON.parse(ep.requests[0]!.body).Token },
      true,
    );
    await s.topics.publish({ TopicArn: topicArn, Message: '{"a":1}' });
    await until(() => ep.requests.length === 2, 'the first attempt');
    await settle();
    assert.equal(ep.requests[1]!.headers['content-type'], 'application/json');
    // Backoff from 2 s to 8 s over 3 retries: 2, 4, 8.
    for (const [i, delay] of [2, 4, 8].entries()) {
      clock.advance(delay * 1000 - 1);
      await settle();
      assert.equal(ep.requests.length, 2 + i);
      clock.advance(1);
      await until(() => ep.requests.length === 3 + i, `retry ${i + 1}`);
      await settle();
    }
  });

  it('keeps an acknowledged publish across a crash: queue messages at once, HTTP and Lambda deliveries after restart', async (t) => {
    const clock = new ManualClock(T0);
    const ep = await endpoint([200, 200]);
    t.after(() => ep.server.close());
    const file = join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db');
    const first = open(file, clock, identity);
    await first.deliverer.start();
    await first.queues.createQueue({ QueueName: 'orders' });
    await first.topics.createTopic({ Name: 'events' });
    await first.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`,
    });
    await first.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'lambda',
      Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`,
    });
    await first.topics.subscribe({ TopicArn: topicArn, Protocol: 'http', Endpoint: ep.url });
    await until(() => ep.requests.length === 1, 'the confirmation');
    await first.topics.confirmSubscription(
      { TopicArn: topicArn, Token: JSON.parse(ep.requests[0]!.body).Token },
      true,
    );
    // The confirmation's delivery finishes (its entry leaves the outbox), then the process
    // "crashes" right after the publish is acknowledged: no delivery of it has run.
    await first.deliverer.idle();
    first.deliverer.close();
    const { MessageId } = await first.topics.publish({ TopicArn: topicArn, Message: 'survives' });
    first.db.close();

    const invoked: string[] = [];
    const second = open(file, clock, identity, invoked);
    t.after(() => second.db.close());
    const got = await waitForMessage(second.queues, 'orders');
    assert.equal(JSON.parse(String(got.Body)).MessageId, MessageId);
    assert.equal(ep.requests.length, 1);
    await second.deliverer.start();
    await until(() => ep.requests.length === 2 && invoked.length === 1, 'the outbox after restart');
    assert.equal(JSON.parse(ep.requests[1]!.body).MessageId, MessageId);
    const event = JSON.parse(invoked[0]!);
    assert.equal(event.Records[0].EventSource, 'aws:sns');
    assert.equal(event.Records[0].Sns.Message, 'survives');
  });

  it('with queues in another database, sends queue deliveries through the outbox (a gone queue: the DLQ)', async (t) => {
    const clock = new ManualClock(T0);
    const s = open(
      join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db'),
      clock,
      identity,
      [],
      false,
    );
    t.after(() => s.db.close());
    await s.queues.createQueue({ QueueName: 'orders' });
    await s.queues.createQueue({ QueueName: 'dead' });
    await s.topics.createTopic({ Name: 'events' });
    await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`,
    });
    await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:missing`,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) },
    });
    const { MessageId } = await s.topics.publish({ TopicArn: topicArn, Message: 'via outbox' });
    assert.deepEqual(
      await s.queues.receiveMessage({ QueueUrl: 'orders' }),
      {},
      'not sent before the deliverer runs',
    );
    await s.deliverer.start();
    assert.equal(JSON.parse(String((await waitForMessage(s.queues, 'orders')).Body)).MessageId, MessageId);
    const dead = await waitForMessage(s.queues, 'dead');
    assert.equal(
      (dead.MessageAttributes as Record<string, { StringValue: string }>).ErrorCode?.StringValue,
      'QueueDoesNotExist',
    );
  });

  it('sends a Lambda delivery whose function is gone to the DLQ, without retries', async (t) => {
    const clock = new ManualClock(T0);
    const s = open(join(mkdtempSync(join(tmpdir(), 'baton-topics-')), 'baton.db'), clock, identity);
    t.after(() => s.db.close());
    await s.deliverer.start();
    await s.queues.createQueue({ QueueName: 'dead' });
    await s.topics.createTopic({ Name: 'events' });
    await s.topics.subscribe({
      TopicArn: topicArn,
      Protocol: 'lambda',
      Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:gone`,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) },
    });
    await s.topics.publish({ TopicArn: topicArn, Message: 'to nowhere', Subject: 'lost' });
    const dead = await waitForMessage(s.queues, 'dead');
    const body = JSON.parse(String(dead.Body));
    assert.equal(body.Message, 'to nowhere');
    assert.equal(body.Subject, 'lost');
    assert.equal(
      (dead.MessageAttributes as Record<string, { StringValue: string }>).ErrorCode?.StringValue,
      'ResourceNotFound',
    );
  });
});

/** Polls a queue (without long polling: the clock is manual) until it returns a message. */
async function waitForMessage(queues: QueueService, name: string): Promise<Record<string, unknown>> {
  // Generous: it returns as soon as the message is there; the margin is for a loaded CI machine.
  const end = Date.now() + 10_000;
  for (;;) {
    const r = await queues.receiveMessage({ QueueUrl: name, MessageAttributeNames: ['All'] });
    const m = (r.Messages as Record<string, unknown>[] | undefined)?.[0];
    if (m) return m;
    if (Date.now() > end) throw new Error(`no message in ${name}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}
