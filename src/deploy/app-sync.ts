import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { FunctionConfig } from '../core/function-spec.ts';
import type { Registry } from '../registry/registry.ts';
import type { AlarmSpec } from '../telemetry/alarms/spec.ts';
import type { DeployResult } from './deployer.ts';
import type { RuleEventSpec } from './manifest-events.ts';
import type { QueueEventSpec, QueueSpec } from './manifest-queues.ts';
import type { SubscriptionSpec, TopicSpec } from './manifest-topics.ts';
import type { TableResources } from './table-sync.ts';

/** What a deploy needs of the services an app declares (queues, topics, buses and tables). */
export interface AppResources extends TableResources {
  ensureBus(name: string): Promise<'created' | 'unchanged'>;
  /** The app's rules (by name prefix) on these buses. */
  rulesWithPrefix(prefix: string, buses: readonly string[]): Promise<{ bus: string; name: string }[]>;
  /** Puts a rule whose one target is the function; says what changed. */
  putFunctionRule(spec: RuleEventSpec, functionArn: string): Promise<'created' | 'updated' | 'unchanged'>;
  deleteRule(bus: string, name: string): Promise<void>;
  functionArn(name: string): string;
  topicExists(name: string): Promise<boolean>;
  topicArn(name: string): string;
  /** Creates the topic, or sets the attributes that differ. */
  ensureTopic(name: string, attributes: Record<string, string>): Promise<'created' | 'updated' | 'unchanged'>;
  subscriptions(
    topic: string,
  ): Promise<{ arn: string; protocol: string; endpoint: string; attributes: Record<string, string> }[]>;
  subscribe(
    topic: string,
    protocol: string,
    endpoint: string,
    attributes: Record<string, string>,
  ): Promise<void>;
  setSubscriptionAttributes(arn: string, attributes: Record<string, string>): Promise<void>;
  unsubscribe(arn: string): Promise<void>;
  queueExists(name: string): Promise<boolean>;
  queueArn(name: string): string;
  /** Creates the queue, or sets the attributes that differ. */
  ensureQueue(name: string, attributes: Record<string, string>): Promise<'created' | 'updated' | 'unchanged'>;
  /** Makes the app's metric alarms these (README, "Alarms"); says what changed. */
  syncAlarms?(app: string, alarms: readonly AlarmSpec[]): Promise<string[]>;
}

/** What syncing an app's resources works with. */
export interface SyncContext {
  registry: Registry;
  resources: AppResources;
  clock: Clock;
}

/**
 * Creates the manifest's topics (or brings their attributes in line) and keeps their
 * subscriptions: missing ones are made, changed ones updated, and those that point at this
 * app's own queues or functions but are no longer declared are removed. Subscriptions made by
 * other means to other endpoints are left alone.
 */
export async function syncTopics(
  ctx: SyncContext,
  app: string,
  functions: Record<string, FunctionConfig>,
  queues: QueueSpec[],
  topics: TopicSpec[],
  topicEvents: { topic: string; subscription: SubscriptionSpec }[],
  result: DeployResult,
): Promise<void> {
  const r = ctx.resources;
  result.topics = [];
  const endpointOf = (s: SubscriptionSpec) =>
    s.protocol === 'sqs'
      ? r.queueArn(s.target)
      : s.protocol === 'lambda'
        ? r.functionArn(s.target)
        : s.target;
  const owned = new Set([
    ...queues.map((q) => r.queueArn(q.name)),
    ...Object.keys(functions).map((f) => r.functionArn(f)),
  ]);
  for (const app_ of ctx.registry.list()) if (app_.app === app) owned.add(r.functionArn(app_.name));
  const names = new Set([...topics.map((t) => t.name), ...topicEvents.map((e) => e.topic)]);
  for (const name of names) {
    const spec = topics.find((t) => t.name === name);
    if (spec) result.topics.push(`${name} (${await r.ensureTopic(name, spec.attributes)})`);
    const desired = [
      ...(spec?.subscriptions ?? []),
      ...topicEvents.filter((e) => e.topic === name).map((e) => e.subscription),
    ];
    const existing = await r.subscriptions(name);
    for (const s of desired) {
      const endpoint = endpointOf(s);
      const have = existing.find((e) => e.protocol === s.protocol && e.endpoint === endpoint);
      const label = `${name} → ${s.protocol === 'lambda' || s.protocol === 'sqs' ? s.target : endpoint}`;
      if (!have) {
        await r.subscribe(name, s.protocol, endpoint, s.attributes);
        result.topics.push(`subscription ${label} (created)`);
        continue;
      }
      existing.splice(existing.indexOf(have), 1);
      const keys = ['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope'];
      const changed: Record<string, string> = {};
      for (const k of keys) {
        const want =
          s.attributes[k] ??
          (k === 'RawMessageDelivery' ? 'false' : k === 'FilterPolicyScope' ? 'MessageAttributes' : '');
        const got =
          have.attributes[k] ??
          (k === 'RawMessageDelivery' ? 'false' : k === 'FilterPolicyScope' ? 'MessageAttributes' : '');
        if (want !== got && !(k === 'FilterPolicy' && sameJson(want, got))) changed[k] = want;
      }
      if (Object.keys(changed).length === 0) continue;
      await r.setSubscriptionAttributes(have.arn, changed);
      result.topics.push(`subscription ${label} (updated)`);
    }
    if (!spec) continue;
    for (const e of existing) {
      if (!owned.has(e.endpoint)) continue;
      await r.unsubscribe(e.arn);
      result.topics.push(`subscription ${name} → ${e.endpoint} (deleted)`);
    }
  }
}

