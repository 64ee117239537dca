/**
 * Scaling decisions, as pure functions of (now, stats, spec): no clock, no processes, no I/O.
 * The pool gathers the stats and acts on the result (see `pool.ts`); tests call these directly
 * with made-up times (test/runtime/scaler.test.ts).
 */

export type Admission =
  /** Reuse an idle instance. */
  | 'warm'
  /** Wait for a busy instance: it should be free sooner than a new one could start. */
  | 'queue'
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
  /** Live instances of the function (starting, idle or busy, any revision and version). */
  live: number;
  /** Invocations of the function running now (all its versions). */
  inFlight: number;
  /** The function's reserved concurrency, or null for none. */
  reserved: number | null;
  /** Live instances of all functions together. */
  platformLive: number;
  /** The platform's instance cap. */
  platformCap: number;
  /** Idle instances of other functions that may be reclaimed. */
  reclaimable: number;
  /** Instances of the function that are busy or starting. */
  busy: number;
  /** Requests already waiting for one of them. */
  queued: number;
  /** Recent mean time an instance stays busy per invocation, in ms; undefined before any. */
  serviceMs: number | undefined;
  /** What starting a new instance would take now, in ms (a spare's init, or a process boot). */
  startMs: number;
  /** False once a request has waited as long as a start would take. */
  mayQueue: boolean;
}

/** A start slower than this means a process boot (no spare runner is ready). */
export const SLOW_START_MS = 20;
/** Most waiting requests per busy instance. */
export const MAX_QUEUE_PER_INSTANCE = 64;

/**
 * Expected wait for a busy instance, if we joined the queue now: the queue ahead of us is
 * shared by the busy instances, each taking `serviceMs` per invocation.
 */
export function expectedWaitMs(s: Pick<AdmissionStats, 'busy' | 'queued' | 'serviceMs'>): number | undefined {
  if (s.serviceMs === undefined || s.busy === 0) return undefined;
  return ((s.queued + 1) * s.serviceMs) / s.busy;
}

/**
 * Where an invocation goes. An idle instance is always taken. Otherwise a request waits for a
 * busy instance when that should be quicker than starting a new one; with no service time known
 * yet, it waits only when a start would be a full process boot. A request never waits longer than
 * a start would take (the pool's timer then calls again with `mayQueue: false`), so waiting costs
 * at most twice a cold start and saves one whenever instances free up fast. This keeps short
 * invocations on few, hot instances instead of waking one process per concurrent request.
 */
export function admit(s: AdmissionStats): Admission {
  if (s.reserved === 0) return 'throttle-function';
  // Idle instances beyond a lowered reserved concurrency are not used.
  if (s.idle > 0 && (s.reserved === null || s.inFlight < s.reserved)) return 'warm';
  if (s.mayQueue && s.busy > 0 && s.queued < s.busy * MAX_QUEUE_PER_INSTANCE) {
    const wait = expectedWaitMs(s);
    if (wait === undefined ? s.startMs >= SLOW_START_MS : wait < s.startMs) return 'queue';
  }
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

/**
 * A waiting request has waited as long as a start would take. It starts an instance, unless the
 * queue is moving and the instances spend most of their busy time waiting for the platform
 * rather than working: then the platform, not the instance count, is the bottleneck, and another
 * process would only slow it further.
 */
export function keepWaiting(s: {
  progressed: boolean;
  turnaroundMs: number;
  serviceMs: number | undefined;
}): boolean {
  return s.progressed && s.serviceMs !== undefined && s.turnaroundMs > PLATFORM_BOUND_RATIO * s.serviceMs;
}

/** Turnaround over service time beyond which invocations are bound by the platform. */
export const PLATFORM_BOUND_RATIO = 4;

/** Exponentially weighted moving average; the first sample stands alone. */
export function ewma(previous: number | undefined, sample: number, weight = 0.2): number {
  return previous === undefined ? sample : previous + weight * (sample - previous);
}

/** Of the reclaimable idle instances, the one idle longest goes first. */
export function pickVictim<T extends { idleSince: number }>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) if (!best || c.idleSince < best.idleSince) best = c;
  return best;
}
