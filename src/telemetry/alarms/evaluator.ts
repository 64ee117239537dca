import type { Clock, TimerHandle } from '../../core/clock.ts';
import { type AlarmState, decide } from './evaluate.ts';
import type { AlarmChange } from './event.ts';
import { datapoint, type MetricReader, type Reading } from './metric-reader.ts';
import type { AlarmSpec } from './spec.ts';

/** An alarm's current state, as `list` gives it. */
export interface AlarmStatus {
  state: AlarmState;
  reason: string;
  /** When the state last changed (ms since the epoch). */
  changedAt: number;
  /** The latest datapoints, oldest first (`null`: no data in that period). */
  datapoints: (number | null)[];
}

interface Tracked {
  spec: AlarmSpec;
  key: string;
  state: AlarmState;
  reason: string;
  changedAt: number;
  window: (number | undefined)[];
  last?: Reading;
  timer?: TimerHandle;
  live: boolean;
}

export interface EvaluatorDeps {
  clock: Clock;
  read: MetricReader;
  /** Told of each state change (puts the event on the bus); failures go to `warn`. */
  emit: (change: AlarmChange) => Promise<void>;
  warn: (message: string, details: Record<string, unknown>) => void;
}

/**
 * Runs each alarm on the injected clock: every `periodS` it reads the metric, makes the period's
 * datapoint (the counter's delta since the last read), decides the state (`decide`) and, when the
 * state changes, emits the change. Alarms start in INSUFFICIENT_DATA with a first read as the
 * baseline; replacing an alarm with the same settings keeps its state.
 * @example
 * const evaluator = new AlarmEvaluator({ clock, read: registryReader(metrics.registry), emit, warn });
 * evaluator.set(spec);
 */
export class AlarmEvaluator {
  private readonly alarms = new Map<string, Tracked>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: EvaluatorDeps) {}

  set(spec: AlarmSpec): void {
    const key = JSON.stringify(spec);
    const old = this.alarms.get(spec.name);
    if (old?.key === key) return;
    this.remove(spec.name);
    const t: Tracked = {
      spec,
      key,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      changedAt: this.deps.clock.now(),
      window: [],
      live: true,
    };
    this.alarms.set(spec.name, t);
    this.track(
      this.deps.read(spec).then((r) => {
        t.last ??= r;
      }),
    );
    this.schedule(t);
  }

  remove(name: string): void {
    const t = this.alarms.get(name);
    if (!t) return;
    t.live = false;
    t.timer?.cancel();
    this.alarms.delete(name);
  }

  status(name: string): AlarmStatus | undefined {
    const t = this.alarms.get(name);
    if (!t) return undefined;
    return {
      state: t.state,
      reason: t.reason,
      changedAt: t.changedAt,
      datapoints: t.window.map((v) => (v === undefined ? null : v)),
    };
  }

  /** Resolves once every read and emit started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  close(): void {
    for (const name of [...this.alarms.keys()]) this.remove(name);
  }

  private schedule(t: Tracked): void {
    t.timer = this.deps.clock.setTimer(t.spec.periodS * 1000, () => {
      if (!t.live) return;
      this.schedule(t);
      this.track(this.evaluate(t));
    });
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((e: unknown) =>
      this.deps.warn('alarms: evaluating an alarm failed', { error: String(e) }),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** One period of one alarm. Reads are made in timer order, so a slow read delays, never reorders. */
  private async evaluate(t: Tracked): Promise<void> {
    const reading = await this.deps.read(t.spec);
    if (!t.live) return;
    const value = datapoint(t.spec, t.last, reading);
    t.last = reading;
    t.window.push(value);
    if (t.window.length > t.spec.evaluationPeriods) t.window.shift();
    const next = decide(t.spec, t.window, t.state);
    if (next.state === t.state) return;
    const now = this.deps.clock.now();
    const change: AlarmChange = {
      spec: t.spec,
      state: next.state,
      reason: next.reason,
      at: now,
      previous: { state: t.state, reason: t.reason, at: t.changedAt },
    };
    t.state = next.state;
    t.reason = next.reason;
    t.changedAt = now;
    await this.deps.emit(change);
  }
}
