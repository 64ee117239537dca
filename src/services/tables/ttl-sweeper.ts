/**
 * Time to Live: deletes items whose TTL attribute (epoch seconds) has passed, on the injected
 * clock. Each deletion re-checks the item inside its transaction, so an item updated meanwhile is
 * kept, and it appears in the table's stream as a service deletion (userIdentity
 * `dynamodb.amazonaws.com`), as AWS shows it. Reads still return expired items until they are
 * swept, as on AWS. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 * Tests: test/services/tables/ttl-sweeper.test.ts.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { TableBackend } from './backend.ts';
import { keyAttributes } from './keys.ts';
import type { Item, TableDefinition } from './types.ts';

/** How often the sweeper looks (AWS takes up to a few days; Baton is far quicker). */
export const SWEEP_INTERVAL_MS = 10_000;
const BATCH = 100;

export interface TtlSweeperDeps {
  backend: TableBackend;
  clock: Clock;
  /** Every table, with its current definition. */
  tables: () => Promise<TableDefinition[]>;
  /** After deletions (stream readers may have records to read). */
  onDeleted?: (table: TableDefinition) => void;
  warn: (message: string, details: Record<string, unknown>) => void;
  intervalMs?: number;
}

/** Whether an item's TTL attribute says it has expired at `nowSeconds`. */
export function isExpired(item: Item | undefined, attribute: string, nowSeconds: number): boolean {
  const v = item?.[attribute];
  if (!v || !('N' in v)) return false;
  const at = Number(v.N);
  return Number.isFinite(at) && at <= nowSeconds;
}

export class TtlSweeper {
  private timer: TimerHandle | undefined;
  private running: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly deps: TtlSweeperDeps) {}

  start(): void {
    this.arm();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.deps.clock.setTimer(this.deps.intervalMs ?? SWEEP_INTERVAL_MS, () => {
      void this.sweep().finally(() => this.arm());
    });
  }

  /** Deletes what has expired now; resolves to how many items went. */
  sweep(): Promise<number> {
    this.running ??= this.#sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async #sweep(): Promise<number> {
    let deleted = 0;
    let tables: TableDefinition[];
    try {
      tables = await this.deps.tables();
    } catch (e) {
      this.deps.warn('the TTL sweeper could not list tables', { err: e });
      return 0;
    }
    for (const table of tables) {
      const ttl = table.ttl;
      if (!ttl?.enabled) continue;
      try {
        for (;;) {
          const now = Math.floor(this.deps.clock.now() / 1000);
          const keys = await this.deps.backend.expired(table, now, BATCH);
          if (keys.length === 0) break;
          const result = await this.deps.backend.mutate(
            keys.map((key) => ({
              table,
              key: keyAttributes(table.key, key),
              byService: true,
              decide: (current) =>
                isExpired(current, ttl.attribute, now) ? { delete: true } : { keep: true },
            })),
            this.deps.clock.now(),
          );
          const gone = result.ok ? result.changes.filter((c) => c.old && !c.new).length : 0;
          deleted += gone;
          if (gone > 0) this.deps.onDeleted?.(table);
          // A round that deleted nothing would find the same items again.
          if (keys.length < BATCH || gone === 0) break;
        }
      } catch (e) {
        this.deps.warn('the TTL sweeper failed on a table', { table: table.name, err: e });
      }
    }
    return deleted;
  }
}
