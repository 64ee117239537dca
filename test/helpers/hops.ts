import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { memoryRegistry } from '../../src/backends/memory/registry.ts';
import { sqliteAsyncEvents } from '../../src/backends/sqlite/async-events.ts';
import { openSqlite, type SqliteDatabase } from '../../src/backends/sqlite/database.ts';
import { sqliteQueues } from '../../src/backends/sqlite/queues.ts';
import type { ManualClock } from '../../src/core/clock.ts';
import { Registry } from '../../src/registry/registry.ts';
import type { InvokeTarget } from '../../src/registry/resolve.ts';
import { AsyncDispatcher } from '../../src/runtime/async/dispatcher.ts';
import type { InvokeResult } from '../../src/runtime/invoker.ts';
import type { ArnSenderDeps } from '../../src/services/arn-sender.ts';
import { QueueService } from '../../src/services/queues/service.ts';
import { asyncEnqueueTracer, invocationTracer } from '../../src/telemetry/traces/hooks.ts';
import { Tracing } from '../../src/telemetry/traces/tracing.ts';

/**
 * The parts the trace-propagation tests share (`test/telemetry/traces/hops-*.test.ts`): a traced
 * caller's headers, and one server's tracing, queues and async invocations over one SQLite file.
 */

export const ACCOUNT = '000000000000';
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 30);
/** A traced caller, as the control plane's span leaves it in the request's x-amzn-trace-id. */
export const TRACE = '5759e988bd862e3fe1be46a994272793';
export const CALLER = '53995c3f42cd8ad8';
export const HEADER = `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${CALLER};Sampled=1`;
export const TRACE_B = '6a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const ENTRY_SPAN = '1111222233334444';
export const HEADER_B = `Root=1-6a1b2c3d-4e5f60718293a4b5c6d7e8f9;Parent=${ENTRY_SPAN};Sampled=1`;

export const lambdaArn = (fn: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`;
export const queueArn = (q: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${q}`;
export const freshDb = (): SqliteDatabase =>
  openSqlite(join(mkdtempSync(join(tmpdir(), 'baton-hops-')), 'b.db'));

/** Polls `cond` until it holds (real time: deliveries run on their own promises). */
export async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const target = (name: string) =>
  ({
    record: { name },
    version: '$LATEST',
    invokedArn: lambdaArn(name),
    key: name,
  }) as unknown as InvokeTarget;

/**
 * One server's tracing, queues and async invocations, wired as the server wires them: a run
 * starts the invocation span a real instance would run under.
 */
export async function platform(db: SqliteDatabase, clock: ManualClock) {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({ region: 'us-east-1', processors: [new SimpleSpanProcessor({ exporter })] });
  const queues = new QueueService(sqliteQueues(db), clock, {
    accountId: ACCOUNT,
    region: 'us-east-1',
    endpoint: () => 'http://127.0.0.1:4748',
  });
  const runs: { name: string; event: unknown; trace: string | undefined }[] = [];
  const invocations = invocationTracer(tracing);
  const invoke = async (t: InvokeTarget, event: unknown, requestId: string, trace?: string) => {
    runs.push({ name: t.record.name, event, trace });
    invocations.start(t, requestId, trace).end({ cold: false } as InvokeResult);
    return { requestId, payload: 'null', executedVersion: '$LATEST', cold: false } as InvokeResult;
  };
  const dispatcher = new AsyncDispatcher({
    backend: sqliteAsyncEvents(db),
    registry: await Registry.open(memoryRegistry()),
    clock,
    resolve: (name) => target(name),
    run: invoke,
    enqueued: asyncEnqueueTracer(tracing),
    warn: () => {},
  });
  const senders: ArnSenderDeps = {
    queues,
    invoke: (fn, q, payload, trace) => dispatcher.enqueue(fn, q, payload, trace),
    publish: async () => false,
  };
  const spans = () => exporter.getFinishedSpans();
  const span = (pred: (s: ReadableSpan) => boolean, what: string): ReadableSpan => {
    const found = spans().find(pred);
    assert.ok(found, `${what} among ${spans().map((s) => s.name)}`);
    return found;
  };
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  /** The message's AWSTraceHeader, or undefined. */
  const traceOfMessage = async (queue: string): Promise<string | undefined> => {
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await queues.receiveMessage({ QueueUrl: queue, MessageSystemAttributeNames: ['All'] });
      const m = (r.Messages as { Attributes?: Record<string, string> }[] | undefined)?.[0];
      if (m) return m.Attributes?.AWSTraceHeader;
      if (Date.now() > end) throw new Error(`no message in ${queue}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  };
  return { tracing, queues, dispatcher, runs, invoke, senders, spans, span, parentOf, traceOfMessage };
}
