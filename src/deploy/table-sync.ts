/**
 * Keeps an app's tables and `table` events in line with its manifest. Tables are created or
 * brought in line, never deleted: they hold data, so one the manifest drops is kept and
 * reported. The `table` events are stream event source mappings owned by the app, made,
 * updated and deleted like its `queue` events. Guarded by test/compat/manifest-tables.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { BatonError } from '../core/errors.ts';
import type { EventSourceMapping, StreamSourceSettings } from '../registry/records.ts';
import type { TableDefinition } from '../services/tables/types.ts';
import type { SyncContext } from './app-sync.ts';
import type { DeployResult } from './deployer.ts';
import type { QueueSpec } from './manifest-queues.ts';
import type { OnFailureSpec, TableEventSpec, TableSpec } from './manifest-tables.ts';
import type { TopicSpec } from './manifest-topics.ts';
import { checkFixedParts, createTableInput, OWNER_TAG, tableChanges, ttlInput } from './table-plan.ts';

type Obj = Record<string, unknown>;

/** What a deploy needs of the table service: its operations, in DynamoDB's input shapes. */
export interface TableResources {
  /** The table's definition; undefined when there is no such table. */
  table(name: string): Promise<TableDefinition | undefined>;
  tables(): Promise<TableDefinition[]>;
  createTable(input: Obj): Promise<void>;
  updateTable(input: Obj): Promise<void>;
  updateTimeToLive(input: Obj): Promise<void>;
  tagTable(input: Obj): Promise<void>;
  /** Where a new mapping on the stream starts reading; undefined when the stream is not enabled. */
  streamStart(arn: string, position: 'TRIM_HORIZON' | 'LATEST'): Promise<number | undefined>;
}

/** A `table` event, checked, with its on-failure destination as an ARN. */
export interface TableEventPlan {
  event: TableEventSpec;
  onFailure: string | null;
}

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

/** Runs a table service call; its errors (DynamoDB's) are the deploy's, naming the table. */
async function attempt(path: string, call: () => Promise<void>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (e instanceof BatonError) throw e;
    throw invalid(path, (e as Error).message);
  }
}

async function destination(
  ctx: SyncContext,
  of: OnFailureSpec,
  queues: QueueSpec[],
  topics: TopicSpec[],
): Promise<string> {
  if (of.kind === 'arn') return of.arn;
  const r = ctx.resources;
  const name = of.name;
  if (of.kind !== 'topic' && (queues.some((q) => q.name === name) || (await r.queueExists(name))))
    return r.queueArn(name);
  if (of.kind !== 'queue' && (topics.some((t) => t.name === name) || (await r.topicExists(name))))
    return r.topicArn(name);
  const what = of.kind === 'name' ? 'queue or topic' : of.kind;
  throw invalid(
    of.path,
    `no ${what} ${name} (declare it under ${of.kind === 'topic' ? 'topics' : 'queues'}:)`,
  );
}

/**
 * Checks, before a deploy changes anything, what only the running tables can tell: a declared
 * table that exists belongs to no other app and keeps its key and local indexes; each `table`
 * event's table exists (or is declared) with a stream; each on-failure destination exists.
 */
export async function checkTables(
  ctx: SyncContext,
  app: string,
  tables: TableSpec[],
  events: TableEventSpec[],
  queues: QueueSpec[],
  topics: TopicSpec[],
): Promise<TableEventPlan[]> {
  const r = ctx.resources;
  for (const spec of tables) {
    const def = await r.table(spec.name);
    if (!def) continue;
    const owner = def.tags[OWNER_TAG];
    if (owner !== undefined && owner !== app)
      throw new BatonError('ResourceConflict', `tables.${spec.name}: the table belongs to app "${owner}"`, {
        details: { path: `tables.${spec.name}` },
      });
    checkFixedParts(spec, def);
  }
  const plans: TableEventPlan[] = [];
  for (const event of events) {
    if (!tables.some((t) => t.name === event.table)) {
      const def = await r.table(event.table);
      if (!def) throw invalid(event.path, `no table ${event.table} (declare it under tables:)`);
      if (!def.stream?.enabled)
        throw invalid(
          event.path,
          `table ${event.table} has no stream (declare it under tables: with a stream, or enable one)`,
        );
    }
    const onFailure = event.onFailure ? await destination(ctx, event.onFailure, queues, topics) : null;
    plans.push({ event, onFailure });
  }
  return plans;
}

