import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { EventSourceMapping, StreamSourceSettings } from '../../src/registry/records.ts';
import type { InvokeResult } from '../../src/runtime/invoker.ts';
import type { StoredStreamRecord } from '../../src/services/tables/backend.ts';
import { StreamPollers } from '../../src/triggers/stream-poller.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-01T00:00:00.000';
const T0 = 1_800_000_000_000;

const record = (seq: number, at = T0): StoredStreamRecord => ({
  seq,
  streamArn: ARN,
  eventName: 'INSERT',
  keys: { pk: { S: `k${seq}` } },
  newImage: { pk: { S: `k${seq}` } },
  createdAt: at,
  sizeBytes: 10,
});

const mapping = (stream: Partial<StreamSourceSettings> = {}, extra: Partial<EventSourceMapping> = {}) =>
  ({
    uuid: 'm1',
    function: 'fn',
    qualifier: null,
    eventSourceArn: ARN,
    batchSize: 4,
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
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:failed',
      parallelizationFactor: 1,
      ...stream,
    },
    ...extra,
  }) satisfies EventSourceMapping;

/** A stream, a function that fails on some keys, and everything the readers did. */
function harness(opts: { fail?: (seqs: number[]) => string | undefined; records: StoredStreamRecord[] }) {
  const clock = new ManualClock(T0);
  const checkpoints = new Map<string, number>();
  const invocations: number[][] = [];
  const sent: { arn: string; body: Record<string, unknown> }[] = [];
  const pollers = new StreamPollers({
    records: async (_arn, after, limit) => opts.records.filter((r) => r.seq > after).slice(0, limit),
    stream: async () => ({ viewType: 'NEW_IMAGE', createdAt: T0 }),
    checkpoints: {
      get: async (id) => checkpoints.get(id),
      set: async (id, seq) => {
        checkpoints.set(id, seq);
      },
      delete: async (id) => {
        checkpoints.delete(id);
      },
    },
    clock,
    region: 'us-east-1',
    resolve: (name) => ({ name }) as never,
    run: async (_t, event) => {
      const seqs = (event as { Records: { dynamodb: { SequenceNumber: string } }[] }).Records.map((r) =>
        Number(r.dynamodb.SequenceNumber),
      );
      invocations.push(seqs);
      const payload = opts.fail?.(seqs);
      const failed = payload?.startsWith('{"errorType"') === true;
      return {
        requestId: 'r',
        payload: payload ?? 'null',
        ...(failed ? { functionError: 'Unhandled' as const } : {}),
        executedVersion: '$LATEST',
        durationMs: 1,
        cold: false,
        log: {} as InvokeResult['log'],
      };
    },
    send: async (arn, payload) => {
      sent.push({ arn, body: JSON.parse(payload) as Record<string, unknown> });
      return true;
    },
    functionArn: (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    warn: () => undefined,
    idlePollMs: 1000,
  });
  /** Lets the readers run (microtasks), advancing the clock by `ms` in small steps. */
  const run = async (ms: number) => {
    for (let t = 0; t <= ms; t += 100) {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      clock.advance(100);
    }
  };
  return { pollers, clock, checkpoints, invocations, sent, run };
}

const ERROR = '{"errorType":"Error","errorMessage":"boom"}';

describe('stream event source mappings', () => {
  it('delivers records in order, in batches of BatchSize, and checkpoints each', async () => {
    const h = harness({ records: [1, 2, 3, 4, 5, 6].map((n) => record(n)) });
    h.pollers.sync(mapping(), false);
    await h.run(500);
    assert.deepEqual(h.invocations, [
      [1, 2, 3, 4],
      [5, 6],
    ]);
    assert.equal(h.checkpoints.get('m1'), 6);
    await h.pollers.close();
  });

  it('resumes after its checkpoint, and starts after startAfter without one (LATEST)', async () => {
    const h = harness({ records: [1, 2, 3, 4, 5].map((n) => record(n)) });
    h.checkpoints.set('m1', 3);
    h.pollers.sync(mapping(), false);
    await h.run(300);
    assert.deepEqual(h.invocations, [[4, 5]]);
    await h.pollers.close();
    const fresh = harness({ records: [1, 2, 3].map((n) => record(n)) });
    fresh.pollers.sync(mapping({ startingPosition: 'LATEST', startAfter: 2 }), false);
    await fresh.run(300);
    assert.deepEqual(fresh.invocations, [[3]]);
    await fresh.pollers.close();
  });

  it('retries a failing batch, then sends its description to the on-failure destination', async () => {
    const h = harness({
      records: [1, 2, 3].map((n) => record(n)),
      fail: (seqs) => (seqs.includes(2) ? ERROR : undefined),
    });
    h.pollers.sync(mapping({ maximumRetryAttempts: 2 }), false);
    await h.run(10_000);
    assert.deepEqual(h.invocations, [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    assert.equal(h.sent.length, 1);
    const info = h.sent[0]!.body.DDBStreamBatchInfo as Record<string, unknown>;
    assert.equal(h.sent[0]!.arn, 'arn:aws:sqs:us-east-1:000000000000:failed');
    assert.equal(
      (h.sent[0]!.body.requestContext as Record<string, unknown>).condition,
      'RetryAttemptsExhausted',
    );
    assert.equal(info.startSequenceNumber, '000000000000000000001');
    assert.equal(info.endSequenceNumber, '000000000000000000003');
    assert.equal(info.batchSize, 3);
    assert.equal(h.checkpoints.get('m1'), 3, 'the reader moves past a discarded batch');
    await h.pollers.close();
  });

  it('bisects a failing batch until the poison record stands alone', async () => {
    const h = harness({
      records: [1, 2, 3, 4].map((n) => record(n)),
      fail: (seqs) => (seqs.includes(3) ? ERROR : undefined),
    });
    h.pollers.sync(mapping({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 3 }), false);
    await h.run(20_000);
    assert.deepEqual(h.invocations.slice(0, 3), [
      [1, 2, 3, 4],
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(h.invocations[3], [3]);
    assert.ok(
      h.invocations.some((b) => b.length === 1 && b[0] === 4),
      'the record after it still runs',
    );
    assert.equal(h.sent.length, 1);
    const info = h.sent[0]!.body.DDBStreamBatchInfo as Record<string, unknown>;
    assert.equal(info.startSequenceNumber, '000000000000000000003');
    assert.equal(info.batchSize, 1);
    assert.equal(h.checkpoints.get('m1'), 4);
    await h.pollers.close();
  });

  it('with ReportBatchItemFailures, retries from the first failed record', async () => {
    let calls = 0;
    const h = harness({
      records: [1, 2, 3, 4].map((n) => record(n)),
      fail: (seqs) =>
        calls++ === 0 && seqs.includes(3)
          ? JSON.stringify({ batchItemFailures: [{ itemIdentifier: '000000000000000000003' }] })
          : undefined,
    });
    h.pollers.sync(mapping({}, { reportBatchItemFailures: true }), false);
    await h.run(5000);
    assert.deepEqual(h.invocations, [
      [1, 2, 3, 4],
      [3, 4],
    ]);
    assert.equal(h.sent.length, 0);
    assert.equal(h.checkpoints.get('m1'), 4);
    await h.pollers.close();
  });

  it('discards records older than MaximumRecordAgeInSeconds without invoking', async () => {
    const h = harness({ records: [record(1, T0 - 120_000), record(2, T0 - 120_000)] });
    h.pollers.sync(mapping({ maximumRecordAgeSeconds: 60 }), false);
    await h.run(300);
    assert.deepEqual(h.invocations, []);
    assert.equal((h.sent[0]!.body.requestContext as Record<string, unknown>).condition, 'RecordAgeExceeded');
    assert.equal(h.checkpoints.get('m1'), 2);
    await h.pollers.close();
  });

  it('stops reading when the mapping is disabled, and forgets its checkpoint when deleted', async () => {
    const h = harness({ records: [record(1)] });
    h.pollers.sync(mapping(), false);
    await h.run(200);
    h.pollers.sync(mapping({}, { enabled: false }), false);
    assert.equal(h.checkpoints.get('m1'), 1);
    h.pollers.sync(mapping(), true);
    await h.run(100);
    assert.equal(h.checkpoints.has('m1'), false);
    await h.pollers.close();
  });
});
