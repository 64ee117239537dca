import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BatonError } from '../../core/errors.ts';

export type SqliteDatabase = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE function_logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     function TEXT NOT NULL,
     ts INTEGER NOT NULL,
     request_id TEXT,
     message TEXT NOT NULL
   );
   CREATE INDEX function_logs_fn_ts ON function_logs (function, ts);
   CREATE INDEX function_logs_ts ON function_logs (ts);`,
  `CREATE TABLE function_resources (
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (kind, key)
   );
   CREATE TABLE async_events (
     id TEXT PRIMARY KEY,
     function TEXT NOT NULL,
     qualifier TEXT NOT NULL,
     payload TEXT NOT NULL,
     enqueued_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL,
     throttles INTEGER NOT NULL,
     leased INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX async_events_due ON async_events (due_at);
   CREATE TABLE access_keys (
     id TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );`,
  `CREATE TABLE queues (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE queue_messages (
     seq INTEGER PRIMARY KEY,
     queue TEXT NOT NULL,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     meta TEXT NOT NULL,
     group_id TEXT,
     dedup_id TEXT,
     sent_at INTEGER NOT NULL,
     visible_at INTEGER NOT NULL,
     receive_count INTEGER NOT NULL DEFAULT 0,
     first_receive_at INTEGER,
     receipt TEXT,
     source_queue TEXT
   );
   CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, seq);
   CREATE INDEX queue_messages_group ON queue_messages (queue, group_id, seq);
   CREATE TABLE queue_dedup (
     queue TEXT NOT NULL,
     scope TEXT NOT NULL,
     dedup_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (queue, scope, dedup_id)
   );`,
  // A message's seq (a FIFO SequenceNumber) must only grow: without AUTOINCREMENT, SQLite hands
  // the largest rowid out again once that row is deleted. Dedup entries may hold deleted seqs.
  `CREATE TABLE queue_messages_v2 (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     queue TEXT NOT NULL,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     meta TEXT NOT NULL,
     group_id TEXT,
     dedup_id TEXT,
     sent_at INTEGER NOT NULL,
     visible_at INTEGER NOT NULL,
     receive_count INTEGER NOT NULL DEFAULT 0,
     first_receive_at INTEGER,
     receipt TEXT,
     source_queue TEXT
   );
   INSERT INTO queue_messages_v2 SELECT seq, queue, id, body, meta, group_id, dedup_id, sent_at, visible_at,
     receive_count, first_receive_at, receipt, source_queue FROM queue_messages;
   DROP TABLE queue_messages;
   ALTER TABLE queue_messages_v2 RENAME TO queue_messages;
   CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, seq);
   CREATE INDEX queue_messages_group ON queue_messages (queue, group_id, seq);
   INSERT INTO sqlite_sequence (name, seq) SELECT 'queue_messages', 0
     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'queue_messages');
   UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(seq), 0) FROM queue_dedup))
     WHERE name = 'queue_messages';`,
  // Topics: subscriptions, FIFO deduplication, and the outbox of deliveries to functions and
  // HTTP endpoints (queue deliveries go straight into queue_messages, in the publish's transaction).
  `CREATE TABLE topics (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL,
     seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE topic_subscriptions (
     id TEXT PRIMARY KEY,
     topic TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX topic_subscriptions_topic ON topic_subscriptions (topic, created_at);
   CREATE TABLE topic_dedup (
     topic TEXT NOT NULL,
     dedup_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (topic, dedup_id)
   );
   CREATE TABLE topic_deliveries (
     id TEXT PRIMARY KEY,
     subscription TEXT NOT NULL,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     leased INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX topic_deliveries_due ON topic_deliveries (due_at);
   CREATE INDEX topic_deliveries_subscription ON topic_deliveries (subscription);`,
  // Receives walk a queue's messages oldest first. An index on visible_at would be rewritten by
  // every receive (each hides its messages) for little gain: counts and long-poll timers scan.
  `CREATE INDEX queue_messages_seq ON queue_messages (queue, seq);
   DROP INDEX queue_messages_visible;`,
  // Event bus: buses, rules (targets inside the rule's record) and the delivery outbox.
  `CREATE TABLE bus_buses (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE bus_rules (
     bus TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (bus, name)
   );
   CREATE TABLE bus_deliveries (
     id TEXT PRIMARY KEY,
     due_at INTEGER NOT NULL,
     leased INTEGER NOT NULL DEFAULT 0,
     record TEXT NOT NULL
   );
   CREATE INDEX bus_deliveries_due ON bus_deliveries (due_at);`,
  // EventBridge Scheduler: groups, schedules, and the fire ledger (one row per fired slot; the
  // primary key makes a claim an insert-or-ignore, so a restart never fires a slot twice).
  `CREATE TABLE schedule_groups (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE schedules (
     grp TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (grp, name)
   );
   CREATE TABLE schedule_fires (
     grp TEXT NOT NULL,
     name TEXT NOT NULL,
     fire_time INTEGER NOT NULL,
     claimed_at INTEGER NOT NULL,
     PRIMARY KEY (grp, name, fire_time)
   );`,
  // A fire is claimed, then marked delivered: a claim left undelivered by a crash is sent again.
  `ALTER TABLE schedule_fires ADD COLUMN delivered_at INTEGER;`,
  // A claim keeps the schedule as it fired, so a crash before hand-over never loses the fire, even
  // when the schedule is deleted meanwhile (ActionAfterCompletion DELETE); such rows are orphaned
  // and dropped once delivered.
  `ALTER TABLE schedule_fires ADD COLUMN snapshot TEXT;
   ALTER TABLE schedule_fires ADD COLUMN orphaned INTEGER NOT NULL DEFAULT 0;`,
  // Tables (DynamoDB): definitions, items under order-preserving byte keys (`services/tables/keys.ts`;
  // sk is empty without a sort key), secondary-index entries pointing at their items, and stream
  // records with a per-stream counter (seqs only grow, even once old records are trimmed). Items
  // and entries lead their keys with the partition key's 16-bit hash (`backends/table-rows.ts`):
  // one B-tree each then serves point reads, queries, and scans in parallel-scan segment order.
  `CREATE TABLE table_defs (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE table_items (
     tbl TEXT NOT NULL,
     hash INTEGER NOT NULL,
     pk BLOB NOT NULL,
     sk BLOB NOT NULL,
     size INTEGER NOT NULL,
     expires_at INTEGER,
     item TEXT NOT NULL,
     PRIMARY KEY (tbl, hash, pk, sk)
   );
   CREATE INDEX table_items_expiry ON table_items (tbl, expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE table_index_entries (
     tbl TEXT NOT NULL,
     idx TEXT NOT NULL,
     hash INTEGER NOT NULL,
     ipk BLOB NOT NULL,
     isk BLOB NOT NULL,
     pk BLOB NOT NULL,
     sk BLOB NOT NULL,
     item_hash INTEGER NOT NULL,
     PRIMARY KEY (tbl, idx, hash, ipk, isk, pk, sk)
   ) WITHOUT ROWID;
   CREATE TABLE table_stream_seqs (
     stream_arn TEXT PRIMARY KEY,
     last_seq INTEGER NOT NULL
   );
   CREATE TABLE table_stream_records (
     stream_arn TEXT NOT NULL,
     seq INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (stream_arn, seq)
   );
   CREATE INDEX table_stream_records_age ON table_stream_records (created_at);
   CREATE TABLE table_stream_checkpoints (
     consumer TEXT PRIMARY KEY,
     seq INTEGER NOT NULL
   );`,
  // Function logs are read page by page in id order (FilterLogEvents' nextToken, --follow) and by
  // request id: a function's rows in id order (the rowid ends every index), and its request ids.
  `CREATE INDEX function_logs_fn_id ON function_logs (function);
   CREATE INDEX function_logs_request ON function_logs (function, request_id);`,
  // IAM users, roles and their inline policies, keyed by lower-cased names (IAM names are unique
  // regardless of case). Access keys stay in access_keys: a key's record names its user.
  `CREATE TABLE iam_users (
     name_key TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE iam_roles (
     name_key TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE iam_inline_policies (
     holder TEXT NOT NULL,
     holder_key TEXT NOT NULL,
     name_key TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (holder, holder_key, name_key)
   );`,
  // Cost metering (README, "Costs and budgets"): daily totals per (day, app, function), the ids
  // of applied flushes (a retried flush adds nothing), budgets, and the alerts already sent.
  `CREATE TABLE usage_daily (
     day TEXT NOT NULL,
     app TEXT NOT NULL,
     function TEXT NOT NULL,
     invocations INTEGER NOT NULL,
     billed_ms INTEGER NOT NULL,
     mb_ms INTEGER NOT NULL,
     gateway_requests INTEGER NOT NULL,
     queue_requests INTEGER NOT NULL,
     topic_requests INTEGER NOT NULL,
     bus_events INTEGER NOT NULL,
     read_half_units INTEGER NOT NULL,
     write_units INTEGER NOT NULL,
     PRIMARY KEY (day, app, function)
   );
   CREATE TABLE usage_flushes (
     id TEXT PRIMARY KEY,
     applied_at INTEGER NOT NULL
   );
   CREATE TABLE budgets (
     scope TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (scope, name)
   );
   CREATE TABLE budget_alerts (
     scope TEXT NOT NULL,
     name TEXT NOT NULL,
     month TEXT NOT NULL,
     threshold REAL NOT NULL,
     PRIMARY KEY (scope, name, month, threshold)
   );`,
  // Metric alarms (README, "Alarms"): their rules only; states restart in INSUFFICIENT_DATA.
  `CREATE TABLE alarms (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );`,
];

/**
 * Opens (and migrates) the embedded database: one SQLite file in WAL mode.
 * `synchronous=NORMAL` keeps commits durable across a process crash; only an OS crash may lose
 * the last transactions.
 */
export function openSqlite(file: string): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
    // The database holds access keys' secrets: only the owner may read it (WAL files follow).
    if (file !== ':memory:') chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } catch (e) {
    throw translateSqliteError(e, `could not open database ${file}`);
  }
  return db;
}

/** Turns a driver error into a Baton error, keeping the original as `cause`. */
export function translateSqliteError(e: unknown, what: string): BatonError {
  const code = (e as { code?: string }).code ?? 'unknown';
  return new BatonError('BackendFailure', `${what}: sqlite ${code}: ${(e as Error).message}`, { cause: e });
}

/** Runs a statement, translating driver errors. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translateSqliteError(e, what);
  }
}
