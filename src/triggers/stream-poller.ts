/**
 * Event source mappings from a DynamoDB stream to a function. One reader per mapping takes the
 * stream's records in order, in batches of up to BatchSize, and invokes the function with
 * Lambda's DynamoDB event. The position it has reached is a durable checkpoint, so a restart
 * carries on where it stopped (records in flight when Baton stops are sent again: at least once).
 *
 * On a function error the batch is retried with back-off (throttles are retried without counting).
 * BisectBatchOnFunctionError splits a failing batch in two and retries each half. With
 * ReportBatchItemFailures, the batch is retried from the first failed record. Once
 * MaximumRetryAttempts or MaximumRecordAgeInSeconds is spent, the batch's description goes to the
 * on-failure destination and the reader moves past it. https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 * Tests: test/triggers/stream-poller.test.ts (injected clock).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { EventSourceMapping, StreamSourceSettings } from '../registry/records.ts';
import type { InvokeTarget } from '../registry/resolve.ts';
import type { InvokeResult } from '../runtime/invoker.ts';
import type { StoredStreamRecord } from '../services/tables/backend.ts';
import { shardIdOf, wireRecord } from '../services/tables/streams.ts';
import type { StreamViewType } from '../services/tables/types.ts';
import { batchItemFailures } from './queue-poller.ts';

/** Where each mapping has got to: the last sequence number it is done with. */
export interface CheckpointStore {
  get(mapping: string): Promise<number | undefined>;
  set(mapping: string, seq: number): Promise<void>;
  delete(mapping: string): Promise<void>;
}

export interface StreamPollerDeps {
  /** Records of a stream after a sequence number, oldest first. */
  records(streamArn: string, afterSeq: number, limit: number): Promise<StoredStreamRecord[]>;
  /** The stream's view type and creation time, or undefined when it is gone. */
  stream(streamArn: string): Promise<{ viewType: StreamViewType; createdAt: number } | undefined>;
  checkpoints: CheckpointStore;
  clock: Clock;
  region: string;
  resolve: (name: string, qualifier: string | undefined) => InvokeTarget;
  /** `trace`: the X-Amzn-Trace-Id the invocation continues (the batch's first record's write). */
  run: (target: InvokeTarget, event: unknown, trace?: string) => Promise<InvokeResult>;
  /** Sends a discarded batch's description to an SQS queue or SNS topic; false when it cannot. */
  send: (arn: string, payload: string) => Promise<boolean>;
  functionArn: (name: string, qualifier: string | null) => string;
  warn: (message: string, details: Record<string, unknown>) => void;
  /** How long an idle reader waits before looking again without a wake-up (other nodes' writes). */
  idlePollMs?: number;
  /** Traces: the trace header of the write that left a record; absent when tracing is off. */
  traceOf?: (record: StoredStreamRecord) => string | undefined;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;
const IDLE_POLL_MS = 1000;

/** What a mapping on a DynamoDB stream ARN looks like. */
export const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}\/stream\/.+$/;

class StreamReader {
  private stopped = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private cancelSleep: (() => void) | undefined;
  lastResult = 'No records processed';

  constructor(
    public mapping: EventSourceMapping & { stream: StreamSourceSettings },
    private readonly deps: StreamPollerDeps,
  ) {}

  stop(): void {
    this.stopped = true;
    this.wake();
    this.cancelSleep?.();
  }