/** Creates the declared tables, brings the existing ones in line, and reports the dropped ones. */
export async function syncTables(
  ctx: SyncContext,
  app: string,
  tables: TableSpec[],
  result: DeployResult,
): Promise<void> {
  const r = ctx.resources;
  const lines: string[] = [];
  result.tables = lines;
  for (const spec of tables) {
    const path = `tables.${spec.name}`;
    const def = await r.table(spec.name);
    if (!def) {
      await attempt(path, () => r.createTable(createTableInput(spec, app)));
      if (spec.ttl)
        await attempt(`${path}.ttl`, () => r.updateTimeToLive(ttlInput(spec.name, spec.ttl!, true)));
      lines.push(`${spec.name} (created)`);
      continue;
    }
    const { calls, changes } = tableChanges(spec, def, app);
    for (const c of calls) await attempt(path, () => r[c.op](c.input));
    const outcome =
      changes.length > 0
        ? `updated: ${changes.join(', ')}`
        : def.tags[OWNER_TAG] === undefined
          ? 'adopted'
          : 'unchanged';
    lines.push(`${spec.name} (${outcome})`);
  }
  const declared = new Set(tables.map((t) => t.name));
  for (const def of await r.tables())
    if (def.tags[OWNER_TAG] === app && !declared.has(def.name))
      lines.push(`${def.name} (kept: no longer in the manifest, but a deploy never deletes a table's data)`);
}

const tableOf = (streamArn: string) => /:table\/([^/]+)\/stream\//.exec(streamArn)?.[1];

/**
 * Makes the app's stream event source mappings match its `table` events: one per function and
 * table. A mapping whose table has a new stream (its view type changed) moves to it, reading the
 * new stream from its start; records of the old stream not yet delivered are not.
 */
export async function syncTableEvents(
  ctx: SyncContext,
  app: string,
  plans: TableEventPlan[],
  result: DeployResult,
): Promise<void> {
  const lines: string[] = [];
  result.tableEvents = lines;
  const existing = ctx.registry.mappings().filter((m) => m.app === app && m.stream !== undefined);
  const now = ctx.clock.now();
  for (const { event: ev, onFailure } of plans) {
    const def = await ctx.resources.table(ev.table);
    const arn = def?.stream?.enabled ? def.stream.arn : undefined;
    if (!arn) throw invalid(ev.path, `table ${ev.table} has no stream`);
    const settings = {
      batchSize: ev.batchSize,
      reportBatchItemFailures: ev.reportBatchItemFailures,
      enabled: ev.enabled,
    };
    const stream = {
      bisectBatchOnFunctionError: ev.bisectBatchOnFunctionError,
      maximumRetryAttempts: ev.maximumRetryAttempts,
      maximumRecordAgeSeconds: ev.maximumRecordAgeSeconds,
      onFailure,
    };
    const label = `${ev.table} → ${ev.function}`;
    const i = existing.findIndex((m) => m.function === ev.function && tableOf(m.eventSourceArn) === ev.table);
    const current = i >= 0 ? existing.splice(i, 1)[0] : undefined;
    if (current?.eventSourceArn === arn) {
      const same =
        Object.entries(settings).every(([k, v]) => current[k as keyof typeof settings] === v) &&
        Object.entries(stream).every(([k, v]) => current.stream![k as keyof typeof stream] === v);
      if (same) continue;
      await ctx.registry.putMapping({
        ...current,
        ...settings,
        stream: { ...current.stream!, ...stream },
        lastModified: now,
      });
      lines.push(`${label} (updated)`);
      continue;
    }
    if (current) await ctx.registry.deleteMapping(current);
    // A moved mapping reads its new stream from the start: every record there is after the move.
    const startingPosition = current ? 'TRIM_HORIZON' : ev.startingPosition;
    const startAfter = await ctx.resources.streamStart(arn, startingPosition);
    if (startAfter === undefined) throw invalid(ev.path, `table ${ev.table} has no stream`);
    const settingsOfStream: StreamSourceSettings = {
      startingPosition,
      startAfter,
      ...stream,
      parallelizationFactor: 1,
    };
    const mapping: EventSourceMapping = {
      uuid: randomUUID(),
      function: ev.function,
      qualifier: null,
      eventSourceArn: arn,
      ...settings,
      maximumBatchingWindowSeconds: 0,
      maximumConcurrency: null,
      app,
      lastModified: now,
      stream: settingsOfStream,
    };
    await ctx.registry.putMapping(mapping);
    lines.push(`${label} (${current ? 'moved to the new stream' : 'created'})`);
  }
  for (const m of existing) {
    await ctx.registry.deleteMapping(m);
    lines.push(`${tableOf(m.eventSourceArn) ?? m.eventSourceArn} → ${m.function} (deleted)`);
  }
}
