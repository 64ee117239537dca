import type { AlarmSpec } from './spec.ts';

/** A stored alarm: its rule, and the app whose manifest declares it (absent: made through the API). */
export interface AlarmRecord {
  spec: AlarmSpec;
  app?: string;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

/**
 * Where alarms are kept (their states are not: an alarm restarts in INSUFFICIENT_DATA).
 * Implementations: `backends/sqlite/alarms.ts`, `backends/memory/alarms.ts`; both pass
 * `test/telemetry/alarms/backend.test.ts`.
 */
export interface AlarmBackend {
  /** Every alarm, in name order. */
  list(): Promise<AlarmRecord[]>;
  /** Creates or replaces the alarm of this name. */
  put(record: AlarmRecord): Promise<void>;
  /** False when there was no such alarm. */
  delete(name: string): Promise<boolean>;
}