/** Makes the app's event source mappings match its `queue` events. */
export async function syncMappings(
  ctx: SyncContext,
  app: string,
  events: QueueEventSpec[],
  result: DeployResult,
): Promise<void> {
  // Stream mappings are the `table` events': src/deploy/table-sync.ts keeps them.
  const existing = ctx.registry.mappings().filter((m) => m.app === app && m.stream === undefined);
  const now = ctx.clock.now();
  for (const ev of events) {
    const arn = ctx.resources.queueArn(ev.queue);
    const settings = {
      batchSize: ev.batchSize,
      maximumBatchingWindowSeconds: ev.maximumBatchingWindowSeconds,
      reportBatchItemFailures: ev.reportBatchItemFailures,
      maximumConcurrency: ev.maximumConcurrency,
      enabled: ev.enabled,
    };
    const i = existing.findIndex((m) => m.function === ev.function && m.eventSourceArn === arn);
    const label = `${ev.queue} → ${ev.function}`;
    if (i >= 0) {
      const m = existing.splice(i, 1)[0]!;
      const same = Object.entries(settings).every(([k, v]) => m[k as keyof typeof settings] === v);
      if (same) continue;
      await ctx.registry.putMapping({ ...m, ...settings, lastModified: now });
      result.mappings!.push(`${label} (updated)`);
    } else {
      await ctx.registry.putMapping({
        uuid: randomUUID(),
        function: ev.function,
        qualifier: null,
        eventSourceArn: arn,
        ...settings,
        app,
        lastModified: now,
      });
      result.mappings!.push(`${label} (created)`);
    }
  }
  for (const m of existing) {
    await ctx.registry.deleteMapping(m);
    result.mappings!.push(
      `${m.eventSourceArn.slice(m.eventSourceArn.lastIndexOf(':') + 1)} → ${m.function} (deleted)`,
    );
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/**
 * Creates the app's buses, and keeps its rules (`schedule` and `rule` events) in line: named
 * `baton-APP-FUNCTION-N`, each with its function as the one target; the app's rules no longer
 * declared are deleted.
 */
export async function syncRules(
  ctx: SyncContext,
  app: string,
  buses: readonly string[],
  events: readonly RuleEventSpec[],
  result: DeployResult,
): Promise<void> {
  const r = ctx.resources;
  result.rules = [];
  for (const b of buses) {
    const made = await r.ensureBus(b);
    if (made === 'created') result.rules.push(`bus ${b} (created)`);
  }
  for (const e of events) {
    const outcome = await r.putFunctionRule(e, r.functionArn(e.function));
    if (outcome !== 'unchanged') result.rules.push(`rule ${e.name} → ${e.function} (${outcome})`);
  }
  const prefix = `baton-${app}-`;
  const where = [...new Set(['default', ...buses, ...events.map((e) => e.bus)])];
  for (const owned of await r.rulesWithPrefix(prefix, where)) {
    if (events.some((e) => e.name === owned.name && e.bus === owned.bus)) continue;
    await r.deleteRule(owned.bus, owned.name);
    result.rules.push(`rule ${owned.name} (deleted)`);
  }
}
