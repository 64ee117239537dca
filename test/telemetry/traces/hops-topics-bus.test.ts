import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sqliteBus } from '../../../src/backends/sqlite/bus.ts';
import { sqliteTopics } from '../../../src/backends/sqlite/topics.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { BusDeliverer } from '../../../src/services/bus/deliverer.ts';
import { deadLetterSender, targetSender } from '../../../src/services/bus/senders.ts';
import { BusService } from '../../../src/services/bus/service.ts';
import { TopicDeliverer } from '../../../src/services/topics/deliverer.ts';
import { TopicService } from '../../../src/services/topics/service.ts';
import { loadSigningIdentity, MessageSigner } from '../../../src/services/topics/signing.ts';
import { busTracer, topicTracer } from '../../../src/telemetry/traces/hop-tracers.ts';
import { parseAmznTraceId } from '../../../src/telemetry/traces/trace-header.ts';
import {
  ACCOUNT,
  CALLER,
  ENTRY_SPAN,
  freshDb,
  HEADER,
  HEADER_B,
  lambdaArn,
  platform,
  queueArn,
  T0,
  TRACE,
  TRACE_B,
  until,
} from '../../helpers/hops.ts';

/** Trace context from a publish to every subscription, and from a PutEvents entry to every target. */
describe('trace context through topics and buses', () => {
  it('a traced publish: the SQS message carries it as AWSTraceHeader, the Lambda and HTTP deliveries continue it', async () => {
    const clock = new ManualClock(T0);
    const db = freshDb();
    const p = await platform(db, clock);
    const backend = sqliteTopics(db);
    const tracer = topicTracer(p.tracing);
    const posts: { type: string; headers: Record<string, string>; body: string }[] = [];
    const signer = new MessageSigner(
      await loadSigningIdentity(mkdtempSync(join(tmpdir(), 'baton-sign-')), T0),
      () => 'http://127.0.0.1:4748',
    );
    const topics: TopicService = new TopicService({
      backend,
      clock,
      queues: p.queues,
      signer,
      accountId: ACCOUNT,
      region: 'us-east-1',
      endpoint: () => 'http://127.0.0.1:4748',
      queuesInTransaction: true,
      wake: () => deliverer.wake(),
      warn: () => {},
      trace: tracer,
    });
    const deliverer = new TopicDeliverer({
      backend,
      clock,
      subscription: (id) => topics.subscription(id),
      queues: p.queues,
      invoke: (fn, q, event, trace) => p.dispatcher.enqueue(fn, q, event, trace),
      post: async (d) => {
        posts.push({ type: d.type, headers: d.headers, body: d.body });
        return { status: 200 };
      },
      warn: () => {},
      trace: tracer,
    });
    await deliverer.start();
    await p.queues.createQueue({ QueueName: 'audit' });
    const TopicArn = String((await topics.createTopic({ Name: 'orders' })).TopicArn);
    await topics.subscribe({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('audit') });
    await topics.subscribe({ TopicArn, Protocol: 'lambda', Endpoint: lambdaArn('notify') });
    await topics.subscribe({ TopicArn, Protocol: 'http', Endpoint: 'http://hooks.example/in' });
    await until(() => posts.length === 1, 'the confirmation');
    assert.equal(posts[0]!.headers['x-amzn-trace-id'], undefined, 'a confirmation is not traced');
    await topics.confirmSubscription({ TopicArn, Token: JSON.parse(posts[0]!.body).Token }, true);

    await topics.publish({ TopicArn, Message: 'traced' }, HEADER);
    const sqsHeader = parseAmznTraceId(await p.traceOfMessage('audit'));
    await until(() => p.runs.length === 1 && posts.length === 2, 'the Lambda and HTTP deliveries');

    const delivery = (protocol: string) =>
      p.span(
        (s) => s.name === 'orders deliver' && s.attributes['baton.subscription.protocol'] === protocol,
        `the ${protocol} delivery span`,
      );
    for (const protocol of ['sqs', 'lambda', 'http']) {
      const d = delivery(protocol);
      assert.equal(d.spanContext().traceId, TRACE, protocol);
      assert.equal(p.parentOf(d), CALLER, `${protocol}: a child of the publish`);
      assert.equal(d.kind, 3, 'PRODUCER');
    }
    assert.equal(sqsHeader?.traceId, TRACE);
    assert.equal(sqsHeader?.spanId, delivery('sqs').spanContext().spanId);
    const httpHeader = parseAmznTraceId(posts[1]!.headers['x-amzn-trace-id']);
    assert.equal(httpHeader?.spanId, delivery('http').spanContext().spanId);
    // publish → deliver → notify enqueue → notify, all in the caller's trace.
    const run = p.span((s) => s.name === 'notify', 'the invocation');
    const enqueue = p.span((s) => s.name === 'notify enqueue', 'the async hop');
    assert.equal(run.spanContext().traceId, TRACE);
    assert.equal(p.parentOf(run), enqueue.spanContext().spanId);
    assert.equal(p.parentOf(enqueue), delivery('lambda').spanContext().spanId);

    // An untraced publish carries nothing: the async hop starts a trace of its own, as any Event
    // invoke's does, and no delivery span is made.
    await topics.publish({ TopicArn, Message: 'plain' });
    assert.equal(await p.traceOfMessage('audit'), undefined);
    await until(() => p.runs.length === 2 && posts.length === 3, 'the untraced deliveries');
    assert.equal(posts[2]!.headers['x-amzn-trace-id'], undefined);
    const own = parseAmznTraceId(p.runs[1]!.trace)!;
    assert.notEqual(own.traceId, TRACE);
    const ownHop = p.span(
      (s) => s.name === 'notify enqueue' && s.spanContext().traceId === own.traceId,
      'hop',
    );
    assert.equal(ownHop.parentSpanContext, undefined);
    assert.equal(p.spans().filter((s) => s.name === 'orders deliver').length, 3);
    deliverer.close();
    p.dispatcher.close();
  });

  it('PutEvents: an entry TraceHeader (else the request header) reaches Lambda and SQS targets', async () => {
    const clock = new ManualClock(T0);
    const db = freshDb();
    const p = await platform(db, clock);
    const tracer = busTracer(p.tracing);
    const backend = sqliteBus(db);
    const deliverer = new BusDeliverer({
      backend,
      clock,
      send: targetSender(p.senders),
      deadLetter: deadLetterSender(p.queues),
      warn: () => {},
      trace: tracer,
    });
    const bus = new BusService({
      backend,
      clock,
      accountId: ACCOUNT,
      region: 'us-east-1',
      wake: () => deliverer.wake(),
      trace: tracer,
    });
    await deliverer.start();
    await p.queues.createQueue({ QueueName: 'events' });
    await bus.putRule({ Name: 'shop', EventPattern: '{"source":["shop"]}' });
    await bus.putTargets({
      Rule: 'shop',
      Targets: [
        { Id: 'fn', Arn: lambdaArn('audit') },
        { Id: 'q', Arn: queueArn('events') },
      ],
    });
    const entry = (n: number, extra: Record<string, unknown> = {}) => ({
      Source: 'shop',
      DetailType: 'Order',
      Detail: JSON.stringify({ n }),
      ...extra,
    });
    // One entry at a time, so each queue message is known by its order.
    const put = async (e: Record<string, unknown>, trace?: string) => {
      const out = await bus.putEvents({ Entries: [e] }, trace);
      assert.equal(out.FailedEntryCount, 0);
      const runs = p.runs.length;
      clock.advance(0);
      await until(() => p.runs.length === runs + 1, 'the Lambda target');
      return { run: p.runs.at(-1)!, message: await p.traceOfMessage('events') };
    };
    const own = await put(entry(1, { TraceHeader: HEADER_B }), HEADER);
    const fromRequest = await put(entry(2), HEADER);
    const invalid = await put(entry(3, { TraceHeader: 'Root=nonsense' }), HEADER);
    const untraced = await put(entry(4));

    const deliveries = (traceId: string, targetArn: string) =>
      p
        .spans()
        .filter(
          (s) =>
            s.name === 'default/shop deliver' &&
            s.spanContext().traceId === traceId &&
            s.attributes['baton.target'] === targetArn,
        );
    for (const [header, traceId, parent] of [
      [own, TRACE_B, ENTRY_SPAN],
      [fromRequest, TRACE, CALLER],
    ] as const) {
      const [toFn] = deliveries(traceId, lambdaArn('audit'));
      const [toQueue] = deliveries(traceId, queueArn('events'));
      assert.ok(toFn && toQueue, `both targets' deliveries in ${traceId}`);
      assert.equal(p.parentOf(toFn), parent);
      assert.equal(p.parentOf(toQueue), parent);
      assert.equal(parseAmznTraceId(header.message)?.spanId, toQueue.spanContext().spanId);
      const enqueue = p.span(
        (s) => s.name === 'audit enqueue' && p.parentOf(s) === toFn.spanContext().spanId,
        'the enqueue under the Lambda delivery',
      );
      assert.equal(parseAmznTraceId(header.run.trace)?.traceId, traceId);
      const run = p.span((s) => s.name === 'audit' && s.spanContext().traceId === traceId, 'the run');
      assert.equal(p.parentOf(run), enqueue.spanContext().spanId);
    }
    // An invalid TraceHeader is dropped (it still overrides the request's), as X-Ray drops it: no
    // AWSTraceHeader, no delivery span, and the Lambda target's async hop starts a trace of its own.
    for (const { message, run } of [invalid, untraced]) {
      assert.equal(message, undefined);
      assert.ok(![TRACE, TRACE_B].includes(parseAmznTraceId(run.trace)!.traceId));
    }
    assert.equal(p.spans().filter((s) => s.name === 'default/shop deliver').length, 4);
    deliverer.close();
    p.dispatcher.close();
  });
});
