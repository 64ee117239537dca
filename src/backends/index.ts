import { join } from 'node:path';
import type { AccessKeyBackend } from '../governance/access-keys.ts';
import type { UsageBackend } from '../governance/costs/backend.ts';
import type { IamBackend } from '../governance/iam/backend.ts';
import type { RegistryBackend } from '../registry/backend.ts';
import type { AsyncEventBackend } from '../runtime/async/backend.ts';
import type { BusBackend } from '../services/bus/backend.ts';
import type { QueueBackend } from '../services/queues/backend.ts';
import type { ScheduleBackend } from '../services/scheduler/backend.ts';
import type { TableBackend } from '../services/tables/backend.ts';
import type { TopicBackend } from '../services/topics/backend.ts';
import type { AlarmBackend } from '../telemetry/alarms/backend.ts';
import type { LogBackend } from '../telemetry/logs/backend.ts';
import { memoryAccessKeys } from './memory/access-keys.ts';
import { memoryAlarms } from './memory/alarms.ts';
import { memoryAsyncEvents } from './memory/async-events.ts';
import { memoryIam } from './memory/iam.ts';
import { memoryLogs } from './memory/logs.ts';
import { memoryRegistry } from './memory/registry.ts';
import { memoryUsage } from './memory/usage.ts';
import { sqliteAccessKeys } from './sqlite/access-keys.ts';
import { sqliteAlarms } from './sqlite/alarms.ts';
import { sqliteAsyncEvents } from './sqlite/async-events.ts';
import { sqliteBus } from './sqlite/bus.ts';
import { openSqlite } from './sqlite/database.ts';
import { sqliteIam } from './sqlite/iam.ts';
import { sqliteLogs } from './sqlite/logs.ts';
import { sqliteQueues } from './sqlite/queues.ts';
import { sqliteRegistry } from './sqlite/registry.ts';
import { sqliteSchedules } from './sqlite/schedules.ts';
import { sqliteTables } from './sqlite/tables.ts';
import { sqliteTopics } from './sqlite/topics.ts';
import { sqliteUsage } from './sqlite/usage.ts';

/** The durable stores the server composes. */
export interface Backends {
  registry: RegistryBackend;
  logs: LogBackend;
  asyncEvents: AsyncEventBackend;
  accessKeys: AccessKeyBackend;
  /** IAM users, roles and inline policies (their access keys are in `accessKeys`). */
  iam: IamBackend;
  queues: QueueBackend;
  /** Topics share the queues' database: a publish writes into queues in its own transaction. */
  topics: TopicBackend;
  /** EventBridge Scheduler: groups, schedules and the fire ledger. */
  schedules: ScheduleBackend;
  /** Event buses, rules and their delivery outbox. */
  bus: BusBackend;
  /** DynamoDB-compatible tables: definitions, items, index entries and stream records. */
  tables: TableBackend;
  /** Metered usage (daily totals) and budgets. */
  usage: UsageBackend;
  /** Metric alarms' rules. */
  alarms: AlarmBackend;
  close(): void;
}

export type StorageKind = 'sqlite' | 'memory';

/** One registry of backend kinds: the name in configuration maps to a factory here. */
export const storageKinds: Record<StorageKind, (dataDir: string) => Backends> = {
  sqlite(dataDir) {
    const db = openSqlite(join(dataDir, 'baton.db'));
    return {
      registry: sqliteRegistry(db),
      logs: sqliteLogs(db),
      asyncEvents: sqliteAsyncEvents(db),
      accessKeys: sqliteAccessKeys(db),
      iam: sqliteIam(db),
      queues: sqliteQueues(db),
      topics: sqliteTopics(db),
      schedules: sqliteSchedules(db),
      bus: sqliteBus(db),
      tables: sqliteTables(db),
      usage: sqliteUsage(db),
      alarms: sqliteAlarms(db),
      close: () => db.close(),
    };
  },
  memory() {
    const scratch = openSqlite(':memory:');
    return {
      registry: memoryRegistry(),
      logs: memoryLogs(),
      asyncEvents: memoryAsyncEvents(),
      accessKeys: memoryAccessKeys(),
      iam: memoryIam(),
      // Queues and tables keep their SQL semantics in an in-memory SQLite database.
      queues: sqliteQueues(scratch),
      topics: sqliteTopics(scratch),
      schedules: sqliteSchedules(scratch),
      bus: sqliteBus(scratch),
      tables: sqliteTables(scratch),
      usage: memoryUsage(),
      alarms: memoryAlarms(),
      close: () => scratch.close(),
    };
  },
};
