import type { AlarmBackend, AlarmRecord } from '../../telemetry/alarms/backend.ts';

/** Alarms in process memory: for tests and throwaway runs. */
export function memoryAlarms(): AlarmBackend {
  const alarms = new Map<string, string>();
  return {
    async list() {
      return [...alarms.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, r]) => JSON.parse(r) as AlarmRecord);
    },
    async put(record) {
      alarms.set(record.spec.name, JSON.stringify(record));
    },
    async delete(name) {
      return alarms.delete(name);
    },
  };
}
