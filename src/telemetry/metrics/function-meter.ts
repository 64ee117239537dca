import { isBatonError } from '../../core/errors.ts';
import type { InvokeTarget } from '../../registry/resolve.ts';
import type { InvocationObserver, InvokeResult } from '../../runtime/invoker.ts';
import { billedMs } from '../logs/invocation-log.ts';
import type { Families } from './definitions.ts';
import type { CounterChild, HistogramChild } from './families.ts';

/** The series of one unit (`name` or `name:3`), bound once. */
interface UnitSeries {
  app: string;
  invocations: CounterChild;
  errors: CounterChild;
  throttles: CounterChild;
  duration: HistogramChild;
  initDuration: HistogramChild;
  coldStarts: CounterChild;
  billedMs: CounterChild;
  gbSeconds: CounterChild;
}

/**
 * Per-function metrics from the invoker's results: counts, duration, billing and cold starts.
 * Each unit's series are bound on its first invocation and kept by its pool key, so an
 * invocation costs one map lookup and a few additions (`bench/metrics-overhead.ts`).
 */
export class FunctionMeter implements InvocationObserver {
  private readonly units = new Map<string, UnitSeries>();

  constructor(private readonly f: Families) {}

  private series(target: InvokeTarget): UnitSeries {
    const app = target.record.app ?? '';
    let s = this.units.get(target.key);
    // A redeploy may move a function to another app: its next invocation binds new series.
    if (s === undefined || s.app !== app) {
      const labels = [target.record.name, target.version, app] as const;
      const f = this.f;
      s = {
        app,
        invocations: f.invocations.labels(...labels),
        errors: f.errors.labels(...labels),
        throttles: f.throttles.labels(...labels),
        duration: f.duration.labels(...labels),
        initDuration: f.initDuration.labels(...labels),
        coldStarts: f.coldStarts.labels(...labels),
        billedMs: f.billedMs.labels(...labels),
        gbSeconds: f.gbSeconds.labels(...labels),
      };
      this.units.set(target.key, s);
    }
    return s;
  }

  invoked(target: InvokeTarget, r: InvokeResult): void {
    const s = this.series(target);
    s.invocations.inc();
    if (r.functionError !== undefined) s.errors.inc();
    s.duration.observe(r.durationMs / 1000);
    // The same rounding as the REPORT line, so the counter's sum equals the logs' (issue 7).
    const billed = billedMs(r.durationMs);
    s.billedMs.inc(billed);
    s.gbSeconds.inc((billed / 1000) * (target.record.memory / 1024));
    if (r.cold) {
      s.coldStarts.inc();
      if (r.initDurationMs !== undefined) s.initDuration.observe(r.initDurationMs / 1000);
    }
  }

  refused(target: InvokeTarget, error: unknown): void {
    if (isBatonError(error, 'ThrottledFunction') || isBatonError(error, 'ThrottledAccount'))
      this.series(target).throttles.inc();
  }
}
