import type { Clock } from '../core/clock.ts';
import type { EventSourceMapping } from '../registry/records.ts';
import type { InvokeTarget } from '../registry/resolve.ts';
import type { InvokeResult } from '../runtime/invoker.ts';
import type { Output, QueueService } from '../services/queues/service.ts';

export interface QueuePollerDeps {
  queues: QueueService;
  clock: Clock;
  region: string;
  resolve: (name: string, qualifier: string | undefined) => InvokeTarget;
  run: (target: InvokeTarget, event: unknown) => Promise<InvokeResult>;
  /** The function's reserved concurrency, if any: pollers never exceed it. */
  reservedConcurrency: (name: string) => number | null;
  warn: (message: string, details: Record<string, unknown>) => void;
}

/** Most concurrent batches one mapping runs when neither it nor its function sets a limit. */
const DEFAULT_MAX_POLLERS = 16;
/** Seconds a poller's receive waits for messages (SQS's longest long poll). */
const LONG_POLL_S = 20;
/** Back-off after a failed receive or a throttled invocation. */
const BACKOFF_MS = 1000;

/** One SQS message as Lambda's SQS event record. */
export function sqsRecord(m: Output, queueArn: string, region: string): Record<string, unknown> {
  const attrs = (m.MessageAttributes ?? {}) as Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    attributes: m.Attributes ?? {},
    messageAttributes: Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        {
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue } : {}),
          stringListValues: [],
          binaryListValues: [],
          dataType: v.DataType,
        },
      ]),
    ),
    md5OfBody: m.MD5OfBody,
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The ids a `ReportBatchItemFailures` response names, or undefined when the response is not a
 * valid one (Lambda then treats the whole batch as failed).
 */
export function batchItemFailures(payload: string, ids: ReadonlySet<string>): Set<string> | undefined {
  let r: unknown;
  try {
    r = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (r === null || r === undefined || typeof r !== 'object') return new Set();
  const list = (r as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return undefined;
  const out = new Set<string>();
  for (const f of list) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return undefined;
    out.add(id);
  }
  return out;
}

/** The pollers of one event source mapping: between one and `limit` receive-invoke loops. */
class MappingPollers {
  private workers = 0;
  private stopped = false;
  lastResult = 'No records processed';

  constructor(
    public mapping: EventSourceMapping,
    private readonly deps: QueuePollerDeps,
  ) {}

  private get queueName(): string {
    return this.mapping.eventSourceArn.slice(this.mapping.eventSourceArn.lastIndexOf(':') + 1);
  }

  private limit(): number {
    const reserved = this.deps.reservedConcurrency(this.mapping.function);
    return Math.max(
      1,
      Math.min(this.mapping.maximumConcurrency ?? DEFAULT_MAX_POLLERS, reserved ?? DEFAULT_MAX_POLLERS),
    );
  }

  start(): void {
    if (this.workers === 0 && !this.stopped) this.spawn();
  }

  stop(): void {
    this.stopped = true;
  }

  private spawn(): void {
    this.workers++;
    void this.loop().finally(() => {
      this.workers--;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.clock.setTimer(ms, resolve));
  }

  /** Receives up to a batch (within the batching window), then hands it to the function. */
  private async collect(): Promise<Output[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    const deadline = this.deps.clock.now() + maximumBatchingWindowSeconds * 1000;
    const batch: Output[] = [];
    for (;;) {
      const remaining = Math.max(0, deadline - this.deps.clock.now());
      const wait = batch.length === 0 ? LONG_POLL_S : Math.min(LONG_POLL_S, Math.floor(remaining / 1000));
      const out = await this.deps.queues.receiveMessage({
        QueueUrl: this.queueName,
        MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      const got = (out.Messages as Output[] | undefined) ?? [];
      batch.push(...got);
      if (this.stopped || batch.length >= batchSize || got.length === 0) return batch;
      if (this.deps.clock.now() >= deadline) return batch;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let batch: Output[];
      try {
        batch = await this.collect();
      } catch (e) {
        this.lastResult = `PROBLEM: ${(e as Error).message}`;
        await this.sleep(BACKOFF_MS * 10);
        continue;
      }
      if (this.stopped) return;
      if (batch.length === 0) {
        // Nothing waiting: extra pollers go away, the first keeps long-polling.
        if (this.workers > 1) return;
        continue;
      }
      // A full batch means a backlog: add a poller, up to the limit.
      if (batch.length >= this.mapping.batchSize && this.workers < this.limit()) this.spawn();
      await this.deliver(batch);
    }
  }

  private async deliver(batch: Output[]): Promise<void> {
    const arn = this.mapping.eventSourceArn;
    const event = { Records: batch.map((m) => sqsRecord(m, arn, this.deps.region)) };
    let result: InvokeResult;
    try {
      const target = this.deps.resolve(this.mapping.function, this.mapping.qualifier ?? undefined);
      result = await this.deps.run(target, event);
    } catch (e) {
      // Throttled or gone: the messages come back after their visibility timeout.
      this.lastResult = `PROBLEM: Function call failed: ${(e as Error).message}`;
      await this.sleep(BACKOFF_MS);
      return;
    }
    let keep = new Set<string>();
    if (result.functionError) keep = new Set(batch.map((m) => m.MessageId as string));
    else if (this.mapping.reportBatchItemFailures) {
      const ids = new Set(batch.map((m) => m.MessageId as string));
      keep = batchItemFailures(result.payload, ids) ?? ids;
    }
    this.lastResult = keep.size === 0 ? 'OK' : 'PROBLEM: Function call failed';
    const done = batch.filter((m) => !keep.has(m.MessageId as string));
    for (let i = 0; i < done.length; i += 10) {
      try {
        await this.deps.queues.deleteMessageBatch({
          QueueUrl: this.queueName,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        });
      } catch (e) {
        this.deps.warn('event source mapping: deleting processed messages failed', {
          mapping: this.mapping.uuid,
          error: String(e),
        });
      }
    }
  }
}

/** Runs a poller group per enabled SQS event source mapping, following registry changes. */
export class QueuePollers {
  private readonly groups = new Map<string, MappingPollers>();

  constructor(private readonly deps: QueuePollerDeps) {}

  /** Starts, changes or stops the pollers of a mapping. */
  sync(m: EventSourceMapping, deleted: boolean): void {
    if (m.stream) return; // A DynamoDB stream: src/triggers/stream-poller.ts reads it.
    const current = this.groups.get(m.uuid);
    if (deleted || !m.enabled) {
      current?.stop();
      this.groups.delete(m.uuid);
      return;
    }
    if (current) {
      current.mapping = m;
      return;
    }
    const group = new MappingPollers(m, this.deps);
    this.groups.set(m.uuid, group);
    group.start();
  }

  lastResult(uuid: string): string {
    return this.groups.get(uuid)?.lastResult ?? 'No records processed';
  }

  close(): void {
    for (const g of this.groups.values()) g.stop();
    this.groups.clear();
  }
}
