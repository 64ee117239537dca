import { type CostBreakdown, costOf, gbSeconds, type PriceTable } from './prices.ts';
import { ACCOUNT_APP } from './service-usage.ts';
import { addCounts, emptyCounts, type UsageCounts, type UsageRow } from './usage.ts';

export type ReportGrouping = 'function' | 'app' | 'day';

export interface ReportLine extends UsageCounts {
  /**
   * The function, app or day. Usage of no function: `(gateway)` for the gateway's requests,
   * `(account)` for service requests to resources no app declares, and `(app NAME)` (by function)
   * for requests to an app's queues, topics, buses and tables.
   */
  key: string;
  gbSeconds: number;
  cost: CostBreakdown;
}

export interface CostReport {
  by: ReportGrouping;
  since: string | null;
  until: string | null;
  prices: { takenAt: string; source: string; currency: string };
  lines: ReportLine[];
  total: ReportLine;
}

export function parseGrouping(v: string | null | undefined): ReportGrouping {
  if (v === undefined || v === null || v === '') return 'function';
  if (v === 'function' || v === 'app' || v === 'day') return v;
  throw new Error(`by: must be function, app or day, not "${v}"`);
}

function keyOf(r: UsageRow, by: ReportGrouping): string {
  if (by === 'day') return r.day;
  const v = by === 'app' ? r.app : r.function;
  if (v) return v;
  if (r.function) return '(no app)';
  if (!r.app) return '(gateway)';
  return r.app === ACCOUNT_APP ? ACCOUNT_APP : `(app ${r.app})`;
}

/** Sums daily rows by function, app or day, and prices them. Pure. */
export function costReport(
  rows: UsageRow[],
  prices: PriceTable,
  by: ReportGrouping,
  range: { since?: string; until?: string } = {},
): CostReport {
  const groups = new Map<string, UsageCounts>();
  const total = emptyCounts();
  for (const r of rows) {
    const k = keyOf(r, by);
    let g = groups.get(k);
    if (!g) {
      g = emptyCounts();
      groups.set(k, g);
    }
    addCounts(g, r);
    addCounts(total, r);
  }
  const line = (key: string, c: UsageCounts): ReportLine => ({
    key,
    ...c,
    gbSeconds: gbSeconds(c),
    cost: costOf(c, prices),
  });
  return {
    by,
    since: range.since ?? null,
    until: range.until ?? null,
    prices: { takenAt: prices.takenAt, source: prices.source, currency: prices.currency },
    lines: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => line(k, c)),
    total: line('total', total),
  };
}
