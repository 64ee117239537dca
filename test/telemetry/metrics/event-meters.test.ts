import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { memoryRegistry } from '../../../src/backends/memory/registry.ts';
import { sqliteAsyncEvents } from '../../../src/backends/sqlite/async-events.ts';
import { sqliteBus } from '../../../src/backends/sqlite/bus.ts';
import { openSqlite } from '../../../src/backends/sqlite/database.ts';
import { sqliteQueues } from '../../../src/backends/sqlite/queues.ts';
import { sqliteTopics } from '../../../src/backends/sqlite/topics.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { FunctionRecord } from '../../../src/core/function-spec.ts';
import { gatewayServer } from '../../../src/gateway/index.ts';
import { Registry as FunctionRegistry } from '../../../src/registry/registry.ts';
import { resolveTarget } from '../../../src/registry/resolve.ts';
import { AsyncDispatcher } from '../../../src/runtime/async/dispatcher.ts';
import type { InvokeResult } from '../../../src/runtime/invoker.ts';
import type { BusDelivery } from '../../../src/services/bus/backend.ts';
import { BusDeliverer } from '../../../src/services/bus/deliverer.ts';
import { QueueService } from '../../../src/services/queues/service.ts';
import { TopicDeliverer } from '../../../src/services/topics/deliverer.ts';
import { TopicService } from '../../../src/services/topics/service.ts';
import { loadSigningIdentity, MessageSigner } from '../../../src/services/topics/signing.ts';
import { defineFamilies } from '../../../src/telemetry/metrics/definitions.ts';
import {
  AsyncMeter,
  busMeter,
  gatewayMeter,
  topicMeter,
} from '../../../src/telemetry/metrics/event-meters.ts';
import { record } from '../../contract/registry.contract.ts';
import { parseExposition, sampleValue } from '../../helpers/prometheus.ts';

const ACCOUNT = '000000000000';
const identity = { region: 'us-east-1', accountId: ACCOUNT, endpointUrl: '' };

function families() {
  const registry = new Registry();
  return { f: defineFamilies(registry), read: async () => parseExposition(await registry.metrics()) };
}

