import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { sqliteSchedules } from '../../../src/backends/sqlite/schedules.ts';
import { sqliteTables } from '../../../src/backends/sqlite/tables.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { composeTables } from '../../../src/server/compose-tables.ts';
import { arnSender } from '../../../src/services/arn-sender.ts';
import { scheduleDeliverer } from '../../../src/services/scheduler/deliver.ts';
import { ScheduleLoop } from '../../../src/services/scheduler/loop.ts';
import { SchedulerService } from '../../../src/services/scheduler/service.ts';
import { scheduleTracer, streamTracer, TraceMemo } from '../../../src/telemetry/traces/hop-tracers.ts';
import { parseAmznTraceId } from '../../../src/telemetry/traces/trace-header.ts';
import {
  ACCOUNT,
  CALLER,
  freshDb,
  HEADER,
  HEADER_B,
  lambdaArn,
  platform,
  queueArn,
  T0,
  TRACE,
  target,
  until,
} from '../../helpers/hops.ts';

/** Schedule fires start traces; a traced table write's stream records carry its trace on. */
describe('trace context through schedules and table streams', () => {
  it('a schedule fire is a new trace: the span parents the Lambda invocation and the SQS message', async () => {
    const clock = new ManualClock(T0);
    const db = freshDb();
    const p = await platform(db, clock);
    const schedules = sqliteSchedules(db);
    const loop: ScheduleLoop = new ScheduleLoop({
      backend: schedules,
      clock,
      deliver: scheduleDeliverer(arnSender(p.senders), () => clock.now()),
      deleteSchedule: (g, n) => service.deleteRecord(g, n),
      warn: () => {},
      trace: scheduleTracer(p.tracing),
    });
    const service: SchedulerService = await SchedulerService.open({
      backend: schedules,
      clock,
      region: 'us-east-1',
      accountId: ACCOUNT,
      onChange: (g, n, r) => void loop.sync(g, n, r),
    });
    await loop.start([]);
    await p.queues.createQueue({ QueueName: 'ticks' });
    const body = (arn: string) => ({
      ScheduleExpression: 'cron(* * * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: arn, RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler` },
    });
    await service.createSchedule('to-fn', body(lambdaArn('tick')));
    await service.createSchedule('to-queue', body(queueArn('ticks')));
    await loop.idle();
    clock.advance(30_000);
    await loop.idle();
    await until(() => p.runs.length === 1, 'the scheduled invocation');
    const message = parseAmznTraceId(await p.traceOfMessage('ticks'));

    const fire = (name: string) => p.span((s) => s.name === `schedule default/${name}`, name);
    for (const name of ['to-fn', 'to-queue']) {
      assert.equal(fire(name).parentSpanContext, undefined, `${name}: a root span`);
      assert.equal(fire(name).attributes['faas.time'], '2026-01-05T12:01:00.000Z');
    }
    assert.notEqual(fire('to-fn').spanContext().traceId, fire('to-queue').spanContext().traceId);
    assert.equal(message?.spanId, fire('to-queue').spanContext().spanId);
    const run = p.span((s) => s.name === 'tick', 'the invocation');
    const enqueue = p.span((s) => s.name === 'tick enqueue', 'the async hop');
    assert.equal(p.parentOf(enqueue), fire('to-fn').spanContext().spanId);
    assert.equal(p.parentOf(run), enqueue.spanContext().spanId);
    assert.equal(run.spanContext().traceId, fire('to-fn').spanContext().traceId);
    loop.close();
    p.dispatcher.close();
  });

  it('a traced table write: the stream-triggered invocation continues its trace', async () => {
    const clock = new ManualClock(T0);
    const db = freshDb();
    const p = await platform(db, clock);
    const tables = composeTables({
      backend: sqliteTables(db),
      clock,
      region: 'us-east-1',
      accountId: ACCOUNT,
      log: pino({ level: 'silent' }),
      resolve: (name) => target(name),
      run: (t, event, trace) => p.invoke(t, event, 'rid', trace),
      send: async () => true,
      functionArn: (name) => lambdaArn(name),
      trace: streamTracer(),
    });
    const ops = tables.apis.DynamoDB_20120810!;
    const created = await ops.CreateTable!({
      TableName: 'orders',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
    const streamArn = (created.TableDescription as { LatestStreamArn: string }).LatestStreamArn;
    tables.pollers.sync(
      {
        uuid: 'm1',
        function: 'changes',
        qualifier: null,
        eventSourceArn: streamArn,
        batchSize: 1,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        maximumConcurrency: null,
        enabled: true,
        app: null,
        lastModified: T0,
        stream: {
          startingPosition: 'TRIM_HORIZON',
          startAfter: 0,
          bisectBatchOnFunctionError: false,
          maximumRetryAttempts: -1,
          maximumRecordAgeSeconds: -1,
          onFailure: null,
          parallelizationFactor: 1,
        },
      },
      false,
    );
    const item = (pk: string) => ({ pk: { S: pk } });
    await ops.PutItem!({ TableName: 'orders', Item: item('a') }, HEADER);
    await until(() => p.runs.length === 1, 'the first batch');
    await ops.PutItem!({ TableName: 'orders', Item: item('b') });
    await until(() => p.runs.length === 2, 'the untraced write');
    await ops.BatchWriteItem!({ RequestItems: { orders: [{ PutRequest: { Item: item('c') } }] } }, HEADER_B);
    await until(() => p.runs.length === 3, 'the batch write');
    await ops.UpdateItem!(
      {
        TableName: 'orders',
        Key: item('a'),
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      },
      HEADER_B,
    );
    await until(() => p.runs.length === 4, 'the update');

    assert.deepEqual(
      p.runs.map((r) => r.trace),
      [HEADER, undefined, HEADER_B, HEADER_B],
    );
    const traced = p.spans().filter((s) => s.name === 'changes' && s.spanContext().traceId === TRACE);
    assert.equal(traced.length, 1);
    assert.equal(p.parentOf(traced[0]!), CALLER, 'the invocation hangs under the write call');
    await tables.close();
  });

  it('keeps at most its bound of trace headers, forgetting the oldest', () => {
    const memo = new TraceMemo(2);
    memo.set('a', 'A');
    memo.set('b', 'B');
    memo.set('c', 'C');
    assert.equal(memo.size, 2);
    assert.equal(memo.get('a'), undefined);
    assert.equal(memo.get('c'), 'C');
  });
});
