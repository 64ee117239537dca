import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { memoryRegistry } from '../../src/backends/memory/registry.ts';
import { sqliteAsyncEvents } from '../../src/backends/sqlite/async-events.ts';
import { openSqlite } from '../../src/backends/sqlite/database.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { BatonError } from '../../src/core/errors.ts';
import { Registry } from '../../src/registry/registry.ts';
import { resolveTarget } from '../../src/registry/resolve.ts';
import { AsyncDispatcher } from '../../src/runtime/async/dispatcher.ts';
import { retryDelayMs, throttleDelayMs } from '../../src/runtime/async/policy.ts';
import type { InvokeResult } from '../../src/runtime/invoker.ts';
import { record } from '../contract/registry.contract.ts';

const identity = { region: 'us-east-1', accountId: '000000000000', endpointUrl: '' };
const T0 = Date.UTC(2026, 10, 26, 12);

type Outcome = 'ok' | 'error' | 'throttle';

/** What a destination receives (AWS's invocation record). */
interface DestinationRecord {
  version: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: Record<string, unknown>;
  responsePayload?: { errorMessage?: string; done?: number };
}

/**
 * The dispatcher over a real SQLite queue and a ManualClock. `script` says how each attempt of
 * each function ends; every attempt is recorded with the clock's time.
 */
async function setup(script: Record<string, Outcome[]>, file?: string, traced = false) {
  const clock = new ManualClock(T0);
  const dbFile = file ?? join(mkdtempSync(join(tmpdir(), 'baton-async-')), 'baton.db');
  const db = openSqlite(dbFile);
  const registry = await Registry.open(memoryRegistry());
  for (const name of ['work', 'sink', 'dead'])
    await registry.put(
      record(name, {
        app: null,
        deadLetterTargetArn: name === 'dead' ? 'arn:aws:sqs:us-east-1:000000000000:dlq' : undefined,
      }),
    );
  const attempts: { fn: string; at: number; event: unknown; id: string; trace?: string }[] = [];
  const delivered: { arn: string; payload: unknown; trace?: string }[] = [];
  const backend = sqliteAsyncEvents(db);
  const dispatcher = new AsyncDispatcher({
    backend,
    registry,
    clock,
    resolve: (n, q) => resolveTarget(registry, identity, n, q),
    run: async (target, event, requestId, trace): Promise<InvokeResult> => {
      const fn = target.record.name;
      attempts.push({ fn, at: clock.now() - T0, event, id: requestId, ...(trace ? { trace } : {}) });
      const n = attempts.filter((a) => a.fn === fn).length;
      const outcome = script[fn]?.[n - 1] ?? 'ok';
      if (outcome === 'throttle') throw new BatonError('ThrottledFunction', 'Rate Exceeded.');
      return {
        requestId,
        payload:
          outcome === 'ok' ? JSON.stringify({ done: n }) : '{"errorType":"Error","errorMessage":"boom"}',
        functionError: outcome === 'ok' ? undefined : 'Unhandled',
        executedVersion: target.version,
        durationMs: 1,
        cold: false,
        log: {
          requestId,
          version: target.version,
          lines: [],
          durationMs: 1,
          memorySizeMB: 128,
          maxMemoryUsedMB: 1,
        },
      };
    },
    deliver: async (arn, payload, trace) => {
      if (arn.includes(':sqs:') && script.dlqReachable) {
        delivered.push({ arn, payload, ...(trace ? { trace } : {}) });
        return true;
      }
      return false;
    },
    warn: () => undefined,
    // A stand-in for the enqueue span: its header names the function and the caller's header.
    ...(traced ? { enqueued: (fn: string, parent: string | undefined) => `${fn}<${parent ?? 'root'}` } : {}),
  });
  await dispatcher.start();
  /** Lets the queue's promises settle, then moves the clock. */
  const advance = async (ms: number) => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await dispatcher.idle();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { clock, db, registry, dispatcher, backend, attempts, delivered, advance };
}

