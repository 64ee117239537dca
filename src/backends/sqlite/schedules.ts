import type { ScheduleBackend } from '../../services/scheduler/backend.ts';
import type { ScheduleGroupRecord, ScheduleRecord } from '../../services/scheduler/records.ts';
import { guard, type SqliteDatabase } from './database.ts';

/** EventBridge Scheduler's groups, schedules and fire ledger in SQLite. */
export function sqliteSchedules(db: SqliteDatabase): ScheduleBackend {
  const listG = db.prepare<[], { record: string }>('SELECT record FROM schedule_groups ORDER BY name');
  const getG = db.prepare<[string], { record: string }>('SELECT record FROM schedule_groups WHERE name = ?');
  const insG = db.prepare<[string, string]>(
    'INSERT INTO schedule_groups (name, record) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const delG = db.prepare<[string]>('DELETE FROM schedule_groups WHERE name = ?');
  const listAll = db.prepare<[], { record: string }>('SELECT record FROM schedules ORDER BY grp, name');
  const listIn = db.prepare<[string], { record: string }>(
    'SELECT record FROM schedules WHERE grp = ? ORDER BY name',
  );
  const getS = db.prepare<[string, string], { record: string }>(
    'SELECT record FROM schedules WHERE grp = ? AND name = ?',
  );
  const insS = db.prepare<[string, string, string]>(
    'INSERT INTO schedules (grp, name, record) VALUES (?, ?, ?) ON CONFLICT (grp, name) DO NOTHING',
  );
  const updS = db.prepare<[string, string, string]>(
    'UPDATE schedules SET record = ? WHERE grp = ? AND name = ?',
  );
  const delS = db.prepare<[string, string]>('DELETE FROM schedules WHERE grp = ? AND name = ?');
  const delSIn = db.prepare<[string]>('DELETE FROM schedules WHERE grp = ?');
  // Deleting a schedule keeps its undelivered fires (orphaned) until they are handed over.
  const delL = db.prepare<[string, string]>(
    'DELETE FROM schedule_fires WHERE grp = ? AND name = ? AND delivered_at IS NOT NULL',
  );
  const orphanL = db.prepare<[string, string]>(
    'UPDATE schedule_fires SET orphaned = 1 WHERE grp = ? AND name = ? AND delivered_at IS NULL',
  );
  const delLIn = db.prepare<[string]>(
    'DELETE FROM schedule_fires WHERE grp = ? AND delivered_at IS NOT NULL',
  );
  const orphanLIn = db.prepare<[string]>(
    'UPDATE schedule_fires SET orphaned = 1 WHERE grp = ? AND delivered_at IS NULL',
  );
  const claim = db.prepare<[string, string, number, number, string]>(
    `INSERT INTO schedule_fires (grp, name, fire_time, claimed_at, snapshot) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const last = db.prepare<[string, string], { t: number | null }>(
    'SELECT max(fire_time) AS t FROM schedule_fires WHERE grp = ? AND name = ? AND orphaned = 0',
  );
  const mark = db.prepare<[number, string, string, number]>(
    'UPDATE schedule_fires SET delivered_at = ? WHERE grp = ? AND name = ? AND fire_time = ?',
  );
  const dropOrphan = db.prepare<[string, string, number]>(
    'DELETE FROM schedule_fires WHERE grp = ? AND name = ? AND fire_time = ? AND orphaned = 1',
  );
  const pending = db.prepare<[], { grp: string; name: string; fire_time: number; snapshot: string | null }>(
    'SELECT grp, name, fire_time, snapshot FROM schedule_fires WHERE delivered_at IS NULL ORDER BY fire_time',
  );
  const parse = <T>(rows: { record: string }[]) => rows.map((r) => JSON.parse(r.record) as T);
  const deleteGroupTx = db.transaction((name: string) => {
    delLIn.run(name);
    orphanLIn.run(name);
    delSIn.run(name);
    return delG.run(name).changes > 0;
  });
  const deleteScheduleTx = db.transaction((group: string, name: string) => {
    delL.run(group, name);
    orphanL.run(group, name);
    return delS.run(group, name).changes > 0;
  });
  const markTx = db.transaction((group: string, name: string, fireTime: number, at: number) => {
    mark.run(at, group, name, fireTime);
    dropOrphan.run(group, name, fireTime);
  });
  return {
    async listGroups() {
      return parse<ScheduleGroupRecord>(guard('list schedule groups', () => listG.all()));
    },
    async getGroup(name) {
      const row = guard('get schedule group', () => getG.get(name));
      return row && (JSON.parse(row.record) as ScheduleGroupRecord);
    },
    async insertGroup(g) {
      return guard('create schedule group', () => insG.run(g.name, JSON.stringify(g))).changes > 0;
    },
    async deleteGroup(name) {
      return guard('delete schedule group', () => deleteGroupTx(name));
    },
    async listSchedules(group) {
      const rows = guard('list schedules', () => (group === undefined ? listAll.all() : listIn.all(group)));
      return parse<ScheduleRecord>(rows);
    },
    async getSchedule(group, name) {
      const row = guard('get schedule', () => getS.get(group, name));
      return row && (JSON.parse(row.record) as ScheduleRecord);
    },
    async insertSchedule(s) {
      return guard('create schedule', () => insS.run(s.group, s.name, JSON.stringify(s))).changes > 0;
    },
    async updateSchedule(s) {
      return guard('update schedule', () => updS.run(JSON.stringify(s), s.group, s.name)).changes > 0;
    },
    async deleteSchedule(group, name) {
      return guard('delete schedule', () => deleteScheduleTx(group, name));
    },
    async claimFire(schedule, fireTime, claimedAt) {
      const { group, name } = schedule;
      const snapshot = JSON.stringify(schedule);
      return (
        guard('claim a schedule fire', () => claim.run(group, name, fireTime, claimedAt, snapshot)).changes >
        0
      );
    },
    async markDelivered(group, name, fireTime, at) {
      guard('mark a schedule fire delivered', () => markTx(group, name, fireTime, at));
    },
    async undelivered() {
      return guard('read undelivered schedule fires', () => pending.all()).map((r) => ({
        group: r.grp,
        name: r.name,
        fireTime: r.fire_time,
        ...(r.snapshot === null ? {} : { schedule: JSON.parse(r.snapshot) as ScheduleRecord }),
      }));
    },
    async lastFired(group, name) {
      return guard('read the fire ledger', () => last.get(group, name))?.t ?? undefined;
    },
  };
}
