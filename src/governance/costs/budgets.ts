import type { Clock } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import type { InvokeTarget } from '../../registry/resolve.ts';
import type { Budget, UsageBackend } from './backend.ts';
import { costOf, type PriceTable } from './prices.ts';
import { addCounts, emptyCounts, monthOf, type UsageCounts } from './usage.ts';

/** The alert event's `detail` (source `baton.budgets`, detail-type `Budget Threshold Crossed`). */
export interface BudgetAlert {
  scope: Budget['scope'];
  name: string;
  month: string;
  threshold: number;
  monthlyUsd: number;
  spentUsd: number;
  percent: number;
  hardStop: boolean;
  /** True when the hard stop now throttles the scope's functions. */
  stopped: boolean;
}

export const BUDGET_ALERT_SOURCE = 'baton.budgets';
export const BUDGET_ALERT_DETAIL_TYPE = 'Budget Threshold Crossed';
export const DEFAULT_THRESHOLDS = [80, 100];

/** Checks a budget's fields; the scope and name come from the path. */
export function parseBudget(scope: string, name: string, body: Record<string, unknown>): Budget {
  if (scope !== 'app' && scope !== 'function')
    throw new BatonError('InvalidParameterValue', `scope: must be "app" or "function", not "${scope}"`);
  if (!name) throw new BatonError('InvalidParameterValue', 'name: required');
  const usd = body.monthlyUsd;
  if (typeof usd !== 'number' || !Number.isFinite(usd) || usd <= 0)
    throw new BatonError('InvalidParameterValue', 'monthlyUsd: must be a number > 0 (USD per month)');
  const t = body.thresholds ?? DEFAULT_THRESHOLDS;
  if (!Array.isArray(t) || t.some((x) => typeof x !== 'number' || !(x > 0) || x > 1000))
    throw new BatonError('InvalidParameterValue', 'thresholds: must be percentages in (0, 1000]');
  const hardStop = body.hardStop ?? false;
  if (typeof hardStop !== 'boolean')
    throw new BatonError('InvalidParameterValue', 'hardStop: must be a boolean');
  return {
    scope,
    name,
    monthlyUsd: usd,
    thresholds: [...new Set(t as number[])].sort((a, b) => a - b),
    hardStop,
  };
}

/**
 * Budgets per app or function per UTC month. After each usage flush, `evaluate` sums the month's
 * spend, puts one alert event per crossed threshold per month (the backend remembers which were
 * sent), and updates the set of hard-stopped scopes that `admit` checks on the invoke path with
 * one set lookup. A new month clears the stops without waiting for an evaluation.
 */
export class BudgetKeeper {
  private stopped = new Set<string>();
  private stoppedMonth = '';

  constructor(
    private readonly deps: {
      backend: UsageBackend;
      prices: PriceTable;
      clock: Clock;
      alert: (a: BudgetAlert) => Promise<void>;
    },
  ) {}

  /** Throws `ThrottledFunction` (429, reason `BudgetExceeded`) when the target's budget is spent. */
  admit(target: InvokeTarget): void {
    if (this.stopped.size === 0) return;
    const rec = target.record;
    const hit = this.stopped.has(`function\0${rec.name}`)
      ? `function ${rec.name}`
      : rec.app && this.stopped.has(`app\0${rec.app}`)
        ? `app ${rec.app}`
        : undefined;
    if (hit === undefined || monthOf(this.deps.clock.now()) !== this.stoppedMonth) return;
    throw new BatonError('ThrottledFunction', `Rate Exceeded. The monthly budget of ${hit} is spent.`, {
      details: { reason: 'BudgetExceeded' },
    });
  }

  /** The month's spend per `scope\0name`, in USD. */
  async spend(month: string): Promise<Map<string, number>> {
    const rows = await this.deps.backend.query({ since: `${month}-01`, until: `${month}-31` });
    const sums = new Map<string, UsageCounts>();
    const add = (k: string, r: UsageCounts) => {
      let s = sums.get(k);
      if (!s) {
        s = emptyCounts();
        sums.set(k, s);
      }
      addCounts(s, r);
    };
    for (const r of rows) {
      if (r.function) add(`function\0${r.function}`, r);
      if (r.app) add(`app\0${r.app}`, r);
    }
    return new Map([...sums].map(([k, c]) => [k, costOf(c, this.deps.prices).total]));
  }

  async evaluate(): Promise<void> {
    const month = monthOf(this.deps.clock.now());
    const budgets = await this.deps.backend.listBudgets();
    const spend = budgets.length === 0 ? new Map<string, number>() : await this.spend(month);
    const stopped = new Set<string>();
    for (const b of budgets) {
      const key = `${b.scope}\0${b.name}`;
      const spent = spend.get(key) ?? 0;
      const percent = (spent / b.monthlyUsd) * 100;
      const stop = b.hardStop && spent >= b.monthlyUsd;
      if (stop) stopped.add(key);
      for (const threshold of b.thresholds) {
        if (percent < threshold) break;
        if (!(await this.deps.backend.markAlert(b.scope, b.name, month, threshold))) continue;
        await this.deps.alert({
          scope: b.scope,
          name: b.name,
          month,
          threshold,
          monthlyUsd: b.monthlyUsd,
          spentUsd: spent,
          percent,
          hardStop: b.hardStop,
          stopped: stop,
        });
      }
    }
    this.stopped = stopped;
    this.stoppedMonth = month;
  }

  /** Scopes (`app/NAME`, `function/NAME`) the hard stop throttles now. */
  stops(): string[] {
    if (monthOf(this.deps.clock.now()) !== this.stoppedMonth) return [];
    return [...this.stopped].map((k) => k.replace('\0', '/'));
  }
}
