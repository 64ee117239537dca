import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { EventSourceMapping } from '../registry/records.ts';
import type { InvokeTarget } from '../registry/resolve.ts';
import type { InvokeResult } from '../runtime/invoker.ts';
import type { StreamTracer } from '../services/hop-trace.ts';
import type { TableBackend } from '../services/tables/backend.ts';
import { type TableOperation, TableService } from '../services/tables/service.ts';
import { STREAM_RETENTION_MS, StreamsApi } from '../services/tables/streams.ts';
import { TtlSweeper } from '../services/tables/ttl-sweeper.ts';
import type { TableDefinition } from '../services/tables/types.ts';
import { StreamPollers } from '../triggers/stream-poller.ts';

export interface ComposedTables {
  service: TableService;
  /** The wire operations by X-Amz-Target prefix. */
  apis: Record<string, Record<string, TableOperation>>;
  pollers: StreamPollers;
  /** Where a new stream mapping starts reading; undefined when there is no such stream. */
  startAfter(arn: string, position: 'TRIM_HORIZON' | 'LATEST'): Promise<number | undefined>;
  start(mappings: EventSourceMapping[]): void;
  close(): Promise<void>;
}

const TRIM_EVERY_MS = 3_600_000;

/** Tables, their streams (API and function triggers) and the TTL sweeper, as the server runs them. */
export function composeTables(deps: {
  backend: TableBackend;
  clock: Clock;
  region: string;
  accountId: string;
  log: Logger;
  resolve: (name: string, qualifier: string | undefined) => InvokeTarget;
  /** `trace`: what a stream-triggered invocation continues. */
  run: (target: InvokeTarget, event: unknown, trace?: string) => Promise<InvokeResult>;
  send: (arn: string, payload: string) => Promise<boolean>;
  functionArn: (name: string, qualifier: string | null) => string;
  ttlSweepMs?: number;
  /** Traced writes' headers for their stream records (`compose-traces.ts`); absent when tracing is off. */
  trace?: StreamTracer | undefined;
}): ComposedTables {
  const { backend, clock, log } = deps;
  const warn = (message: string, details: Record<string, unknown>) => log.warn(details, message);
  let pollers: StreamPollers | undefined;
  const woken = (t: TableDefinition) => {
    if (t.stream?.enabled) pollers?.wake(t.stream.arn);
  };
  const service = new TableService({
    backend,
    clock,
    region: deps.region,
    accountId: deps.accountId,
    onWrite: woken,
    trace: deps.trace,
  });
  const streamOf = async (arn: string) => {
    const name = /:table\/([^/]+)\/stream\//.exec(arn)?.[1];
    const def = name === undefined ? undefined : await service.table(name).catch(() => undefined);
    return def?.stream?.arn === arn ? def.stream : undefined;
  };
  const streams = new StreamsApi({
    backend,
    now: () => clock.now(),
    region: deps.region,
    table: (name) => service.table(name),
    tables: () => service.allTables(),
  });
  pollers = new StreamPollers({
    records: (arn, after, limit) => backend.streamRecords(arn, after, limit),
    stream: streamOf,
    checkpoints: {
      get: (id) => backend.getCheckpoint(id),
      set: (id, seq) => backend.setCheckpoint(id, seq),
      delete: (id) => backend.deleteCheckpoint(id),
    },
    clock,
    region: deps.region,
    resolve: deps.resolve,
    run: deps.run,
    send: deps.send,
    functionArn: deps.functionArn,
    warn,
    traceOf: deps.trace?.traceOf,
  });
  const sweeper = new TtlSweeper({
    backend,
    clock,
    tables: () => service.allTables(),
    onDeleted: woken,
    warn,
    ...(deps.ttlSweepMs === undefined ? {} : { intervalMs: deps.ttlSweepMs }),
  });
  let trimTimer: { cancel(): void } | undefined;
  const trim = () => {
    trimTimer = clock.setTimer(TRIM_EVERY_MS, () => {
      void backend
        .trimStreams(clock.now() - STREAM_RETENTION_MS)
        .catch((e: unknown) => warn('trimming stream records failed', { err: e }))
        .finally(trim);
    });
  };
  return {
    service,
    apis: { DynamoDB_20120810: service.operations(), DynamoDBStreams_20120810: streams.operations() },
    pollers,
    async startAfter(arn, position) {
      const stream = await streamOf(arn);
      if (!stream?.enabled) return undefined;
      if (position === 'TRIM_HORIZON') return 0;
      return (await backend.streamBounds(arn))?.last ?? 0;
    },
    start(mappings) {
      sweeper.start();
      trim();
      for (const m of mappings) pollers?.sync(m, false);
    },
    async close() {
      sweeper.close();
      trimTimer?.cancel();
      await pollers?.close();
    },
  };
}
