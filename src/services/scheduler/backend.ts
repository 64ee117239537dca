/**
 * Storage for EventBridge Scheduler: schedule groups, schedules, and the fire ledger that makes
 * each slot fire once (keyed by schedule and fire time; a claim is an insert-or-ignore).
 * Implementation: src/backends/sqlite/schedules.ts.
 */
import type { ScheduleGroupRecord, ScheduleRecord } from './records.ts';

export interface ScheduleBackend {
  listGroups(): Promise<ScheduleGroupRecord[]>;
  getGroup(name: string): Promise<ScheduleGroupRecord | undefined>;
  /** False when a group of that name exists already. */
  insertGroup(group: ScheduleGroupRecord): Promise<boolean>;
  /**
   * Deletes the group and its schedules; false when there was none. Their delivered ledger entries
   * go; undelivered ones stay (orphaned) until they are handed over.
   */
  deleteGroup(name: string): Promise<boolean>;

  /** Schedules of one group, or of all groups, ordered by group and name. */
  listSchedules(group?: string): Promise<ScheduleRecord[]>;
  getSchedule(group: string, name: string): Promise<ScheduleRecord | undefined>;
  /** False when a schedule of that name exists in the group already. */
  insertSchedule(schedule: ScheduleRecord): Promise<boolean>;
  /** False when the schedule does not exist. */
  updateSchedule(schedule: ScheduleRecord): Promise<boolean>;
  /**
   * Deletes the schedule; false when there was none. Delivered ledger entries go; undelivered ones
   * stay (orphaned) until they are handed over, so a deleted one-time schedule still fires.
   */
  deleteSchedule(group: string, name: string): Promise<boolean>;

  /**
   * Records that `fireTime` of the schedule fires now, with the schedule as it is (its target and
   * input). True for the first claim only: callers deliver only after a true claim, so a restart
   * (or a second node) never fires a slot twice.
   */
  claimFire(schedule: ScheduleRecord, fireTime: number, claimedAt: number): Promise<boolean>;
  /** The latest fire time the ledger holds for the schedule (orphaned entries aside). */
  lastFired(group: string, name: string): Promise<number | undefined>;
  /**
   * Marks a claimed fire as handed over (to its target, or to the dead-letter queue); an orphaned
   * entry is dropped.
   */
  markDelivered(group: string, name: string, fireTime: number, at: number): Promise<void>;
  /** Claimed fires not yet handed over (what a crash interrupted), with the schedule as claimed. */
  undelivered(): Promise<UndeliveredFire[]>;
}

export interface UndeliveredFire {
  group: string;
  name: string;
  fireTime: number;
  /** The schedule when the fire was claimed (absent for claims stored before snapshots). */
  schedule?: ScheduleRecord;
}
