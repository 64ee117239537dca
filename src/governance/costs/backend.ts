import type { UsageRow } from './usage.ts';

/** A budget on an app's or a function's monthly spend. */
export interface Budget {
  scope: 'app' | 'function';
  name: string;
  /** USD per calendar month (UTC). */
  monthlyUsd: number;
  /** Percentages of `monthlyUsd` at which an alert event is put on the default bus. */
  thresholds: number[];
  /** When true, the scope's functions are throttled (`BudgetExceeded`) once the budget is spent. */
  hardStop: boolean;
}

/**
 * Where metered usage and budgets are kept. `apply` is idempotent by flush id: a batch applied
 * twice (a retry after a commit whose answer was lost) is counted once.
 */
export interface UsageBackend {
  /** Adds the rows to the daily totals unless `flushId` was applied before; false then. */
  apply(flushId: string, rows: UsageRow[]): Promise<boolean>;
  /** Daily rows with `since <= day <= until` (days `YYYY-MM-DD`, both optional). */
  query(range: { since?: string; until?: string }): Promise<UsageRow[]>;
  listBudgets(): Promise<Budget[]>;
  putBudget(b: Budget): Promise<void>;
  deleteBudget(scope: Budget['scope'], name: string): Promise<boolean>;
  /** Records that a budget's threshold was crossed in a month; false when it was already. */
  markAlert(scope: Budget['scope'], name: string, month: string, threshold: number): Promise<boolean>;
}