describe('async invocations (Event): the durable queue, retries and destinations', () => {
  it('follows the retry schedule for function errors: 1 minute, then 2 minutes, then the failure destination', async () => {
    const s = await setup({ work: ['error', 'error', 'error'] });
    await s.registry.putInvokeConfig({
      function: 'work',
      qualifier: '$LATEST',
      maximumRetryAttempts: null,
      maximumEventAgeSeconds: null,
      onSuccess: null,
      onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:sink',
      lastModified: 0,
    });
    const id = await s.dispatcher.enqueue('work', undefined, '{"n":1}');
    await s.advance(0);
    assert.deepEqual(
      s.attempts.map((a) => a.at),
      [0],
      'runs at once',
    );
    await s.advance(59_999);
    assert.equal(s.attempts.length, 1, 'not before a minute');
    await s.advance(1);
    assert.deepEqual(
      s.attempts.map((a) => a.at),
      [0, 60_000],
    );
    await s.advance(119_999);
    assert.equal(s.attempts.length, 2);
    await s.advance(1);
    await s.advance(0);
    assert.deepEqual(
      s.attempts.map((a) => [a.fn, a.at]),
      [
        ['work', 0],
        ['work', 60_000],
        ['work', 180_000],
        ['sink', 180_000],
      ],
    );
    assert.ok(
      s.attempts.every((a, i) => i === 3 || a.id === id),
      'every attempt keeps the request id',
    );
    const rec = s.attempts[3]!.event as DestinationRecord;
    assert.equal(rec.version, '1.0');
    assert.deepEqual(rec.requestContext, {
      requestId: id,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:work:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
    assert.deepEqual(rec.requestPayload, { n: 1 });
    assert.deepEqual(rec.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(rec.responsePayload?.errorMessage, 'boom');
    assert.deepEqual(await s.backend.counts(), { pending: 0, parked: 0 });
  });

  it('honours MaximumRetryAttempts 0 and sends successes to OnSuccess', async () => {
    const s = await setup({ work: ['error', 'ok'] });
    await s.registry.putInvokeConfig({
      function: 'work',
      qualifier: '$LATEST',
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: null,
      onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:sink',
      onFailure: null,
      lastModified: 0,
    });
    await s.dispatcher.enqueue('work', undefined, '{}');
    await s.advance(0);
    await s.advance(600_000);
    assert.deepEqual(
      s.attempts.map((a) => a.fn),
      ['work'],
      'no retry, no failure destination',
    );
    await s.dispatcher.enqueue('work', undefined, '{"second":true}');
    await s.advance(0);
    await s.advance(0);
    assert.deepEqual(
      s.attempts.map((a) => a.fn),
      ['work', 'work', 'sink'],
    );
    const rec = s.attempts[2]!.event as DestinationRecord;
    assert.equal(rec.requestContext.condition, 'Success');
    assert.deepEqual(rec.responsePayload, { done: 2 });
  });

  it("carries the event's trace to its destinations and dead-letter queue", async () => {
    const s = await setup(
      { work: ['ok', 'error'], dead: ['error', 'error', 'error'], dlqReachable: [] },
      undefined,
      true,
    );
    await s.registry.putInvokeConfig({
      function: 'work',
      qualifier: '$LATEST',
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: null,
      onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:sink',
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:failures',
      lastModified: 0,
    });
    await s.dispatcher.enqueue('work', undefined, '{}', 'caller');
    await s.advance(0);
    await s.advance(0);
    const sink = s.attempts.find((a) => a.fn === 'sink');
    assert.equal(s.attempts[0]!.trace, 'work<caller');
    assert.equal(sink?.trace, 'sink<work<caller', 'the OnSuccess function continues the trace');
    await s.dispatcher.enqueue('work', undefined, '{}', 'second');
    await s.advance(0);
    assert.deepEqual(
      s.delivered.map((d) => [d.arn.split(':').pop(), d.trace]),
      [['failures', 'work<second']],
      'the OnFailure queue gets the trace',
    );
    await s.dispatcher.enqueue('dead', undefined, '{}', 'third');
    for (const ms of [0, 60_000, 120_000]) await s.advance(ms);
    assert.deepEqual(s.delivered.at(-1)?.trace, 'dead<third', 'so does the dead-letter queue');
    assert.equal(s.delivered.at(-1)?.arn, 'arn:aws:sqs:us-east-1:000000000000:dlq');
  });

  it('retries throttles with growing back-off until MaximumEventAgeInSeconds, then gives up', async () => {
    assert.deepEqual([1, 2, 3, 9, 20].map(throttleDelayMs), [1000, 2000, 4000, 256_000, 300_000]);
    assert.deepEqual([1, 2].map(retryDelayMs), [60_000, 120_000]);
    const s = await setup({ work: Array(20).fill('throttle') });
    await s.registry.putInvokeConfig({
      function: 'work',
      qualifier: '$LATEST',
      maximumRetryAttempts: 2,
      maximumEventAgeSeconds: 60,
      onSuccess: null,
      onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:sink',
      lastModified: 0,
    });
    await s.dispatcher.enqueue('work', undefined, '{}');
    for (let i = 0; i < 70; i++) await s.advance(1000);
    const work = s.attempts.filter((a) => a.fn === 'work').map((a) => a.at);
    // Attempts at 0, 1, 3, 7, 15, 31 s; the next (63 s) would pass the 60 s age limit.
    assert.deepEqual(work, [0, 1000, 3000, 7000, 15_000, 31_000]);
    const sink = s.attempts.filter((a) => a.fn === 'sink');
    assert.equal(sink.length, 1);
    assert.equal((sink[0]!.event as DestinationRecord).requestContext.condition, 'EventAgeExceeded');
  });

  it('keeps an accepted event across a restart, and re-runs one that was running', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-async-')), 'baton.db');
    const first = await setup({}, file);
    first.dispatcher.close();
    // Accepted while the dispatcher does not run (as if the process stopped right after the 202).
    await first.backend.add({
      id: 'kept-1',
      function: 'work',
      qualifier: '$LATEST',
      payload: '{"kept":1}',
      enqueuedAt: T0,
      dueAt: T0,
      attempts: 0,
      throttles: 0,
    });
    await first.backend.add({
      id: 'running-1',
      function: 'work',
      qualifier: '$LATEST',
      payload: '{"kept":2}',
      enqueuedAt: T0,
      dueAt: T0,
      attempts: 0,
      throttles: 0,
    });
    // One was claimed (running) when the process died: its lease is far in the future.
    const claimed = await first.backend.claim(T0, 1, T0 + 16 * 60_000);
    assert.equal(claimed.length, 1);
    first.db.close();

    const second = await setup({}, file);
    await second.advance(0);
    assert.deepEqual(
      second.attempts.map((a) => a.id).sort(),
      ['kept-1', 'running-1'],
      'both run after the restart, without waiting for the old lease',
    );
    assert.deepEqual(await second.backend.counts(), { pending: 0, parked: 0 });
  });

  it("parks an event whose dead-letter queue can't be reached, and delivers it when it can", async () => {
    const s = await setup({ dead: ['error', 'error', 'error'] });
    await s.dispatcher.enqueue('dead', undefined, '{"lost":false}');
    await s.advance(0);
    await s.advance(60_000);
    await s.advance(120_000);
    assert.equal(s.attempts.length, 3);
    assert.deepEqual(await s.backend.counts(), { pending: 0, parked: 1 }, 'kept, not dropped');

    const t = await setup({ dead: ['error'], dlqReachable: [] as Outcome[] });
    await t.registry.putInvokeConfig({
      function: 'dead',
      qualifier: '$LATEST',
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: null,
      onSuccess: null,
      onFailure: null,
      lastModified: 0,
    });
    await t.dispatcher.enqueue('dead', undefined, '{"to":"dlq"}');
    await t.advance(0);
    assert.deepEqual(t.delivered, [
      { arn: 'arn:aws:sqs:us-east-1:000000000000:dlq', payload: { to: 'dlq' } },
    ]);
    assert.deepEqual(await t.backend.counts(), { pending: 0, parked: 0 });
  });

  it('refuses what Lambda refuses before accepting an event', async () => {
    const s = await setup({});
    await assert.rejects(s.dispatcher.enqueue('nobody', undefined, '{}'), { code: 'ResourceNotFound' });
    await assert.rejects(s.dispatcher.enqueue('work', undefined, '{nope'), { code: 'InvalidRequestContent' });
    await assert.rejects(s.dispatcher.enqueue('work', undefined, Buffer.alloc(1024 * 1024 + 1, 32)), {
      code: 'RequestTooLarge',
    });
    assert.deepEqual(await s.backend.counts(), { pending: 0, parked: 0 });
  });
});
