import type { BusBackend, BusDelivery, BusRecord, RuleRecord } from '../../services/bus/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';

/** Buses, rules and the bus delivery outbox in SQLite (migration: `bus_*` tables). */
export function sqliteBus(db: SqliteDatabase): BusBackend {
  const s = {
    insertBus: db.prepare('INSERT OR IGNORE INTO bus_buses (name, record) VALUES (?, ?)'),
    getBus: db.prepare('SELECT record FROM bus_buses WHERE name = ?'),
    listBuses: db.prepare('SELECT record FROM bus_buses ORDER BY name'),
    deleteBus: db.prepare('DELETE FROM bus_buses WHERE name = ?'),
    deleteBusRules: db.prepare('DELETE FROM bus_rules WHERE bus = ?'),
    putRule: db.prepare('INSERT OR REPLACE INTO bus_rules (bus, name, record) VALUES (?, ?, ?)'),
    getRule: db.prepare('SELECT record FROM bus_rules WHERE bus = ? AND name = ?'),
    listRules: db.prepare('SELECT record FROM bus_rules WHERE bus = ? ORDER BY name'),
    listAllRules: db.prepare('SELECT record FROM bus_rules ORDER BY bus, name'),
    deleteRule: db.prepare('DELETE FROM bus_rules WHERE bus = ? AND name = ?'),
    addDelivery: db.prepare('INSERT INTO bus_deliveries (id, due_at, record) VALUES (?, ?, ?)'),
    due: db.prepare('SELECT record FROM bus_deliveries WHERE due_at <= ? ORDER BY due_at LIMIT ?'),
    setDue: db.prepare('UPDATE bus_deliveries SET due_at = ?, record = ?, leased = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM bus_deliveries WHERE id = ?'),
    release: db.prepare('UPDATE bus_deliveries SET due_at = ?, leased = 0 WHERE leased = 1'),
    next: db.prepare('SELECT MIN(due_at) AS due FROM bus_deliveries'),
  };
  const rows = <T>(stmt: { all: (...a: unknown[]) => unknown[] }, ...args: unknown[]): T[] =>
    (stmt.all(...args) as { record: string }[]).map((r) => JSON.parse(r.record) as T);
  const one = <T>(stmt: { get: (...a: unknown[]) => unknown }, ...args: unknown[]): T | undefined => {
    const r = stmt.get(...args) as { record: string } | undefined;
    return r ? (JSON.parse(r.record) as T) : undefined;
  };
  const addAll = db.transaction((entries: BusDelivery[]) => {
    for (const e of entries) s.addDelivery.run(e.id, e.dueAt, JSON.stringify(e));
  });
  const claim = db.transaction((now: number, limit: number, leaseUntil: number) => {
    const taken = rows<BusDelivery>(s.due, now, limit);
    for (const e of taken) {
      e.dueAt = leaseUntil;
      s.setDue.run(leaseUntil, JSON.stringify(e), 1, e.id);
    }
    return taken;
  });
  const dropBus = db.transaction((name: string) => {
    s.deleteBusRules.run(name);
    return s.deleteBus.run(name).changes > 0;
  });
  return {
    createBus: async (r: BusRecord) =>
      guard('create bus', () => s.insertBus.run(r.name, JSON.stringify(r)).changes > 0),
    getBus: async (name) => guard('get bus', () => one<BusRecord>(s.getBus, name)),
    listBuses: async () => guard('list buses', () => rows<BusRecord>(s.listBuses)),
    deleteBus: async (name) => guard('delete bus', () => dropBus(name)),
    putRule: async (r: RuleRecord) => {
      guard('put rule', () => s.putRule.run(r.bus, r.name, JSON.stringify(r)));
    },
    getRule: async (bus, name) => guard('get rule', () => one<RuleRecord>(s.getRule, bus, name)),
    listRules: async (bus) =>
      guard('list rules', () =>
        bus === undefined ? rows<RuleRecord>(s.listAllRules) : rows<RuleRecord>(s.listRules, bus),
      ),
    deleteRule: async (bus, name) => guard('delete rule', () => s.deleteRule.run(bus, name).changes > 0),
    addDeliveries: async (entries) => {
      guard('store bus deliveries', () => addAll(entries));
    },
    claimDeliveries: async (now, limit, leaseUntil) =>
      guard('claim bus deliveries', () => claim(now, limit, leaseUntil)),
    rescheduleDelivery: async (e) => {
      guard('reschedule bus delivery', () => s.setDue.run(e.dueAt, JSON.stringify(e), 0, e.id));
    },
    removeDelivery: async (id) => {
      guard('remove bus delivery', () => s.remove.run(id));
    },
    releaseDeliveryLeases: async (now) => guard('release bus leases', () => s.release.run(now).changes),
    nextDeliveryDue: async () =>
      guard('next bus delivery', () => (s.next.get() as { due: number | null }).due ?? undefined),
  };
}
