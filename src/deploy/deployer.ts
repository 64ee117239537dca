import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';
import { type FunctionConfig, type FunctionRecord, validateFunctionName } from '../core/function-spec.ts';
import { routeShape } from '../gateway/route-spec.ts';
import * as guard from '../governance/guardrails.ts';
import type { Registry } from '../registry/registry.ts';
import type { AlarmSpec } from '../telemetry/alarms/spec.ts';
import { type AppResources, type SyncContext, syncMappings, syncRules, syncTopics } from './app-sync.ts';
import type { CodeStore } from './code-store.ts';
import type { RuleEventSpec } from './manifest-events.ts';
import type { QueueEventSpec, QueueSpec } from './manifest-queues.ts';
import type { TableEventSpec, TableSpec } from './manifest-tables.ts';
import type { SubscriptionSpec, TopicSpec } from './manifest-topics.ts';
import { checkTables, syncTableEvents, syncTables } from './table-sync.ts';

export type { AppResources } from './app-sync.ts';

export interface DeployResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  /** Problems that do not stop a deploy (a handler file that is missing). */
  warnings: string[];
  /** Queues the deploy created or brought in line: `orders (created)`. */
  queues?: string[];
  /** Event source mappings it changed: `orders → worker (created)`. */
  mappings?: string[];
  /** Topics and subscriptions it created or changed. */
  topics?: string[];
  /** Buses and rules it created, changed or deleted. */
  rules?: string[];
  /** Tables: `orders (created)`, `orders (updated: index byCustomer added)`, `old (kept: …)`. */
  tables?: string[];
  /** Stream event source mappings of `table` events it changed: `orders → worker (created)`. */
  tableEvents?: string[];
  /** Alarms it created, changed or deleted: `alarm errors-high (created)`. */
  alarms?: string[];
}

/** Applies function changes: one function at a time (admin API) or a whole app (manifest). */
export class Deployer {
  constructor(
    private readonly registry: Registry,
    private readonly code: CodeStore,
    private readonly clock: Clock,
    private readonly resources?: AppResources,
    /** Account-wide limits every change is checked against (src/governance/guardrails.ts). */
    readonly guardrails: guard.Guardrails = guard.DEFAULT_GUARDRAILS,
  ) {}

