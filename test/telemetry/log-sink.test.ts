import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryLogs } from '../../src/backends/memory/logs.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { LogRecord } from '../../src/telemetry/logs/backend.ts';
import { LogSink } from '../../src/telemetry/logs/log-sink.ts';

const rec = (ts: number, message: string): LogRecord => ({ function: 'f', ts, requestId: null, message });

describe('LogSink', () => {
  it('batches writes off the hot path and flushes on its timer', async () => {
    const backend = memoryLogs();
    let batches = 0;
    const counting = {
      ...backend,
      append: (r: readonly LogRecord[]) => {
        batches++;
        return backend.append(r);
      },
    };
    const clock = new ManualClock(1_000);
    const sink = new LogSink(counting, clock, {
      flushIntervalMs: 200,
      maxBatch: 100,
      retentionDays: 1,
      purgeIntervalMs: 1e9,
    });
    sink.write(rec(1_000, 'a'));
    sink.write(rec(1_000, 'b'));
    assert.equal(batches, 0, 'nothing is written synchronously');
    assert.deepEqual(await backend.query({ function: 'f' }), []);
    clock.advance(200);
    await sink.close();
    assert.equal(batches, 1, 'two writes became one batch');
    assert.deepEqual(
      (await backend.query({ function: 'f' })).map((r) => r.message),
      ['a', 'b'],
    );
  });

  it('writes at once when a batch is full', async () => {
    const backend = memoryLogs();
    const sink = new LogSink(backend, new ManualClock(), {
      flushIntervalMs: 1e9,
      maxBatch: 3,
      retentionDays: 1,
      purgeIntervalMs: 1e9,
    });
    for (const m of ['a', 'b', 'c']) sink.write(rec(1, m));
    await new Promise((r) => setImmediate(r));
    assert.equal((await backend.query({ function: 'f' })).length, 3);
  });

  it('drops records past the retention period on its purge timer', async () => {
    const backend = memoryLogs();
    const day = 86_400_000;
    const clock = new ManualClock(10 * day);
    const sink = new LogSink(backend, clock, {
      flushIntervalMs: 10,
      maxBatch: 100,
      retentionDays: 7,
      purgeIntervalMs: 3_600_000,
    });
    sink.start();
    sink.write(rec(2 * day, 'too old'));
    sink.write(rec(4 * day, 'kept'));
    await sink.flush();
    clock.advance(3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      (await backend.query({ function: 'f' })).map((r) => r.message),
      ['kept'],
    );
    await sink.close();
  });
});