  /** New records: an idle reader looks now; a busy one looks again before it idles. */
  wake(): void {
    this.woken = true;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  /** Waits until woken (or `ms` passes, for other nodes' writes). */
  private idle(ms: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimer(ms, () => {
        this.wakeUp = undefined;
        resolve();
      });
      this.wakeUp = () => {
        timer.cancel();
        this.woken = false;
        resolve();
      };
    });
  }

  /** A back-off: only stopping cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimer(ms, () => {
        this.cancelSleep = undefined;
        resolve();
      });
      this.cancelSleep = () => {
        timer.cancel();
        resolve();
      };
    });
  }

  async run(): Promise<void> {
    const { uuid, eventSourceArn: arn } = this.mapping;
    let position = (await this.deps.checkpoints.get(uuid)) ?? this.mapping.stream.startAfter;
    while (!this.stopped) {
      this.woken = false;
      let batch: StoredStreamRecord[];
      let stream: { viewType: StreamViewType; createdAt: number } | undefined;
      try {
        stream = await this.deps.stream(arn);
        batch = stream ? await this.deps.records(arn, position, this.mapping.batchSize) : [];
      } catch (e) {
        this.lastResult = `PROBLEM: ${(e as Error).message}`;
        await this.sleep(RETRY_MAX_MS);
        continue;
      }
      if (batch.length === 0 || !stream) {
        await this.idle(this.deps.idlePollMs ?? IDLE_POLL_MS);
        continue;
      }
      const done = await this.process(batch, stream);
      if (done === undefined) return;
      position = done;
      await this.deps.checkpoints.set(uuid, position);
    }
  }

  /** Delivers a batch (bisecting or trimming it as failures say); the last seq dealt with. */
  private async process(
    records: StoredStreamRecord[],
    stream: { viewType: StreamViewType; createdAt: number },
  ): Promise<number | undefined> {
    const settings = this.mapping.stream;
    const pending: StoredStreamRecord[][] = [records];
    let last = records[0]!.seq - 1;
    while (pending.length > 0) {
      let batch = pending.shift()!;
      let failures = 0;
      for (;;) {
        if (this.stopped) return undefined;
        const now = this.deps.clock.now();
        const age = settings.maximumRecordAgeSeconds;
        if (age >= 0 && now - batch[0]!.createdAt > age * 1000) {
          await this.discard(batch, stream, 'RecordAgeExceeded', failures);
          break;
        }
        const outcome = await this.invoke(batch, stream);
        if (outcome.kind === 'ok') break;
        if (outcome.kind === 'throttled') {
          await this.sleep(RETRY_FIRST_MS);
          continue;
        }
        if (outcome.kind === 'partial') {
          // Records before the first failure are done; retry from it.
          const from = batch.findIndex((r) => r.seq === outcome.firstFailed);
          if (from > 0) {
            last = batch[from - 1]!.seq;
            await this.deps.checkpoints.set(this.mapping.uuid, last);
            batch = batch.slice(from);
          }
        }
        failures++;
        const retries = settings.maximumRetryAttempts;
        if (retries >= 0 && failures > retries) {
          await this.discard(batch, stream, 'RetryAttemptsExhausted', failures, outcome.error);
          break;
        }
        if (settings.bisectBatchOnFunctionError && batch.length > 1 && outcome.kind === 'error') {
          const half = Math.ceil(batch.length / 2);
          pending.unshift(batch.slice(half));
          batch = batch.slice(0, half);
        }
        await this.sleep(Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS));
      }
      last = batch[batch.length - 1]!.seq;
      if (pending.length > 0) await this.deps.checkpoints.set(this.mapping.uuid, last);
    }
    return last;
  }

  private async invoke(
    batch: StoredStreamRecord[],
    stream: { viewType: StreamViewType },
  ): Promise<
    | { kind: 'ok' }
    | { kind: 'throttled' }
    | { kind: 'error'; error: string }
    | { kind: 'partial'; firstFailed: number; error: string }
  > {
    const arn = this.mapping.eventSourceArn;
    const event = {
      Records: batch.map((r) => ({
        ...wireRecord(r, this.deps.region, stream.viewType),
        eventSourceARN: arn,
      })),
    };
    let result: InvokeResult;
    try {
      const target = this.deps.resolve(this.mapping.function, this.mapping.qualifier ?? undefined);
      // As SQS-triggered invocations do, the batch continues its first record's trace.
      result = await this.deps.run(target, event, this.deps.traceOf?.(batch[0]!));
    } catch (e) {
      this.lastResult = `PROBLEM: Function call failed: ${(e as Error).message}`;
      return { kind: 'throttled' };
    }
    if (result.functionError) {
      this.lastResult = 'PROBLEM: Function call failed';
      return { kind: 'error', error: result.payload };
    }
    if (this.mapping.reportBatchItemFailures) {
      const ids = new Set(batch.map((r) => String(r.seq).padStart(21, '0')));
      const failed = batchItemFailures(result.payload, ids);
      if (failed === undefined) {
        this.lastResult = 'PROBLEM: Function call failed';
        return { kind: 'error', error: 'invalid batchItemFailures' };
      }
      if (failed.size > 0) {
        this.lastResult = 'PROBLEM: Function call failed';
        const firstFailed = Math.min(...[...failed].map(Number));
        return { kind: 'partial', firstFailed, error: 'batchItemFailures' };
      }
    }
    this.lastResult = 'OK';
    return { kind: 'ok' };
  }

  /** Sends a description of the discarded batch to the on-failure destination, if any. */
  private async discard(
    batch: StoredStreamRecord[],
    stream: { createdAt: number },
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    attempts: number,
    error?: string,
  ): Promise<void> {
    const m = this.mapping;
    const dest = m.stream.onFailure;
    this.deps.warn('a stream batch was discarded', { mapping: m.uuid, condition, records: batch.length });
    if (!dest) return;
    const first = batch[0]!;
    const lastRecord = batch[batch.length - 1]!;
    const iso = (ms: number) => new Date(ms).toISOString();
    const record = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.deps.functionArn(m.function, m.qualifier),
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(error !== undefined ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: iso(this.deps.clock.now()),
      DDBStreamBatchInfo: {
        shardId: shardIdOf({ arn: m.eventSourceArn, createdAt: stream.createdAt }),
        startSequenceNumber: String(first.seq).padStart(21, '0'),
        endSequenceNumber: String(lastRecord.seq).padStart(21, '0'),
        approximateArrivalOfFirstRecord: iso(first.createdAt),
        approximateArrivalOfLastRecord: iso(lastRecord.createdAt),
        batchSize: batch.length,
        streamArn: m.eventSourceArn,
      },
    };
    try {
      if (!(await this.deps.send(dest, JSON.stringify(record))))
        this.deps.warn('the on-failure destination took nothing', { mapping: m.uuid, destination: dest });
    } catch (e) {
      this.deps.warn('the on-failure destination failed', { mapping: m.uuid, destination: dest, err: e });
    }
  }
}

