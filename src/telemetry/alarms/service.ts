import type { Clock } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import type { AlarmBackend, AlarmRecord } from './backend.ts';
import type { AlarmEvaluator } from './evaluator.ts';
import { type AlarmSpec, alarmInput, parseAlarmSpec } from './spec.ts';

export interface AlarmServiceDeps {
  backend: AlarmBackend;
  evaluator: AlarmEvaluator;
  clock: Clock;
  /** The shortest period allowed, in seconds (BATON_ALARM_MIN_PERIOD_S). */
  minPeriodS: number;
  /** `arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`. */
  arn: (name: string) => string;
}

/**
 * Metric alarms: stored in the backend, run by the evaluator. The admin API puts, lists and
 * deletes them one at a time; a manifest deploy keeps an app's set (`syncApp`).
 */
export class AlarmService {
  private readonly records = new Map<string, AlarmRecord>();

  constructor(private readonly deps: AlarmServiceDeps) {}

  async start(): Promise<void> {
    for (const r of await this.deps.backend.list()) {
      this.records.set(r.spec.name, r);
      this.deps.evaluator.set(r.spec);
    }
  }

  /** Validates an alarm against this server's period floor. */
  parse(input: unknown, path = 'alarm'): AlarmSpec {
    return parseAlarmSpec(input, path, this.deps.minPeriodS);
  }

  /** Creates or replaces an alarm made through the API; an app's alarm belongs to its manifest. */
  async put(input: unknown): Promise<Record<string, unknown>> {
    const spec = this.parse(input);
    const owner = this.records.get(spec.name)?.app;
    if (owner !== undefined)
      throw new BatonError(
        'ResourceConflict',
        `alarm ${spec.name} belongs to app "${owner}": change it in that app's baton.yaml`,
      );
    await this.store({ spec, updatedAt: this.deps.clock.now() });
    return this.describe(spec.name);
  }

  list(): Record<string, unknown>[] {
    return [...this.records.keys()].sort().map((n) => this.describe(n));
  }

  describe(name: string): Record<string, unknown> {
    const r = this.records.get(name);
    if (!r) throw new BatonError('ResourceNotFound', `Alarm not found: ${this.deps.arn(name)}`);
    const status = this.deps.evaluator.status(name);
    return {
      ...alarmInput(r.spec),
      arn: this.deps.arn(name),
      app: r.app ?? null,
      state: status?.state ?? 'INSUFFICIENT_DATA',
      stateReason: status?.reason ?? '',
      stateUpdatedAt: new Date(status?.changedAt ?? r.updatedAt).toISOString(),
      datapoints: status?.datapoints ?? [],
    };
  }

  async delete(name: string): Promise<void> {
    const r = this.records.get(name);
    if (!r) throw new BatonError('ResourceNotFound', `Alarm not found: ${this.deps.arn(name)}`);
    await this.remove(name);
  }

  /**
   * Makes an app's alarms those of its manifest: creates and updates the declared ones, deletes
   * the app's others, and says what changed (`errors-high (created)`). All are checked first.
   */
  async syncApp(app: string, specs: readonly AlarmSpec[]): Promise<string[]> {
    const checked = specs.map((s) => this.parse(alarmInput(s), `alarms.${s.name}`));
    for (const s of checked) {
      const owner = this.records.get(s.name)?.app;
      if (this.records.has(s.name) && owner !== app)
        throw new BatonError(
          'ResourceConflict',
          `alarms.${s.name}: an alarm of that name belongs to ${owner === undefined ? 'no app' : `app "${owner}"`}`,
        );
    }
    const out: string[] = [];
    for (const spec of checked) {
      const old = this.records.get(spec.name);
      if (old && JSON.stringify(old.spec) === JSON.stringify(spec)) {
        out.push(`alarm ${spec.name} (unchanged)`);
        continue;
      }
      await this.store({ spec, app, updatedAt: this.deps.clock.now() });
      out.push(`alarm ${spec.name} (${old ? 'updated' : 'created'})`);
    }
    const keep = new Set(checked.map((s) => s.name));
    for (const r of [...this.records.values()])
      if (r.app === app && !keep.has(r.spec.name)) {
        await this.remove(r.spec.name);
        out.push(`alarm ${r.spec.name} (deleted)`);
      }
    return out;
  }

  close(): void {
    this.deps.evaluator.close();
  }

  private async store(record: AlarmRecord): Promise<void> {
    await this.deps.backend.put(record);
    this.records.set(record.spec.name, record);
    this.deps.evaluator.set(record.spec);
  }

  private async remove(name: string): Promise<void> {
    await this.deps.backend.delete(name);
    this.records.delete(name);
    this.deps.evaluator.remove(name);
  }
}