  private async record(
    name: string,
    config: FunctionConfig,
    code: { sha256: string; size: number },
    app: string | null,
    previous: FunctionRecord | undefined,
  ): Promise<FunctionRecord> {
    const entry = await this.code.resolveEntry(code.sha256, config.handler);
    // Only what an instance is built from: a change to these drains the old instances. The log
    // settings join only when set, so that functions without them keep their revision.
    const built: unknown[] = [code.sha256, entry, config.handler, config.memory, config.environment];
    if (config.logging) built.push(config.logging);
    // Instances hold credentials of the role: a new role replaces them.
    if (config.role) built.push({ role: config.role });
    const revision = createHash('sha256').update(JSON.stringify(built)).digest('hex').slice(0, 16);
    const now = this.clock.now();
    const rec: FunctionRecord = {
      ...config,
      name,
      app,
      runtime: 'nodejs20.x',
      codeSha256: code.sha256,
      codeSize: code.size,
      entry,
      revision,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    // Settings a manifest does not carry stay as the Lambda API left them.
    if (previous?.lastVersion !== undefined) rec.lastVersion = previous.lastVersion;
    if (previous?.description !== undefined) rec.description = previous.description;
    if (previous?.deadLetterTargetArn !== undefined) rec.deadLetterTargetArn = previous.deadLetterTargetArn;
    if (previous?.manifestResources !== undefined) rec.manifestResources = previous.manifestResources;
    return rec;
  }

  private static warningsFor(rec: FunctionRecord, path: string): string[] {
    return rec.entry === null
      ? [
          `${path}.handler: no file ${rec.handler.slice(0, rec.handler.lastIndexOf('.'))}.{js,mjs,cjs,ts} in the code; invocations will fail with Runtime.ImportModuleError`,
        ]
      : [];
  }

  async create(
    name: string,
    config: FunctionConfig,
    zip: Uint8Array,
    extras: { description?: string; deadLetterTargetArn?: string } = {},
  ): Promise<{ record: FunctionRecord; warnings: string[] }> {
    validateFunctionName(name);
    if (this.registry.get(name)) throw new BatonError('ResourceConflict', `Function already exist: ${name}`);
    guard.checkFunctionGuardrails(this.guardrails, this.registry.list(), name, config);
    const code = await this.code.putZip(zip);
    const record = await this.record(name, config, code, null, undefined);
    if (extras.description) record.description = extras.description;
    if (extras.deadLetterTargetArn) record.deadLetterTargetArn = extras.deadLetterTargetArn;
    await this.registry.put(record);
    return { record, warnings: Deployer.warningsFor(record, 'function') };
  }

  async update(
    name: string,
    change: {
      config?: FunctionConfig;
      zip?: Uint8Array;
      /** API-only settings: `null` clears one. */
      description?: string | null;
      deadLetterTargetArn?: string | null;
    },
  ): Promise<{ record: FunctionRecord; warnings: string[] }> {
    const previous = this.registry.get(name);
    if (!previous) throw new BatonError('ResourceNotFound', `Function not found: ${name}`);
    if (change.config)
      guard.checkFunctionGuardrails(this.guardrails, this.registry.list(), name, change.config, previous);
    const code = change.zip
      ? await this.code.putZip(change.zip)
      : { sha256: previous.codeSha256, size: previous.codeSize };
    const record = await this.record(name, change.config ?? previous, code, previous.app, previous);
    // The admin and Lambda APIs carry no routes: the ones the manifest gave stay.
    if (change.config && change.config.routes === undefined && previous.routes)
      record.routes = previous.routes;
    if (change.description !== undefined) setOrClear(record, 'description', change.description);
    if (change.deadLetterTargetArn !== undefined)
      setOrClear(record, 'deadLetterTargetArn', change.deadLetterTargetArn);
    await this.registry.put(record);
    return { record, warnings: Deployer.warningsFor(record, 'function') };
  }

  /**
   * Publishes `$LATEST` as a new immutable version, as Lambda's PublishVersion does: nothing new
   * is published when neither code nor configuration changed since the last version.
   */
  async publish(
    name: string,
    opts: { codeSha256?: string; description?: string; revisionId?: string } = {},
  ): Promise<FunctionRecord> {
    const latest = this.registry.get(name);
    if (!latest) throw new BatonError('ResourceNotFound', `Function not found: ${name}`);
    const sha = Buffer.from(latest.codeSha256, 'hex').toString('base64');
    if (opts.codeSha256 !== undefined && opts.codeSha256 !== sha)
      throw new BatonError(
        'InvalidParameterValue',
        `CodeSHA256 (${opts.codeSha256}) is different from current CodeSHA256 in $LATEST (${sha}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    if (opts.revisionId !== undefined && opts.revisionId !== latest.revision)
      throw new BatonError(
        'PreconditionFailed',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    const last = this.registry.versions(name).at(-1);
    if (last && samePublished(last, latest)) return last;
    const n = (latest.lastVersion ?? 0) + 1;
    const now = this.clock.now();
    const { lastVersion: _l, ...base } = latest;
    const version: FunctionRecord = {
      ...base,
      version: String(n),
      description: opts.description ?? latest.description ?? '',
      // Provisioned instances are kept for $LATEST; a version starts on demand.
      provisionedConcurrency: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.registry.putVersion(version);
    await this.registry.put({ ...latest, lastVersion: n });
    return version;
  }

  /** Deletes a published version; one that an alias points at stays. */
  async deleteVersion(name: string, version: string): Promise<void> {
    if (!this.registry.getVersion(name, version))
      throw new BatonError('ResourceNotFound', `Function not found: ${name}:${version}`);
    const users = this.registry
      .aliases(name)
      .filter((a) => a.functionVersion === version || version in a.weights)
      .map((a) => a.name);
    if (users.length > 0)
      throw new BatonError(
        'ResourceConflict',
        `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`,
      );
    await this.registry.deleteVersion(name, version);
  }

  async delete(name: string): Promise<void> {
    if (!(await this.registry.delete(name)))
      throw new BatonError('ResourceNotFound', `Function not found: ${name}`);
  }

  /**
   * Makes the running app match a manifest: creates and updates its functions, leaves the
   * unchanged ones (and their warm instances) alone, and deletes the app's functions that the
   * manifest no longer has. Functions of other apps are never touched.
   */
  private sync(): SyncContext {
    return { registry: this.registry, resources: this.resources!, clock: this.clock };
  }

  async deployApp(
    app: string,
    functions: Record<string, FunctionConfig>,
    zip: Uint8Array,
    extra: {
      queues?: QueueSpec[];
      queueEvents?: QueueEventSpec[];
      topics?: TopicSpec[];
      topicEvents?: { topic: string; subscription: SubscriptionSpec }[];
      buses?: string[];
      ruleEvents?: RuleEventSpec[];
      tables?: TableSpec[];
      tableEvents?: TableEventSpec[];
      alarms?: AlarmSpec[];
    } = {},
  ): Promise<DeployResult> {
    const result: DeployResult = {
      created: [],
      updated: [],
      unchanged: [],
      deleted: [],
      warnings: [],
      queues: [],
      mappings: [],
    };
    const queues = extra.queues ?? [];
    const queueEvents = extra.queueEvents ?? [];
    const topics = extra.topics ?? [];
    const topicEvents = extra.topicEvents ?? [];
    const tables = extra.tables ?? [];
    const tableEvents = extra.tableEvents ?? [];
    if (
      [queues, queueEvents, topics, topicEvents, tables, tableEvents].some((l) => l.length > 0) &&
      !this.resources
    )
      throw new BatonError(
        'InvalidParameterValue',
        'queues, topics, tables: this server has no queue, topic or table service',
      );
    for (const t of topics)
      for (const s of t.subscriptions)
        if (
          s.protocol === 'sqs' &&
          !queues.some((q) => q.name === s.target) &&
          !(await this.resources!.queueExists(s.target))
        )
          throw new BatonError(
            'InvalidParameterValue',
            `${s.path}.queue: no queue ${s.target} (declare it under queues:)`,
            { details: { path: `${s.path}.queue` } },
          );
    for (const e of topicEvents)
      if (!topics.some((t) => t.name === e.topic) && !(await this.resources!.topicExists(e.topic)))
        throw new BatonError(
          'InvalidParameterValue',
          `${e.subscription.path}.topic: no topic ${e.topic} (declare it under topics:)`,
          { details: { path: `${e.subscription.path}.topic` } },
        );
    for (const ev of queueEvents) {
      if (!queues.some((q) => q.name === ev.queue) && !(await this.resources!.queueExists(ev.queue)))
        throw new BatonError(
          'InvalidParameterValue',
          `${ev.path ?? 'queue'}: no queue ${ev.queue} (declare it under queues:)`,
          { details: { path: ev.path } },
        );
    }
    for (const name of Object.keys(functions)) {
      validateFunctionName(name, `functions.${name}`);
      const owner = this.registry.get(name)?.app;
      if (owner !== undefined && owner !== app)
        throw new BatonError(
          'ResourceConflict',
          `functions.${name}: a function of that name belongs to ${owner === null ? 'no app' : `app "${owner}"`}`,
        );
    }
    checkRoutes(this.registry, app, functions);
    guard.checkAppGuardrails(this.guardrails, this.registry.list(), app, functions);
    const tablePlans = this.resources
      ? await checkTables(this.sync(), app, tables, tableEvents, queues, topics)
      : [];
    const code = await this.code.putZip(zip);
    // What the app's functions may use without a role (src/governance/app-policy.ts).
    const declared = {
      queues: queues.map((q) => q.name),
      topics: topics.map((t) => t.name),
      tables: tables.map((t) => t.name),
      buses: [...(extra.buses ?? [])],
    };
    const declares = Object.values(declared).some((l) => l.length > 0);
    for (const [name, config] of Object.entries(functions)) {
      const previous = this.registry.get(name);
      const record = await this.record(name, config, code, app, previous);
      if (declares) record.manifestResources = declared;
      else delete record.manifestResources;
      result.warnings.push(...Deployer.warningsFor(record, `functions.${name}`));
      if (previous && sameDeployment(previous, record)) {
        result.unchanged.push(name);
        continue;
      }
      await this.registry.put(record);
      (previous ? result.updated : result.created).push(name);
    }
    for (const rec of this.registry.list()) {
      if (rec.app === app && !(rec.name in functions)) {
        await this.registry.delete(rec.name);
        result.deleted.push(rec.name);
      }
    }
    if (this.resources) {
      // Queues are created or brought in line, never deleted by a deploy: they hold data.
      for (const q of queues) {
        const attributes = { ...q.attributes };
        if (q.deadLetter)
          attributes.RedrivePolicy = JSON.stringify({
            deadLetterTargetArn: this.resources.queueArn(q.deadLetter.queue),
            maxReceiveCount: q.deadLetter.maxReceiveCount,
          });
        result.queues!.push(`${q.name} (${await this.resources.ensureQueue(q.name, attributes)})`);
      }
      await syncMappings(this.sync(), app, queueEvents, result);
      await syncTopics(this.sync(), app, functions, queues, topics, topicEvents, result);
      await syncRules(this.sync(), app, extra.buses ?? [], extra.ruleEvents ?? [], result);
      // After queues and topics: a table event's on-failure destination may be one of them.
      await syncTables(this.sync(), app, tables, result);
      await syncTableEvents(this.sync(), app, tablePlans, result);
      const alarms = await this.resources.syncAlarms?.(app, extra.alarms ?? []);
      if (alarms?.length) result.alarms = alarms;
    }
    return result;
  }
}

/**
 * Refuses routes that another app's function (or an app-less one) serves already: one route, one
 * function. Collisions inside one manifest are refused when it is parsed.
 */
function checkRoutes(registry: Registry, app: string, functions: Record<string, FunctionConfig>): void {
  const taken = new Map<string, FunctionRecord>();
  for (const rec of registry.list()) {
    if (rec.app === app) continue;
    for (const r of rec.routes ?? []) taken.set(routeShape(r.route), rec);
  }
  for (const [name, config] of Object.entries(functions)) {
    (config.routes ?? []).forEach((r, i) => {
      const owner = taken.get(routeShape(r.route));
      if (!owner) return;
      const path = `functions.${name}.events[${i}].http`;
      const where = owner.app === null ? '' : ` of app "${owner.app}"`;
      throw new BatonError(
        'ResourceConflict',
        `${path}: route "${r.route}" is already served by function "${owner.name}"${where}; a route has one function`,
        { details: { path } },
      );
    });
  }
}

function sameDeployment(a: FunctionRecord, b: FunctionRecord): boolean {
  const strip = ({ createdAt: _c, updatedAt: _u, ...rest }: FunctionRecord) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function setOrClear<K extends 'description' | 'deadLetterTargetArn'>(
  rec: FunctionRecord,
  key: K,
  value: string | null,
): void {
  if (value === null || value === '') delete rec[key];
  else rec[key] = value;
}

/** A version is worth publishing only when what runs, or how it is configured, changed. */
function samePublished(version: FunctionRecord, latest: FunctionRecord): boolean {
  const pick = (r: FunctionRecord) =>
    JSON.stringify([
      r.codeSha256,
      r.handler,
      r.memory,
      r.timeout,
      r.environment,
      r.entry,
      r.deadLetterTargetArn,
      r.logging,
      r.role,
    ]);
  return pick(version) === pick(latest);
}
