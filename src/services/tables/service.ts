/**
 * The table service: DynamoDB's control operations here, item operations in `item-ops.ts`,
 * `read-ops.ts`, `batch-ops.ts` and `transact-ops.ts`. Table definitions are cached in memory;
 * every change goes through this service, which keeps the cache in step.
 */
import type { Clock } from '../../core/clock.ts';
import type { StreamTracer } from '../hop-trace.ts';
import type { TableBackend } from './backend.ts';
import { batchGetItem, batchWriteItem } from './batch-ops.ts';
import { constraint } from './constraints.ts';
import type { TableContext } from './context.ts';
import { describeTable } from './describe.ts';
import { TableError, validationError } from './errors.ts';
import { isObj, tableNameOf } from './item-input.ts';
import { deleteItem, getItem, putItem, updateItem } from './item-ops.ts';
import { query, scan } from './read-ops.ts';
import { tableFromInput, updatedTable } from './table-input.ts';
import { TokenLedger, transactGetItems, transactWriteItems } from './transact-ops.ts';
import type { TableDefinition } from './types.ts';

type Obj = Record<string, unknown>;
/** `trace`: the request's X-Amzn-Trace-Id, which a write's stream records carry on. */
export type TableOperation = (input: Obj, trace?: string) => Promise<Obj>;

export interface TableServiceDeps {
  backend: TableBackend;
  clock: Clock;
  region: string;
  accountId: string;
  /** A write may have added stream records to this table's stream. */
  onWrite?: (table: TableDefinition) => void;
  /** Tables were created, changed or deleted (TTL sweeper, stream pollers). */
  onTablesChanged?: () => void;
  /** Traces: a traced write's stream records keep its header; absent when tracing is off. */
  trace?: StreamTracer;
}

const notFound = (what: string) =>
  new TableError('ResourceNotFoundException', `Requested resource not found: ${what}`);

export class TableService {
  readonly #defs = new Map<string, TableDefinition>();
  readonly #tokens = new TokenLedger();
  readonly context: TableContext;

  constructor(private readonly deps: TableServiceDeps) {
    this.context = {
      backend: deps.backend,
      table: (name) => this.table(name),
      now: () => deps.clock.now(),
      written: (t) => deps.onWrite?.(t),
    };
  }

  /** A table's definition, from the cache when it holds it. */
  async table(name: string): Promise<TableDefinition> {
    const cached = this.#defs.get(name);
    if (cached) return cached;
    const def = await this.deps.backend.getTable(name);
    if (!def) throw new TableError('ResourceNotFoundException', 'Requested resource not found');
    this.#defs.set(name, def);
    return def;
  }

  /** Every table's definition (for the TTL sweeper and stream pollers). */
  async allTables(): Promise<TableDefinition[]> {
    const out: TableDefinition[] = [];
    let start: string | undefined;
    for (;;) {
      const names = await this.deps.backend.listTables(start, 100);
      for (const n of names) {
        const def = await this.deps.backend.getTable(n);
        if (def) out.push(def);
      }
      if (names.length < 100) return out;
      start = names[names.length - 1];
    }
  }

