import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

/**
 * What SQS users rely on when something breaks, proven against `baton up` as a real process that
 * is killed with SIGKILL (no shutdown hook runs) and restarted on the same data directory. The
 * visibility timeouts here are real time, since they span a process restart: they are kept short.
 */
describe('queues keep their promises across kill -9 and under concurrency', () => {
  const servers: ServerProcess[] = [];
  const clients: SQSClient[] = [];
  const start = async (dataDir?: string) => {
    const s = await startServerProcess(dataDir ? { dataDir } : {});
    servers.push(s);
    return s;
  };
  const client = (s: ServerProcess) => {
    const c = new SQSClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  // The SDK sends to the host of a QueueUrl, and a restarted server listens on a new port.
  const urlOf = (s: ServerProcess, name: string) => `${s.controlUrl}/000000000000/${name}`;
  const kill9 = async (s: ServerProcess) => {
    const exited = new Promise((r) => s.proc.once('exit', r));
    s.proc.kill('SIGKILL');
    await exited;
  };
  const counts = async (sqs: SQSClient, QueueUrl: string) => {
    const r = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return [
      Number(r.Attributes?.ApproximateNumberOfMessages),
      Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible),
    ];
  };
  after(async () => {
    for (const c of clients) c.destroy();
    // `stop` waits for an exit, which a process killed earlier has already had.
    await Promise.all(
      servers.filter((s) => s.proc.exitCode === null && !s.proc.signalCode).map((s) => s.stop()),
    );
  });

  it('brings back a message received but not deleted before a kill -9, after its visibility timeout', async () => {
    const a = await start();
    const sqs = client(a);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'inflight', Attributes: { VisibilityTimeout: '2' } }),
    );
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survive me' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const receivedAt = Date.now();
    assert.equal(got.Messages?.[0]?.MessageId, sent.MessageId);
    await kill9(a);

    const b = await start(a.dataDir);
    const sqs2 = client(b);
    const url = urlOf(b, 'inflight');
    if (Date.now() - receivedAt < 1500) {
      const early = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url }));
      assert.equal(early.Messages, undefined, 'still in flight: the restart did not make it visible');
    }
    const again = await sqs2.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }),
    );
    const m = again.Messages?.[0];
    assert.equal(m?.MessageId, sent.MessageId);
    assert.equal(m?.Body, 'survive me');
    assert.equal(m?.Attributes?.ApproximateReceiveCount, '2');
    assert.ok(Date.now() - receivedAt >= 1900, 'not before its visibility timeout');
    // The handle of the receive before the crash is stale: deleting with it leaves the message.
    await sqs2.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle }),
    );
    assert.deepEqual(await counts(sqs2, url), [0, 1]);
    await sqs2.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
    assert.deepEqual(await counts(sqs2, url), [0, 0]);
  });

  it('keeps every acknowledged SendMessageBatch across a kill -9 in the middle of a stream of them', async (t) => {
    const a = await start();
    const sqs = client(a);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'stream' }));
    const attempted = new Set<string>();
    const acked = new Set<string>();
    let failures = 0;
    let killed = false;
    const sender = async (k: number) => {
      for (let i = 0; ; i++) {
        const bodies = Array.from({ length: 10 }, (_, j) => `s${k}-b${i}-m${j}`);
        for (const b of bodies) attempted.add(b);
        try {
          const r = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl,
              Entries: bodies.map((MessageBody, j) => ({ Id: `e${j}`, MessageBody })),
            }),
          );
          assert.deepEqual(r.Failed ?? [], []);
          for (const e of r.Successful ?? []) acked.add(bodies[Number(e.Id!.slice(1))]!);
        } catch (e) {
          if (!killed) throw e;
          failures++;
          return;
        }
      }
    };
    const senders = Array.from({ length: 4 }, (_, k) => sender(k));
    const t0 = Date.now();
    while (acked.size < 2000 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    // Senders keep going until their next call fails: responses already on the wire still count.
    killed = true;
    await kill9(a);
    await Promise.all(senders);
    assert.ok(acked.size > 0);
    assert.ok(failures > 0, 'some batches were in flight when the server died');

    const b = await start(a.dataDir);
    const sqs2 = client(b);
    const url = urlOf(b, 'stream');
    const received: string[] = [];
    const drain = async () => {
      for (;;) {
        const r = await sqs2.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
        );
        if (!r.Messages) return;
        for (const m of r.Messages) received.push(m.Body!);
      }
    };
    await Promise.all([drain(), drain(), drain(), drain()]);
    const got = new Set(received);
    assert.equal(got.size, received.length, 'no message stored twice');
    t.diagnostic(`${acked.size} acknowledged, ${got.size} stored, ${failures} batch calls cut by the kill`);
    const lost = [...acked].filter((x) => !got.has(x));
    assert.deepEqual(lost, [], 'every acknowledged message survived');
    assert.deepEqual(
      received.filter((x) => !attempted.has(x)),
      [],
    );
    // Batches not acknowledged may be there or not, but only whole: a batch commits at once.
    const batchesSeen = new Map<string, number>();
    for (const x of received) {
      const batch = x.slice(0, x.lastIndexOf('-'));
      batchesSeen.set(batch, (batchesSeen.get(batch) ?? 0) + 1);
    }
    assert.deepEqual(
      [...batchesSeen].filter(([, n]) => n !== 10),
      [],
    );
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount, counting across a restart', async () => {
    const a = await start();
    const sqs = client(a);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'dead' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'redriven',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead',
            maxReceiveCount: 3,
          }),
        },
      }),
    );
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    const receive = (c: SQSClient, url: string) =>
      c.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
    for (const n of [1, 2]) {
      const r = await receive(sqs, QueueUrl!);
      assert.equal(r.Messages?.[0]?.Attributes?.ApproximateReceiveCount, String(n));
      assert.deepEqual(await counts(sqs, dlq.QueueUrl!), [0, 0], `not in the DLQ after receive ${n}`);
    }
    await kill9(a);

    const b = await start(a.dataDir);
    const sqs2 = client(b);
    const url = urlOf(b, 'redriven');
    const dlqUrl = urlOf(b, 'dead');
    const third = await receive(sqs2, url);
    assert.equal(third.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(third.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '3');
    assert.deepEqual(await counts(sqs2, dlqUrl), [0, 0], 'not in the DLQ after receive 3 either');
    const fourth = await receive(sqs2, url);
    assert.equal(fourth.Messages, undefined, 'the receive after maxReceiveCount moves it instead');
    assert.deepEqual(await counts(sqs2, url), [0, 0]);
    assert.deepEqual(await counts(sqs2, dlqUrl), [1, 0]);
    const dead = await sqs2.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }),
    );
    assert.equal(dead.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(dead.Messages?.[0]?.Body, 'poison');
    assert.equal(
      dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn,
      'arn:aws:sqs:us-east-1:000000000000:redriven',
    );
  });

  it('keeps FIFO order per group under 4 concurrent consumers, and delivers a resent message once', async () => {
    const s = await start();
    const producer = client(s);
    const { QueueUrl } = await producer.send(
      new CreateQueueCommand({
        QueueName: 'ordered.fifo',
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
      }),
    );
    const GROUPS = 5;
    const PER_GROUP = 40;
    const TOTAL = GROUPS * PER_GROUP;
    // Messages interleave groups: g0#0 g1#0 … g4#0 g0#1 …
    const all = Array.from({ length: TOTAL }, (_, i) => ({
      group: `g${i % GROUPS}`,
      n: Math.floor(i / GROUPS),
    }));
    const entry = (m: { group: string; n: number }, j: number) => ({
      Id: `e${j}`,
      MessageBody: `${m.group}:${m.n}`,
      MessageGroupId: m.group,
      MessageDeduplicationId: `${m.group}-${m.n}`,
    });
    const delivered: string[] = [];
    const perGroup = new Map<string, number[]>();
    let producing = true;
    const consumer = async () => {
      const sqs = client(s);
      while (producing || delivered.length < TOTAL) {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 1 + Math.floor(Math.random() * 10),
            WaitTimeSeconds: 1,
          }),
        );
        const msgs: Message[] = r.Messages ?? [];
        if (msgs.length === 0) {
          if (!producing) return;
          continue;
        }
        // Recorded before the delete: the group's next message cannot be received until then.
        for (const m of msgs) {
          delivered.push(m.Body!);
          const [g, n] = m.Body!.split(':');
          const seq = perGroup.get(g!) ?? [];
          seq.push(Number(n));
          perGroup.set(g!, seq);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        const del = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: msgs.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        assert.deepEqual(del.Failed ?? [], []);
      }
    };
    const consumers = [consumer(), consumer(), consumer(), consumer()];
    const ids = new Map<string, string>();
    for (let i = 0; i < TOTAL; i += 10) {
      const chunk = all.slice(i, i + 10);
      const first = await producer.send(new SendMessageBatchCommand({ QueueUrl, Entries: chunk.map(entry) }));
      assert.equal(first.Successful?.length, chunk.length);
      for (const e of first.Successful!) ids.set(e.Id!, e.MessageId!);
      // The same messages again, same deduplication ids: accepted, with the first MessageIds.
      const again = await producer.send(new SendMessageBatchCommand({ QueueUrl, Entries: chunk.map(entry) }));
      assert.deepEqual(
        again.Successful?.map((e) => e.MessageId),
        first.Successful?.map((e) => e.MessageId),
      );
    }
    producing = false;
    await Promise.all(consumers);

    assert.equal(delivered.length, TOTAL, 'each message delivered once');
    assert.equal(new Set(delivered).size, TOTAL);
    for (let g = 0; g < GROUPS; g++)
      assert.deepEqual(
        perGroup.get(`g${g}`),
        Array.from({ length: PER_GROUP }, (_, n) => n),
        `group g${g} in order`,
      );
    // Resent within the window after the originals were deleted: still nothing new.
    await producer.send(new SendMessageBatchCommand({ QueueUrl, Entries: all.slice(0, 10).map(entry) }));
    const late = await producer.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.equal(late.Messages, undefined);
    // A message made visible again goes back to its group's head.
    await producer.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'h:0',
        MessageGroupId: 'h',
        MessageDeduplicationId: 'h0',
      }),
    );
    await producer.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'h:1',
        MessageGroupId: 'h',
        MessageDeduplicationId: 'h1',
      }),
    );
    const h0 = await producer.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    assert.equal(h0.Messages?.[0]?.Body, 'h:0');
    await producer.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: h0.Messages![0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const h = await producer.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(
      h.Messages?.map((m) => m.Body),
      ['h:0', 'h:1'],
    );
  });
});
