/**
 * Scaling decisions, as pure functions of (now, stats, spec): no clock, no processes, no I/O.
 * The pool gathers the stats and acts on the result (see `pool.ts`); tests call these directly
 * with made-up times (test/runtime/scaler.test.ts).
 */

export type Admission =
  /** Reuse an idle instance. */
  | 'warm'
  /** Start a new instance. */
  | 'cold'
  /** Start a new instance after reaping an idle instance of another function (platform cap). */
  | 'evict'
  /** The function is at its reserved concurrency. */
  | 'throttle-function'
  /** The platform is at its instance cap and nothing idle can be reclaimed. */
  | 'throttle-platform';

export interface AdmissionStats {
  /** Idle instances of the function's current code. */
  idle: number;
  /** Live instances of the function (starting, idle or busy, any revision). */
  live: number;
  /** The function's reserved concurrency, or null for none. */
  reserved: number | null;
  /** Live instances of all functions together. */
  platformLive: number;
  /** The platform's instance cap. */
  platformCap: number;
  /** Idle instances of other functions that may be reclaimed. */
  reclaimable: number;
}

export function admit(s: AdmissionStats): Admission {
  if (s.idle > 0) return 'warm';
  if (s.reserved !== null && s.live >= s.reserved) return 'throttle-function';
  if (s.platformLive < s.platformCap) return 'cold';
  if (s.reclaimable > 0) return 'evict';
  return 'throttle-platform';
}

export interface InstanceStats {
  id: string;
  state: 'starting' | 'idle' | 'busy';
  /** Whether it runs the function's current revision. */
  current: boolean;
  /** Epoch ms since which it has been idle (meaningful when state is idle). */
  idleSince: number;
}

export interface ScaleSpec {
  /** Instances always kept warm. */
  provisioned: number;
  /** Milliseconds an idle instance lives before it is reaped. */
  idleTimeoutMs: number;
}

export interface ScalePlan {
  /** Instances to stop now. */
  reap: string[];
  /** New instances to start (and initialise) now. */
  start: number;
}

/**
 * Keeps `provisioned` instances of the current revision, reaps instances idle past their time
 * (oldest first, never below `provisioned`) and every idle instance of an old revision.
 */
export function plan(now: number, instances: readonly InstanceStats[], spec: ScaleSpec): ScalePlan {
  const reap: string[] = [];
  const current = instances.filter((i) => i.current);
  for (const i of instances) if (!i.current && i.state === 'idle') reap.push(i.id);
  let spare = current.length - spec.provisioned;
  const expired = current
    .filter((i) => i.state === 'idle' && now - i.idleSince >= spec.idleTimeoutMs)
    .sort((a, b) => a.idleSince - b.idleSince);
  for (const i of expired) {
    if (spare <= 0) break;
    reap.push(i.id);
    spare--;
  }
  return { reap, start: Math.max(0, spec.provisioned - current.length) };
}

/** Of the reclaimable idle instances, the one idle longest goes first. */
export function pickVictim<T extends { idleSince: number }>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) if (!best || c.idleSince < best.idleSince) best = c;
  return best;
}
