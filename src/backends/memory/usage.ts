import type { Budget, UsageBackend } from '../../governance/costs/backend.ts';
import { addCounts, emptyCounts, type UsageRow } from '../../governance/costs/usage.ts';

export function memoryUsage(): UsageBackend {
  const rows = new Map<string, UsageRow>();
  const flushes = new Set<string>();
  const budgets = new Map<string, Budget>();
  const alerts = new Set<string>();
  return {
    async apply(flushId, batch) {
      if (flushes.has(flushId)) return false;
      flushes.add(flushId);
      for (const r of batch) {
        const k = `${r.day}\0${r.app}\0${r.function}`;
        let row = rows.get(k);
        if (!row) {
          row = { day: r.day, app: r.app, function: r.function, ...emptyCounts() };
          rows.set(k, row);
        }
        addCounts(row, r);
      }
      return true;
    },
    async query({ since, until }) {
      return [...rows.values()]
        .filter((r) => (since === undefined || r.day >= since) && (until === undefined || r.day <= until))
        .map((r) => ({ ...r }))
        .sort(
          (a, b) =>
            a.day.localeCompare(b.day) || a.app.localeCompare(b.app) || a.function.localeCompare(b.function),
        );
    },
    async listBudgets() {
      return [...budgets.values()].map((b) => ({ ...b, thresholds: [...b.thresholds] }));
    },
    async putBudget(b) {
      budgets.set(`${b.scope}\0${b.name}`, { ...b, thresholds: [...b.thresholds] });
    },
    async deleteBudget(scope, name) {
      return budgets.delete(`${scope}\0${name}`);
    },
    async markAlert(scope, name, month, threshold) {
      const k = `${scope}\0${name}\0${month}\0${threshold}`;
      if (alerts.has(k)) return false;
      alerts.add(k);
      return true;
    },
  };
}
