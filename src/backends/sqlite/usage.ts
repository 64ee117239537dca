import type { Budget, UsageBackend } from '../../governance/costs/backend.ts';
import type { UsageRow } from '../../governance/costs/usage.ts';
import { guard, type SqliteDatabase } from './database.ts';

interface Row {
  day: string;
  app: string;
  function: string;
  invocations: number;
  billed_ms: number;
  mb_ms: number;
  gateway_requests: number;
  queue_requests: number;
  topic_requests: number;
  bus_events: number;
  read_half_units: number;
  write_units: number;
}

/** Usage and budgets in the embedded database (tables `usage_*`, `budget*`). */
export function sqliteUsage(db: SqliteDatabase): UsageBackend {
  const seen = db.prepare<[string, number]>(
    'INSERT OR IGNORE INTO usage_flushes (id, applied_at) VALUES (?, ?)',
  );
  const add = db.prepare<Row>(
    `INSERT INTO usage_daily (day, app, function, invocations, billed_ms, mb_ms, gateway_requests,
       queue_requests, topic_requests, bus_events, read_half_units, write_units)
     VALUES (@day, @app, @function, @invocations, @billed_ms, @mb_ms, @gateway_requests,
       @queue_requests, @topic_requests, @bus_events, @read_half_units, @write_units)
     ON CONFLICT (day, app, function) DO UPDATE SET
       invocations = invocations + excluded.invocations,
       billed_ms = billed_ms + excluded.billed_ms,
       mb_ms = mb_ms + excluded.mb_ms,
       gateway_requests = gateway_requests + excluded.gateway_requests,
       queue_requests = queue_requests + excluded.queue_requests,
       topic_requests = topic_requests + excluded.topic_requests,
       bus_events = bus_events + excluded.bus_events,
       read_half_units = read_half_units + excluded.read_half_units,
       write_units = write_units + excluded.write_units`,
  );
  const select = db.prepare<[string, string], Row>(
    'SELECT * FROM usage_daily WHERE day >= ? AND day <= ? ORDER BY day, app, function',
  );
  // The flush id and the additions commit together: a retried batch finds its id and adds nothing.
  const apply = db.transaction((flushId: string, rows: UsageRow[]) => {
    if (seen.run(flushId, Date.now()).changes === 0) return false;
    for (const r of rows)
      add.run({
        day: r.day,
        app: r.app,
        function: r.function,
        invocations: r.invocations,
        billed_ms: r.billedMs,
        mb_ms: r.mbMs,
        gateway_requests: r.gatewayRequests,
        queue_requests: r.queueRequests,
        topic_requests: r.topicRequests,
        bus_events: r.busEvents,
        read_half_units: r.readHalfUnits,
        write_units: r.writeUnits,
      });
    return true;
  });
  const listBudgets = db.prepare<[], { record: string }>('SELECT record FROM budgets ORDER BY scope, name');
  const putBudget = db.prepare<[string, string, string]>(
    'INSERT INTO budgets (scope, name, record) VALUES (?, ?, ?) ON CONFLICT (scope, name) DO UPDATE SET record = excluded.record',
  );
  const delBudget = db.prepare<[string, string]>('DELETE FROM budgets WHERE scope = ? AND name = ?');
  const mark = db.prepare<[string, string, string, number]>(
    'INSERT OR IGNORE INTO budget_alerts (scope, name, month, threshold) VALUES (?, ?, ?, ?)',
  );
  return {
    async apply(flushId, rows) {
      return guard('apply usage', () => apply(flushId, rows));
    },
    async query({ since, until }) {
      return guard('query usage', () => select.all(since ?? '', until ?? '9999-99-99')).map((r) => ({
        day: r.day,
        app: r.app,
        function: r.function,
        invocations: r.invocations,
        billedMs: r.billed_ms,
        mbMs: r.mb_ms,
        gatewayRequests: r.gateway_requests,
        queueRequests: r.queue_requests,
        topicRequests: r.topic_requests,
        busEvents: r.bus_events,
        readHalfUnits: r.read_half_units,
        writeUnits: r.write_units,
      }));
    },
    async listBudgets() {
      return guard('list budgets', () => listBudgets.all()).map((r) => JSON.parse(r.record) as Budget);
    },
    async putBudget(b) {
      guard('put budget', () => putBudget.run(b.scope, b.name, JSON.stringify(b)));
    },
    async deleteBudget(scope, name) {
      return guard('delete budget', () => delBudget.run(scope, name)).changes > 0;
    },
    async markAlert(scope, name, month, threshold) {
      return guard('mark budget alert', () => mark.run(scope, name, month, threshold)).changes > 0;
    },
  };
}