/** Runs a reader per enabled stream event source mapping, following registry changes. */
export class StreamPollers {
  private readonly readers = new Map<string, { reader: StreamReader; done: Promise<void> }>();

  constructor(private readonly deps: StreamPollerDeps) {}

  sync(m: EventSourceMapping, deleted: boolean): void {
    if (!m.stream) return;
    const current = this.readers.get(m.uuid);
    if (deleted || !m.enabled) {
      current?.reader.stop();
      this.readers.delete(m.uuid);
      if (deleted) void this.deps.checkpoints.delete(m.uuid).catch(() => undefined);
      return;
    }
    if (current) {
      current.reader.mapping = m as EventSourceMapping & { stream: StreamSourceSettings };
      return;
    }
    const reader = new StreamReader(m as EventSourceMapping & { stream: StreamSourceSettings }, this.deps);
    const done = reader.run().catch((e: unknown) => {
      this.deps.warn('a stream reader stopped', { mapping: m.uuid, err: e });
    });
    this.readers.set(m.uuid, { reader, done });
  }

  /** New records on a stream: its readers look now. */
  wake(streamArn: string): void {
    for (const { reader } of this.readers.values())
      if (reader.mapping.eventSourceArn === streamArn) reader.wake();
  }

  lastResult(uuid: string): string | undefined {
    return this.readers.get(uuid)?.reader.lastResult;
  }

  async close(): Promise<void> {
    const all = [...this.readers.values()];
    for (const r of all) r.reader.stop();
    this.readers.clear();
    await Promise.all(all.map((r) => r.done));
  }
}
