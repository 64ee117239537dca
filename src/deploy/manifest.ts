import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import { BatonError } from '../core/errors.ts';
import { type FunctionConfig, parseFunctionConfig, validateFunctionName } from '../core/function-spec.ts';
import { routeShape, splitEvents } from '../gateway/route-spec.ts';
import type { AlarmSpec } from '../telemetry/alarms/spec.ts';
import { parseAlarms } from './manifest-alarms.ts';
import { parseBuses, parseRuleEvent, type RuleEventSpec } from './manifest-events.ts';
import { parseQueueEvent, parseQueues, type QueueEventSpec, type QueueSpec } from './manifest-queues.ts';
import {
  checkTableEvents,
  parseTableEvent,
  parseTables,
  type TableEventSpec,
  type TableSpec,
} from './manifest-tables.ts';
import { parseTopicEvent, parseTopics, type SubscriptionSpec, type TopicSpec } from './manifest-topics.ts';

/** A parsed `baton.yaml`. */
export interface Manifest {
  /** Names the app; `baton deploy` prunes only this app's functions. Default: the folder's name. */
  app: string;
  functions: Record<string, FunctionConfig>;
  /** The `queues` section. */
  queues: QueueSpec[];
  /** The functions' `queue` events: the event source mappings the app keeps. */
  queueEvents: QueueEventSpec[];
  /** The `topics` section. */
  topics: TopicSpec[];
  /** The functions' `topic` events: lambda subscriptions the app keeps. */
  topicEvents: { topic: string; subscription: SubscriptionSpec }[];
  /** The `buses` section: custom event buses. */
  buses: string[];
  /** The functions' `schedule` and `rule` events: bus rules the app keeps. */
  ruleEvents: RuleEventSpec[];
  /** The `tables` section. */
  tables: TableSpec[];
  /** The functions' `table` events: stream event source mappings the app keeps. */
  tableEvents: TableEventSpec[];
  /** The `alarms` section: metric alarms the app keeps. */
  alarms: AlarmSpec[];
}

const SECTIONS = new Set(['app', 'functions', 'queues', 'topics', 'buses', 'tables', 'alarms']);

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

/**
 * Parses and validates a manifest. Every error names the field path (`functions.hello.memory`)
 * and what is wrong with it.
 */
export function parseManifest(text: string, dir: string): Manifest {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new BatonError('InvalidRequestContent', `baton.yaml is not valid YAML: ${e.message}`);
  }
  const root: unknown = doc.toJS();
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw invalid('baton.yaml', 'must be a mapping with a "functions" section');
  const o = root as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!SECTIONS.has(key)) throw invalid(key, 'is not a known section');
  const app = o.app === undefined ? defaultAppName(dir) : o.app;
  if (typeof app !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(app))
    throw invalid('app', 'must be 1-64 letters, digits, hyphens or underscores');
  const fns = o.functions;
  if (typeof fns !== 'object' || fns === null || Array.isArray(fns))
    throw invalid('functions', 'is required: a mapping of function names to their settings');
  const functions: Record<string, FunctionConfig> = {};
  const queues = parseQueues(o.queues);
  const queueEvents: QueueEventSpec[] = [];
  const topics = parseTopics(o.topics);
  const topicEvents: Manifest['topicEvents'] = [];
  const buses = parseBuses(o.buses);
  const ruleEvents: RuleEventSpec[] = [];
  const tables = parseTables(o.tables);
  const tableEvents: TableEventSpec[] = [];
  const alarms = parseAlarms(o.alarms);
  // Route shape → where it was first declared: two declarations of one route are an error.
  const claimed = new Map<string, string>();
  for (const [name, config] of Object.entries(fns as Record<string, unknown>)) {
    const path = `functions.${name}`;
    validateFunctionName(name, path);
    const fn = parseFunctionConfig(config, path, ['events']);
    functions[name] = fn;
    const { routes, others } = splitEvents((config as Record<string, unknown>).events, `${path}.events`);
    for (const other of others) {
      if (other.kind === 'topic') topicEvents.push(parseTopicEvent(name, other.event, other.path));
      else if (other.kind === 'schedule' || other.kind === 'rule')
        ruleEvents.push({
          ...parseRuleEvent(name, other.kind, other.event, other.path),
          name: `baton-${app}-${name}-${/\[(\d+)\]$/.exec(other.path)?.[1] ?? '0'}`.slice(0, 64),
        });
      else if (other.kind === 'table') tableEvents.push(parseTableEvent(name, other.event, other.path));
      else
        queueEvents.push({ ...parseQueueEvent(name, other.event, other.path), path: `${other.path}.queue` });
    }
    if (routes.length === 0) continue;
    fn.routes = routes;
    routes.forEach((r, i) => {
      const shape = routeShape(r.route);
      const first = claimed.get(shape);
      if (first !== undefined)
        throw invalid(`${path}.events[${i}].http`, `route "${r.route}" is already declared by ${first}`);
      claimed.set(shape, `${path}.events`);
    });
  }
  checkTableEvents(tables, tableEvents);
  return {
    app,
    functions,
    queues,
    queueEvents,
    topics,
    topicEvents,
    buses,
    ruleEvents,
    tables,
    tableEvents,
    alarms,
  };
}

function defaultAppName(dir: string): string {
  const name = basename(dir)
    .replace(/[^a-zA-Z0-9_-]/g, '-')
    .slice(0, 64);
  return name.length > 0 ? name : 'app';
}
