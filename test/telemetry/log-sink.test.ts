import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryLogs } from '../../src/backends/memory/logs.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { LogRecord } from '../../src/telemetry/logs/backend.ts';
import { formatInvocationLog, type InvocationLog } from '../../src/telemetry/logs/invocation-log.ts';
import { LogSink, retentionOverrides } from '../../src/telemetry/logs/log-sink.ts';

/** An invocation whose request id is `id`, logging one line. */
const inv = (id: string): InvocationLog => ({
  requestId: id,
  version: '$LATEST',
  lines: [`line of ${id}`],
  durationMs: 1.5,
  memorySizeMB: 128,
  maxMemoryUsedMB: 40,
});
const ids = async (backend: ReturnType<typeof memoryLogs>) =>
  (await backend.query({ function: 'f' })).map((r) => r.requestId);

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
    sink.write('f', 1_000, inv('a'));
    sink.write('f', 1_000, inv('b'));
    assert.equal(batches, 0, 'nothing is written synchronously');
    assert.deepEqual(await backend.query({ function: 'f' }), []);
    clock.advance(200);
    await sink.close();
    assert.equal(batches, 1, 'two writes became one batch');
    assert.deepEqual(await ids(backend), ['a', 'b']);
    const [first] = await backend.query({ function: 'f' });
    assert.equal(first?.message, formatInvocationLog(inv('a')).join('\n'), 'stored as Lambda lines');
    assert.match(
      first?.message ?? '',
      /^START RequestId: a Version: \$LATEST\nline of a\nEND RequestId: a\nREPORT RequestId: a\tDuration: 1\.50 ms\tBilled Duration: 2 ms/,
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
    for (const m of ['a', 'b', 'c']) sink.write('f', 1, inv(m));
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
    sink.write('f', 2 * day, inv('too old'));
    sink.write('f', 4 * day, inv('kept'));
    await sink.flush();
    clock.advance(3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await ids(backend), ['kept']);
    await sink.close();
  });

  it('keeps each function’s logs for its own logRetentionDays, the others for the default', async () => {
    const backend = memoryLogs();
    const day = 86_400_000;
    const clock = new ManualClock(100 * day);
    // As the server reads them from the registry at each purge: a change applies at the next one.
    const functions: { name: string; logRetentionDays?: number }[] = [
      { name: 'brief', logRetentionDays: 1 },
      { name: 'plain' },
      { name: 'long', logRetentionDays: 30 },
    ];
    const sink = new LogSink(backend, clock, {
      flushIntervalMs: 10,
      maxBatch: 100,
      retentionDays: 7,
      retentionOverrides: () => retentionOverrides(functions),
      purgeIntervalMs: 3_600_000,
    });
    sink.start();
    for (const f of ['brief', 'plain', 'long', 'later']) sink.write(f, clock.now(), inv(f));
    await sink.flush();
    const left = async () => {
      await new Promise((r) => setImmediate(r));
      const out: string[] = [];
      for (const f of ['brief', 'plain', 'long', 'later'])
        if ((await backend.query({ function: f })).length > 0) out.push(f);
      return out;
    };
    clock.advance(day + 3_600_000);
    assert.deepEqual(await left(), ['plain', 'long', 'later'], 'a day later, brief is gone');
    functions.push({ name: 'later', logRetentionDays: 3 });
    clock.advance(3 * day);
    assert.deepEqual(await left(), ['plain', 'long'], 'a retention set afterwards applies at the next purge');
    clock.advance(4 * day);
    assert.deepEqual(await left(), ['long'], 'past the default 7 days');
    clock.advance(21 * day);
    assert.deepEqual(await left(), ['long'], '29 days on, still inside its 30');
    clock.advance(2 * day);
    assert.deepEqual(await left(), []);
    await sink.close();
  });
});