  #changed(def: TableDefinition | undefined, name: string): void {
    if (def) this.#defs.set(name, def);
    else this.#defs.delete(name);
    this.deps.onTablesChanged?.();
  }

  /**
   * The context of one write call: a traced one (with tracing on) tells the tracer of each
   * mutation on a table with a stream once it is written, so its stream record can be known.
   */
  #writing(trace: string | undefined): TableContext {
    const tracer = this.deps.trace;
    if (tracer === undefined || trace === undefined) return this.context;
    const backend: TableBackend = Object.create(this.deps.backend);
    backend.mutate = async (mutations, now) => {
      const result = await this.deps.backend.mutate(mutations, now);
      if (result.ok)
        for (const m of mutations)
          if (m.table.stream?.enabled) tracer.wrote(m.table.stream.arn, m.key, now, trace);
      return result;
    };
    return { ...this.context, backend };
  }

  /** The wire operations by DynamoDB name (`X-Amz-Target: DynamoDB_20120810.<name>`). */
  operations(): Record<string, TableOperation> {
    const tc = this.context;
    const w = (trace: string | undefined) => this.#writing(trace);
    return {
      CreateTable: (i) => this.createTable(i),
      DescribeTable: (i) => this.describe(i),
      ListTables: (i) => this.listTables(i),
      UpdateTable: (i) => this.updateTable(i),
      DeleteTable: (i) => this.deleteTable(i),
      UpdateTimeToLive: (i) => this.updateTimeToLive(i),
      DescribeTimeToLive: (i) => this.describeTimeToLive(i),
      TagResource: (i) => this.tagResource(i),
      UntagResource: (i) => this.untagResource(i),
      ListTagsOfResource: (i) => this.listTags(i),
      DescribeLimits: async () => ({
        AccountMaxReadCapacityUnits: 80_000,
        AccountMaxWriteCapacityUnits: 80_000,
        TableMaxReadCapacityUnits: 40_000,
        TableMaxWriteCapacityUnits: 40_000,
      }),
      PutItem: (i, trace) => putItem(w(trace), i),
      GetItem: (i) => getItem(tc, i),
      UpdateItem: (i, trace) => updateItem(w(trace), i),
      DeleteItem: (i, trace) => deleteItem(w(trace), i),
      Query: (i) => query(tc, i),
      Scan: (i) => scan(tc, i),
      BatchGetItem: (i) => batchGetItem(tc, i),
      BatchWriteItem: (i, trace) => batchWriteItem(w(trace), i),
      TransactWriteItems: (i, trace) => transactWriteItems(w(trace), i, this.#tokens),
      TransactGetItems: (i) => transactGetItems(tc, i),
    };
  }

  async createTable(input: Obj): Promise<Obj> {
    const def = tableFromInput(
      input,
      { region: this.deps.region, accountId: this.deps.accountId },
      this.deps.clock.now(),
    );
    if (!(await this.deps.backend.createTable(def)))
      throw new TableError('ResourceInUseException', `Table already exists: ${def.name}`);
    this.#changed(def, def.name);
    // AWS answers CREATING; Baton's tables are ready at once, so DescribeTable says ACTIVE.
    return { TableDescription: describeTable(def, { count: 0, bytes: 0 }, 'CREATING') };
  }

  async describe(input: Obj): Promise<Obj> {
    const name = tableNameOf(input);
    const def = await this.deps.backend.getTable(name);
    if (!def) throw notFound(`Table: ${name} not found`);
    this.#defs.set(name, def);
    return { Table: describeTable(def, await this.deps.backend.stats(def)) };
  }

  async listTables(input: Obj): Promise<Obj> {
    const limit = input.Limit ?? 100;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100)
      throw constraint(limit, 'limit', 'Member must have value less than or equal to 100');
    const start = input.ExclusiveStartTableName;
    if (start !== undefined && typeof start !== 'string')
      throw constraint(start, 'exclusiveStartTableName', 'Member must be a string');
    const names = await this.deps.backend.listTables(start, limit + 1);
    const page = names.slice(0, limit);
    return {
      TableNames: page,
      ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}),
    };
  }

  async updateTable(input: Obj): Promise<Obj> {
    const name = tableNameOf(input);
    const current = await this.deps.backend.getTable(name);
    if (!current) throw notFound(`Table: ${name} not found`);
    const next = updatedTable(current, input, this.deps.clock.now());
    await this.deps.backend.updateTable(next);
    this.#changed(next, name);
    return { TableDescription: describeTable(next, await this.deps.backend.stats(next)) };
  }

  async deleteTable(input: Obj): Promise<Obj> {
    const name = tableNameOf(input);
    const def = await this.deps.backend.getTable(name);
    if (!def) throw notFound(`Table: ${name} not found`);
    if (def.deletionProtection)
      throw validationError(
        'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.',
      );
    const stats = await this.deps.backend.stats(def);
    if (!(await this.deps.backend.deleteTable(name))) throw notFound(`Table: ${name} not found`);
    this.#changed(undefined, name);
    return { TableDescription: describeTable(def, stats, 'DELETING') };
  }

  async updateTimeToLive(input: Obj): Promise<Obj> {
    const name = tableNameOf(input);
    const spec = input.TimeToLiveSpecification;
    if (!isObj(spec) || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string')
      throw constraint(spec, 'timeToLiveSpecification', 'Member must not be null');
    if (spec.AttributeName.length === 0 || spec.AttributeName.length > 255)
      throw constraint(
        spec.AttributeName,
        'timeToLiveSpecification.attributeName',
        'Member must have length between 1 and 255',
      );
    const def = await this.table(name);
    const enabled = def.ttl?.enabled === true;
    if (spec.Enabled && enabled) throw validationError('TimeToLive is already enabled');
    if (!spec.Enabled && !enabled) throw validationError('TimeToLive is already disabled');
    if (!spec.Enabled && def.ttl?.attribute !== spec.AttributeName)
      throw validationError(
        'TimeToLive is active on a different AttributeName: current AttributeName is ' + def.ttl?.attribute,
      );
    const next: TableDefinition = { ...def, ttl: { attribute: spec.AttributeName, enabled: spec.Enabled } };
    await this.deps.backend.updateTable(next);
    this.#changed(next, name);
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async describeTimeToLive(input: Obj): Promise<Obj> {
    const def = await this.table(tableNameOf(input));
    return {
      TimeToLiveDescription: def.ttl?.enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: def.ttl.attribute }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  async #byArn(arn: unknown): Promise<TableDefinition> {
    if (typeof arn !== 'string') throw constraint(arn, 'resourceArn', 'Member must not be null');
    const m = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([a-zA-Z0-9_.-]{3,255})$/.exec(arn);
    if (!m) throw validationError(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
    const def = await this.deps.backend.getTable(m[1]!);
    if (!def || def.arn !== arn) throw notFound(`Table: ${m[1]} not found`);
    return def;
  }

  async tagResource(input: Obj): Promise<Obj> {
    const def = await this.#byArn(input.ResourceArn);
    if (!Array.isArray(input.Tags) || input.Tags.length === 0)
      throw constraint(input.Tags, 'tags', 'Member must have length greater than or equal to 1');
    const tags = { ...def.tags };
    for (const t of input.Tags) {
      if (!isObj(t) || typeof t.Key !== 'string' || typeof t.Value !== 'string')
        throw validationError(
          'One or more parameter values were invalid: Tag keys and values must be strings',
        );
      tags[t.Key] = t.Value;
    }
    if (Object.keys(tags).length > 50)
      throw validationError('One or more parameter values were invalid: Too many tags');
    const next = { ...def, tags };
    await this.deps.backend.updateTable(next);
    this.#changed(next, def.name);
    return {};
  }

  async untagResource(input: Obj): Promise<Obj> {
    const def = await this.#byArn(input.ResourceArn);
    if (!Array.isArray(input.TagKeys)) throw constraint(input.TagKeys, 'tagKeys', 'Member must not be null');
    const tags = { ...def.tags };
    for (const k of input.TagKeys) if (typeof k === 'string') delete tags[k];
    const next = { ...def, tags };
    await this.deps.backend.updateTable(next);
    this.#changed(next, def.name);
    return {};
  }

  async listTags(input: Obj): Promise<Obj> {
    const def = await this.#byArn(input.ResourceArn);
    return { Tags: Object.entries(def.tags).map(([Key, Value]) => ({ Key, Value })) };
  }
}