/** Lets promise chains started by timers or pumps settle. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

describe('event metrics recorded where the numbers already are', () => {
  it('async invocations: received, age at each attempt, drops and destinations', async () => {
    const { f, read } = families();
    const clock = new ManualClock();
    const registry = await FunctionRegistry.open(memoryRegistry());
    await registry.put(record('work', { app: null }));
    await registry.put(
      record('dead', { app: null, deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:unreachable` }),
    );
    const config = { qualifier: '$LATEST', maximumEventAgeSeconds: null, onSuccess: null, lastModified: 0 };
    await registry.putInvokeConfig({
      ...config,
      function: 'work',
      maximumRetryAttempts: 1,
      onFailure: `arn:aws:sqs:us-east-1:${ACCOUNT}:failures`,
    });
    await registry.putInvokeConfig({ ...config, function: 'dead', maximumRetryAttempts: 0, onFailure: null });
    const dispatcher = new AsyncDispatcher({
      backend: sqliteAsyncEvents(openSqlite(':memory:')),
      registry,
      clock,
      resolve: (n, q) => resolveTarget(registry, identity, n, q),
      run: async (target, event, requestId): Promise<InvokeResult> => {
        const fail = (event as { fail?: boolean }).fail === true;
        const log = {
          requestId,
          version: '$LATEST',
          lines: [],
          durationMs: 1,
          memorySizeMB: 128,
          maxMemoryUsedMB: 1,
        };
        return {
          requestId,
          payload: fail ? '{"errorType":"Error","errorMessage":"no"}' : '{}',
          functionError: fail ? 'Unhandled' : undefined,
          executedVersion: target.version,
          durationMs: 1,
          cold: false,
          log,
        };
      },
      deliver: async (arn) => arn.endsWith(':failures'),
      warn: () => undefined,
      observe: new AsyncMeter(f),
    });
    await dispatcher.start();
    await dispatcher.enqueue('work', undefined, '{}');
    await dispatcher.enqueue('work', undefined, '{"fail":true}');
    await dispatcher.enqueue('dead', undefined, '{"fail":true}');
    await settle();
    clock.advance(60_000); // the failed event's one retry
    // A timer that fell due during `advance` may arm the next one at the new time: let it fire.
    await settle();
    clock.advance(0);
    await settle();
    await dispatcher.idle();
    dispatcher.close();

    const s = await read();
    const work = { function: 'work' };
    assert.equal(sampleValue(s, 'baton_function_async_events_received_total', work), 2);
    assert.equal(sampleValue(s, 'baton_function_async_event_age_seconds_count', work), 3);
    assert.equal(
      sampleValue(s, 'baton_function_async_event_age_seconds_bucket', { ...work, le: '0.005' }),
      2,
    );
    assert.equal(
      sampleValue(s, 'baton_function_async_event_age_seconds_sum', work),
      60,
      'the retry ran at 60 s',
    );
    assert.equal(
      sampleValue(s, 'baton_function_async_events_dropped_total', { ...work, reason: 'RetriesExhausted' }),
      1,
    );
    assert.equal(
      sampleValue(s, 'baton_function_destination_deliveries_total', { ...work, destination: 'OnFailure' }),
      1,
    );
    const dead = { function: 'dead' };
    assert.equal(
      sampleValue(s, 'baton_function_async_events_dropped_total', { ...dead, reason: 'RetriesExhausted' }),
      1,
    );
    assert.equal(
      sampleValue(s, 'baton_function_destination_delivery_failures_total', {
        ...dead,
        destination: 'DeadLetter',
      }),
      1,
      'the dead-letter queue could not be reached: the event is parked',
    );
  });

  it('topics: queue deliveries in the publish’s transaction, function deliveries from the outbox', async () => {
    const { f, read } = families();
    const clock = new ManualClock();
    const db = openSqlite(':memory:');
    const opts = { accountId: ACCOUNT, region: 'us-east-1', endpoint: () => 'http://127.0.0.1:4748' };
    const queues = new QueueService(sqliteQueues(db), clock, opts);
    const backend = sqliteTopics(db);
    const observe = topicMeter(f);
    const invoked: string[] = [];
    const deliverer = new TopicDeliverer({
      backend,
      clock,
      subscription: (id) => topics.subscription(id),
      queues,
      invoke: async (fn) => {
        invoked.push(fn);
      },
      warn: () => undefined,
      observe,
    });
    const signing = await loadSigningIdentity(mkdtempSync(join(tmpdir(), 'baton-sign-')), clock.now());
    const signer = new MessageSigner(signing, opts.endpoint);
    const topics: TopicService = new TopicService({
      backend,
      clock,
      queues,
      signer,
      ...opts,
      queuesInTransaction: true,
      wake: () => deliverer.wake(),
      warn: () => undefined,
      observe,
    });
    await deliverer.start();
    await queues.catalog.createQueue({ QueueName: 'inbox' });
    await topics.createTopic({ Name: 'news' });
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:news`;
    for (const [Protocol, Endpoint] of [
      ['sqs', `arn:aws:sqs:us-east-1:${ACCOUNT}:inbox`],
      ['sqs', `arn:aws:sqs:us-east-1:${ACCOUNT}:missing`],
      ['lambda', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`],
    ])
      await topics.subscribe({ TopicArn: topicArn, Protocol, Endpoint });
    await topics.publish({ TopicArn: topicArn, Message: 'one' });
    await topics.publish({ TopicArn: topicArn, Message: 'two' });
    for (let i = 0; i < 50 && invoked.length < 2; i++) await settle();
    await deliverer.idle();
    deliverer.close();
    assert.deepEqual(invoked, ['worker', 'worker']);
    const s = await read();
    assert.equal(sampleValue(s, 'baton_topic_deliveries_total', { topic: 'news', protocol: 'sqs' }), 2);
    assert.equal(sampleValue(s, 'baton_topic_deliveries_total', { topic: 'news', protocol: 'lambda' }), 2);
    assert.equal(
      sampleValue(s, 'baton_topic_delivery_failures_total', { topic: 'news', protocol: 'sqs' }),
      2,
      'the missing queue refused both, and the subscription has no dead-letter queue',
    );
  });

  it('buses: deliveries and failures by bus and rule', async () => {
    const { f, read } = families();
    const clock = new ManualClock();
    const backend = sqliteBus(openSqlite(':memory:'));
    const deliverer = new BusDeliverer({
      backend,
      clock,
      send: async (d) => {
        if (d.rule === 'bad') throw new Error('target down');
      },
      deadLetter: async () => undefined,
      warn: () => undefined,
      observe: busMeter(f),
    });
    const delivery = (id: string, rule: string): BusDelivery => ({
      id,
      bus: 'orders',
      rule,
      ruleArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/${rule}`,
      targetId: 't',
      targetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      event: '{}',
      payload: '{}',
      maxRetries: 0,
      maxAgeMs: 60_000,
      createdAt: clock.now(),
      dueAt: clock.now(),
      attempts: 0,
    });
    await backend.addDeliveries([delivery('a', 'good'), delivery('b', 'good'), delivery('c', 'bad')]);
    await deliverer.start();
    clock.advance(0);
    await settle();
    await deliverer.idle();
    deliverer.close();
    const s = await read();
    assert.equal(sampleValue(s, 'baton_bus_deliveries_total', { bus: 'orders', rule: 'good' }), 2);
    assert.equal(sampleValue(s, 'baton_bus_delivery_failures_total', { bus: 'orders', rule: 'bad' }), 1);
    assert.equal(sampleValue(s, 'baton_bus_deliveries_total', { bus: 'orders', rule: 'bad' }), undefined);
  });

  describe('gateway requests by route and status, with latency on the injected clock', () => {
    const { f, read } = families();
    const clock = new ManualClock();
    const fn: FunctionRecord = record('hello', { routes: [{ route: 'GET /hello', payload: '2.0' }] });
    const { server } = gatewayServer({
      routes: { list: () => [fn], onChange: () => undefined },
      invoke: async () => {
        clock.advance(30);
        return { payload: JSON.stringify({ statusCode: 201, body: 'hi' }) };
      },
      clock,
      log: pino({ level: 'silent' }),
      api: { accountId: ACCOUNT, apiId: 'abcdefghij' },
      observe: gatewayMeter(f),
    });
    after(() => server.close());

    it('counts each answered request', async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ['/hello', '/hello', '/nowhere']) await (await fetch(base + path)).arrayBuffer();
      const s = await read();
      assert.equal(sampleValue(s, 'baton_gateway_requests_total', { route: 'GET /hello', status: '201' }), 2);
      assert.equal(sampleValue(s, 'baton_gateway_requests_total', { route: '(none)', status: '404' }), 1);
      assert.equal(
        sampleValue(s, 'baton_gateway_request_duration_seconds_count', { route: 'GET /hello' }),
        2,
      );
      assert.ok(
        Math.abs(
          sampleValue(s, 'baton_gateway_request_duration_seconds_sum', { route: 'GET /hello' })! - 0.06,
        ) < 1e-9,
      );
      assert.equal(
        sampleValue(s, 'baton_gateway_request_duration_seconds_bucket', { route: 'GET /hello', le: '0.025' }),
        0,
      );
      assert.equal(
        sampleValue(s, 'baton_gateway_request_duration_seconds_bucket', { route: 'GET /hello', le: '0.05' }),
        2,
      );
    });
  });
});
