import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler`;
/** `at()` wants local wall time without a zone: this is UTC. */
const atUtc = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What EventBridge and EventBridge Scheduler users rely on when the server dies: an acknowledged
 * PutEvents entry reaches its targets (the bus outbox is durable, delivery is at least once), and
 * a schedule's slot fires once (the fire ledger). Proven against `baton up` as a real process
 * killed with SIGKILL (no shutdown hook runs) and restarted on the same data directory.
 */
describe('events and schedules keep their promises across kill -9', () => {
  const servers: ServerProcess[] = [];
  const destroyables: { destroy(): void }[] = [];
  const start = async (dataDir?: string) => {
    const s = await startServerProcess(dataDir ? { dataDir } : {});
    servers.push(s);
    return s;
  };
  const clients = (s: ServerProcess) => {
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    const c = {
      eb: new EventBridgeClient(cfg),
      sqs: new SQSClient(cfg),
      scheduler: new SchedulerClient(cfg),
    };
    destroyables.push(c.eb, c.sqs, c.scheduler);
    return c;
  };
  // The SDK sends to the host of a QueueUrl, and a restarted server listens on a new port.
  const urlOf = (s: ServerProcess, name: string) => `${s.controlUrl}/${ACCOUNT}/${name}`;
  const kill9 = async (s: ServerProcess) => {
    const exited = new Promise((r) => s.proc.once('exit', r));
    s.proc.kill('SIGKILL');
    await exited;
  };
  /** Receives (hiding what it got for 5 minutes) until `done` says so or `ms` passed. */
  const collect = async (
    sqs: SQSClient,
    QueueUrl: string,
    done: (got: Message[]) => boolean,
    ms: number,
  ): Promise<Message[]> => {
    const got: Message[] = [];
    const deadline = Date.now() + ms;
    while (!done(got) && Date.now() < deadline) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
          WaitTimeSeconds: 1,
        }),
      );
      got.push(...(r.Messages ?? []));
    }
    return got;
  };
  /** Receives until a one-second long poll comes back empty. */
  const rest = async (sqs: SQSClient, QueueUrl: string): Promise<Message[]> => {
    const got: Message[] = [];
    for (;;) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
          WaitTimeSeconds: 1,
        }),
      );
      if (!r.Messages) return got;
      got.push(...r.Messages);
    }
  };
  const rule = async (eb: EventBridgeClient, name: string, source: string, target: string) => {
    await eb.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [source] }) }));
    const r = await eb.send(
      new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: queueArn(target) }] }),
    );
    assert.equal(r.FailedEntryCount, 0);
  };
  after(async () => {
    for (const c of destroyables) c.destroy();
    await Promise.all(
      servers.filter((s) => s.proc.exitCode === null && !s.proc.signalCode).map((s) => s.stop()),
    );
  });

  it('delivers events acknowledged before a kill -9 that came before their delivery', async () => {
    const a = await start();
    const { eb } = clients(a);
    // The target queue does not exist yet: every delivery fails and stays in the outbox, so the
    // kill lands after the 200 and before any delivery, deterministically.
    await rule(eb, 'to-late', 'reliability.late', 'late');
    const sent = Array.from({ length: 12 }, (_, i) => ({
      Source: 'reliability.late',
      DetailType: 'Order Placed',
      Detail: JSON.stringify({ n: i, text: `événement ${i}`, nested: { ok: true, list: [i, i * 2] } }),
      Resources: [`arn:aws:example:::thing/${i}`],
    }));
    const acked = new Map<string, (typeof sent)[number]>();
    for (const batch of [sent.slice(0, 5), sent.slice(5)]) {
      const r = await eb.send(new PutEventsCommand({ Entries: batch }));
      assert.equal(r.FailedEntryCount, 0);
      for (const [i, e] of r.Entries!.entries()) acked.set(e.EventId!, batch[i]!);
    }
    assert.equal(acked.size, sent.length);
    await kill9(a);

    const b = await start(a.dataDir);
    const { sqs } = clients(b);
    await sqs.send(new CreateQueueCommand({ QueueName: 'late' }));
    // Retries back off from 1 s doubling: the restart plus a couple of retries fit in 8 s.
    const got = await collect(sqs, urlOf(b, 'late'), (g) => g.length >= sent.length, 8_000);
    // Nothing was delivered before the kill, so one delivery each: no duplicates either.
    got.push(...(await rest(sqs, urlOf(b, 'late'))));
    const events = got.map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => e.id).sort(),
      [...acked.keys()].sort(),
      'every acknowledged event arrived, exactly once',
    );
    for (const e of events) {
      const entry = acked.get(e.id as string)!;
      assert.equal(e.source, entry.Source);
      assert.equal(e['detail-type'], entry.DetailType);
      assert.deepEqual(e.detail, JSON.parse(entry.Detail));
      assert.deepEqual(e.resources, entry.Resources);
      assert.equal(e.account, ACCOUNT);
      assert.equal(e.region, 'us-east-1');
    }
  });

  it('delivers every entry acknowledged in a stream of PutEvents cut by a kill -9', async (t) => {
    const a = await start();
    const { eb, sqs } = clients(a);
    await sqs.send(new CreateQueueCommand({ QueueName: 'stream' }));
    await rule(eb, 'to-stream', 'reliability.stream', 'stream');
    const acked = new Set<string>();
    const callOf = new Map<string, string>();
    let failures = 0;
    let killed = false;
    const sender = async (k: number) => {
      for (let i = 0; ; i++) {
        const call = `s${k}-c${i}`;
        const Entries = Array.from({ length: 10 }, (_, j) => ({
          Source: 'reliability.stream',
          DetailType: 'tick',
          Detail: JSON.stringify({ call, j }),
        }));
        try {
          const r = await eb.send(new PutEventsCommand({ Entries }));
          assert.equal(r.FailedEntryCount, 0);
          for (const e of r.Entries!) {
            acked.add(e.EventId!);
            callOf.set(e.EventId!, call);
          }
        } catch (e) {
          if (!killed) throw e;
          failures++;
          return;
        }
      }
    };
    const senders = Array.from({ length: 4 }, (_, k) => sender(k));
    const t0 = Date.now();
    while (acked.size < 1500 && Date.now() - t0 < 2500) await sleep(10);
    // Senders keep going until their next call fails: responses already on the wire still count.
    killed = true;
    await kill9(a);
    await Promise.all(senders);
    assert.ok(acked.size > 0);

    const b = await start(a.dataDir);
    const { sqs: sqs2 } = clients(b);
    const url = urlOf(b, 'stream');
    const seen = (g: Message[]) => {
      const ids = new Set(g.map((m) => (JSON.parse(m.Body!) as { id: string }).id));
      return [...acked].every((id) => ids.has(id));
    };
    const got = await collect(sqs2, url, seen, 8_000);
    // Then whatever else the outbox still sends (duplicates of deliveries cut by the kill).
    got.push(...(await rest(sqs2, url)));
    const events = got.map((m) => JSON.parse(m.Body!) as { id: string; detail: { call: string } });
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    const unacked = [...counts.keys()].filter((id) => !acked.has(id)).length;
    t.diagnostic(
      `${acked.size} acknowledged, ${counts.size} delivered (${unacked} from calls cut by the kill), ` +
        `${duplicates} delivered more than once (at least once), ${failures} calls cut`,
    );
    assert.deepEqual(
      [...acked].filter((id) => !counts.has(id)),
      [],
      'every acknowledged entry was delivered',
    );
    // Each event went where its call said it would.
    for (const e of events) if (acked.has(e.id)) assert.equal(e.detail.call, callOf.get(e.id));
    // A call's deliveries are stored in one transaction: unacknowledged calls arrive whole or not.
    const perCall = new Map<string, Set<string>>();
    for (const e of events) perCall.set(e.detail.call, (perCall.get(e.detail.call) ?? new Set()).add(e.id));
    assert.deepEqual(
      [...perCall].filter(([, ids]) => ids.size !== 10).map(([c]) => c),
      [],
    );
  });

  it('fires a one-time schedule once, and not again after a kill -9 right after it fired', async () => {
    const a = await start();
    const { sqs, scheduler } = clients(a);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'once' }));
    // at() has whole seconds: two to three seconds ahead. NONE keeps the schedule after it fired,
    // so only the fire ledger keeps the restarted loop from firing the slot again (it is well
    // within the default maximum event age, so the misfire policy alone would fire it).
    const fireAt = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'once',
        ScheduleExpression: atUtc(fireAt),
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'NONE',
        Target: { Arn: queueArn('once'), RoleArn: ROLE, Input: '{"slot":"once"}' },
      }),
    );
    const deadline = Date.now() + 8_000;
    for (;;) {
      const r = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      if (Number(r.Attributes?.ApproximateNumberOfMessages) > 0) break;
      assert.ok(Date.now() < deadline, 'the schedule fired');
      await sleep(20);
    }
    assert.ok(Date.now() >= fireAt - 50, 'not before its time');
    await kill9(a);

    const b = await start(a.dataDir);
    const { sqs: sqs2, scheduler: scheduler2 } = clients(b);
    const got = await scheduler2.send(new GetScheduleCommand({ Name: 'once' }));
    assert.equal(got.State, 'ENABLED', 'the schedule is still there to be evaluated');
    // The loop evaluates at start; give a second delivery time to show up.
    await sleep(1000);
    const received = await collect(sqs2, urlOf(b, 'once'), () => false, 1_000);
    assert.deepEqual(
      received.map((m) => m.Body),
      ['{"slot":"once"}'],
    );
  });
});
