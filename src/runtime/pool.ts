import type { Clock, TimerHandle } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';
import { type FunctionRecord, unitKey } from '../core/function-spec.ts';
import type { CacheCalls } from './cache-calls.ts';
import { initFor, type PlatformIdentity } from './function-env.ts';
import {
  busyCount,
  enqueueWaiter,
  type FunctionState,
  IPC_MS,
  instanceStats,
  issueCredentials,
  type Lease,
  newFunctionState,
  type PoolCredentials,
  type PoolFunction,
  type UnitUsage,
  unitUsage,
} from './function-state.ts';
import type { Instance } from './instance.ts';
import { admit, ewma, pickVictim, plan } from './scaler.ts';
import type { SparePool } from './spares.ts';

export type { Lease, PoolCredentials, PoolFunction } from './function-state.ts';

export interface PoolOptions {
  /** Most instances across all functions (spares excluded). */
  maxInstances: number;
  /** Milliseconds between scaling passes (reaping idle instances, keeping provisioned ones). */
  scaleIntervalMs: number;
  identity: PlatformIdentity;
  /** Serves the cache operations of a function's instances (in its app's namespace). */
  cacheFor?: (record: FunctionRecord) => CacheCalls;
  /** Session credentials of each instance's function role (`governance/function-roles.ts`). */
  credentials?: PoolCredentials;
}

/**
 * The warm-instance map: which instances each function has, which are idle, and who may start
 * another. Admission and scaling are decided by the pure functions in `scaler.ts`.
 */
export class Pool {
  /** By unit key: `name` for `$LATEST`, `name:3` for a published version. */
  private fns = new Map<string, FunctionState>();
  /** The units of each function: reserved concurrency counts all its versions together. */
  private groups = new Map<string, Set<FunctionState>>();
  private live = 0;
  private timer: TimerHandle | undefined;
  private closed = false;
  /** Recent ms from taking a spare to a loaded module. */
  private coldStartMs = 5;
  /** Recent ms to boot a runner when no spare is ready. */
  private bootMs = 100;

  constructor(
    private readonly opts: PoolOptions,
    private readonly spares: SparePool,
    private readonly clock: Clock,
  ) {}

  /** Starts the periodic scaling pass. */
  start(): void {
    const tick = (): void => {
      if (this.closed) return;
      this.scale();
      this.timer = this.clock.setTimer(this.opts.scaleIntervalMs, tick);
    };
    this.timer = this.clock.setTimer(this.opts.scaleIntervalMs, tick);
  }

  /**
   * Registers a function or its new code/configuration. Instances of an older revision are
   * drained: idle ones stop now, busy ones after their current invocation.
   */
  setFunction(fn: PoolFunction): void {
    const key = unitKey(fn.record);
    let st = this.fns.get(key);
    if (!st) {
      st = newFunctionState(key, fn);
      this.fns.set(key, st);
      const group = this.groups.get(fn.record.name) ?? new Set<FunctionState>();
      this.groups.set(fn.record.name, group);
      group.add(st);
    }
    st.fn = fn;
    st.removed = false;
    this.spares.use(fn.record.memory);
    this.spares.refill();
    for (const inst of st.instances) {
      if (inst.revision !== fn.record.revision) this.retire(st, inst);
    }
    this.scaleOne(st, this.clock.now());
  }

  /** Forgets a function (or one version, by its unit key), draining its instances. */
  removeFunction(key: string): void {
    const st = this.fns.get(key);
    if (!st) return;
    st.removed = true;
    for (const w of st.waiters.splice(0)) {
      w.timer.cancel();
      w.reject(new BatonError('ResourceNotFound', `Function not found: ${key}`));
    }
    for (const inst of st.instances) this.retire(st, inst);
    if (st.instances.size === 0) this.drop(st);
  }

  private drop(st: FunctionState): void {
    if (this.fns.get(st.key) !== st) return;
    this.fns.delete(st.key);
    const group = this.groups.get(st.fn.record.name);
    group?.delete(st);
    if (group?.size === 0) this.groups.delete(st.fn.record.name);
  }

  /** Live instances of every version of the function, and its reserved concurrency. */
  private groupLoad(st: FunctionState): { live: number; inFlight: number; reserved: number | null } {
    const latest = this.fns.get(st.fn.record.name);
    const reserved = (latest ?? st).fn.record.reservedConcurrency;
    const group = this.groups.get(st.fn.record.name);
    if (!group || group.size === 1) {
      const live = st.instances.size + st.starting;
      return { live, inFlight: live - st.idle.length, reserved };
    }
    let live = 0;
    let idle = 0;
    for (const u of group) {
      live += u.instances.size + u.starting;
      idle += u.idle.length;
    }
    return { live, inFlight: live - idle, reserved };
  }

  private retire(st: FunctionState, inst: Instance): void {
    inst.retiring = true;
    if (st.idle.includes(inst)) {
      this.forget(st, inst);
      inst.kill();
    }
  }

  /** Takes an instance for one invocation, starting one if needed, or throws a throttle error. */
  acquire(key: string): Promise<Lease> {
    if (this.closed) return Promise.reject(new BatonError('ShuttingDown', 'Baton is shutting down'));
    const st = this.fns.get(key);
    if (!st || st.removed)
      return Promise.reject(new BatonError('ResourceNotFound', `Function not found: ${key}`));
    return this.admitTo(st, true);
  }

  private admitTo(st: FunctionState, mayQueue: boolean): Promise<Lease> {
    if (st.removed)
      return Promise.reject(new BatonError('ResourceNotFound', `Function not found: ${st.fn.record.name}`));
    if (this.opts.credentials) this.retireStale(st, this.clock.now());
    // The common case, decided as admit() would, without gathering the rest of the stats.
    if (st.idle.length > 0 && st.fn.record.reservedConcurrency === null && st.key === st.fn.record.name)
      return Promise.resolve(this.takeIdle(st));
    const busy = busyCount(st);
    const startMs = this.spares.available(st.fn.record.memory) > 0 ? this.coldStartMs : this.bootMs;
    const load = this.groupLoad(st);
    const decision = admit({
      idle: st.idle.length,
      live: load.live,
      inFlight: load.inFlight,
      reserved: load.reserved,
      platformLive: this.live,
      platformCap: this.opts.maxInstances,
      reclaimable: this.live >= this.opts.maxInstances ? this.reclaimable(st).length : 0,
      busy,
      queued: st.waiters.length,
      serviceMs: st.serviceMs,
      startMs,
      mayQueue,
    });
    switch (decision) {
      case 'warm':
        return Promise.resolve(this.takeIdle(st));
      case 'queue': {
        // A new instance's first answer would also take the platform's turnaround.
        const wait = Math.ceil(startMs + st.turnaroundMs);
        return enqueueWaiter(st, this.clock, wait, () => this.admitTo(st, false));
      }
      case 'throttle-function':
        return Promise.reject(
          new BatonError('ThrottledFunction', 'Rate Exceeded.', {
            details: { reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
          }),
        );
      case 'throttle-platform':
        return Promise.reject(
          new BatonError('ThrottledAccount', 'Rate Exceeded.', {
            details: { reason: 'ConcurrentInvocationLimitExceeded' },
          }),
        );
      case 'evict': {
        const victim = pickVictim(this.reclaimable(st));
        if (victim) this.stopIdle(victim);
        break;
      }
      case 'cold':
        break;
    }
    return this.startInstance(st, 'on-demand').then((inst) => {
      inst.busy = true;
      inst.dispatchedAt = this.clock.now();
      return { instance: inst, cold: true };
    });
  }

  /** Hands out the most recently used idle instance. */
  private takeIdle(st: FunctionState): Lease {
    const inst = st.idle.pop()!;
    inst.busy = true;
    inst.dispatchedAt = this.clock.now();
    return { instance: inst, cold: false };
  }

  /**
   * Returns an instance after its invocation (`initMs`: its module load time, on a cold start).
   * A waiting request gets it at once; otherwise it goes idle.
   */
  release(inst: Instance, initMs?: number, handlerMs?: number): void {
    const now = this.clock.now();
    if (inst.fresh) {
      inst.fresh = false;
      if (initMs !== undefined && !inst.booted)
        this.coldStartMs = ewma(this.coldStartMs, inst.takeMs + initMs + 1);
      // The cold start that used a spare is answered first; then a new spare boots.
      setImmediate(() => this.spares.refill());
    }
    const st = inst.poolKey === undefined ? undefined : this.fns.get(inst.poolKey);
    const stale = inst.refreshAt <= now || inst.revision !== st?.fn.record.revision;
    if (inst.dead || !st || inst.retiring || st.removed || stale) {
      if (st) {
        this.forget(st, inst);
        // A request waiting for this instance will not get it: let it start one now.
        const waiter = st.waiters.shift();
        if (waiter) {
          waiter.timer.cancel();
          this.admitTo(st, false).then(waiter.resolve, waiter.reject);
        }
      }
      inst.kill();
      return;
    }
    st.completed++;
    const turnaround = now - inst.dispatchedAt;
    st.turnaroundMs = ewma(st.turnaroundMs, turnaround);
    // The instance's own time: when the platform is the bottleneck, more instances do not help.
    st.serviceMs = ewma(
      st.serviceMs,
      handlerMs === undefined ? turnaround : Math.min(turnaround, handlerMs + IPC_MS),
    );
    const waiter = st.waiters.shift();
    if (waiter) {
      waiter.timer.cancel();
      inst.dispatchedAt = now;
      waiter.resolve({ instance: inst, cold: false });
      return;
    }
    inst.busy = false;
    inst.idleSince = now;
    st.idle.push(inst);
  }

  private async startInstance(
    st: FunctionState,
    initType: 'on-demand' | 'provisioned-concurrency',
  ): Promise<Instance> {
    this.live++;
    st.starting++;
    let inst: Instance;
    const t0 = this.clock.now();
    const booted = this.spares.available(st.fn.record.memory) === 0;
    try {
      inst = await this.spares.take(st.fn.record.memory);
      inst.takeMs = this.clock.now() - t0;
      inst.booted = booted;
      if (booted) this.bootMs = ewma(this.bootMs, inst.takeMs);
    } catch (e) {
      this.live--;
      throw new BatonError('Internal', 'could not start an instance', { cause: e });
    } finally {
      st.starting--;
    }
    const fn = st.fn;
    st.instances.add(inst);
    inst.onExitOnce(() => this.onInstanceExit(st, inst));
    inst.provisioned = initType === 'provisioned-concurrency';
    inst.poolKey = st.key;
    const issued = issueCredentials(this.opts.credentials, inst, fn.record);
    inst.assign(
      initFor(fn.record, this.opts.identity, initType, new Date(this.clock.now()), issued),
      fn.codeDir,
      fn.record.revision,
      this.opts.cacheFor?.(fn.record),
    );
    return inst;
  }

  private onInstanceExit(st: FunctionState, inst: Instance): void {
    this.forget(st, inst);
  }

  /** Stops counting an instance (idempotent): at its exit, or as soon as the pool kills it. */
  private forget(st: FunctionState, inst: Instance): void {
    if (st.instances.delete(inst)) this.live--;
    const i = st.idle.indexOf(inst);
    if (i >= 0) st.idle.splice(i, 1);
    if (st.removed && st.instances.size === 0) this.drop(st);
  }

  /** Idle instances of other functions beyond their provisioned count. */
  private reclaimable(except: FunctionState): Instance[] {
    const out: Instance[] = [];
    for (const st of this.fns.values()) {
      if (st === except) continue;
      const extra =
        st.idle.length -
        Math.max(0, st.fn.record.provisionedConcurrency - (st.instances.size - st.idle.length));
      for (let i = 0; i < extra; i++) out.push(st.idle[i]!);
    }
    return out;
  }

  /** Stops idle instances whose credentials are due for renewal (replacements start on demand). */
  private retireStale(st: FunctionState, now: number): void {
    // Backwards, without a copy: this runs on every acquire, and stopping one splices it out.
    for (let i = st.idle.length - 1; i >= 0; i--)
      if (st.idle[i]!.refreshAt <= now) this.stopIdle(st.idle[i]!);
  }

  private stopIdle(inst: Instance): void {
    const st = inst.poolKey === undefined ? undefined : this.fns.get(inst.poolKey);
    if (st) this.forget(st, inst);
    inst.kill();
  }

  /** One scaling pass over every function. */
  scale(): void {
    const now = this.clock.now();
    for (const st of this.fns.values()) this.scaleOne(st, now);
  }

  private scaleOne(st: FunctionState, now: number): void {
    if (st.removed || this.closed) return;
    // Provisioned instances retired here are started again below.
    if (this.opts.credentials) this.retireStale(st, now);
    const stats = instanceStats(st, now);
    const decision = plan(now, stats, {
      provisioned: st.fn.record.provisionedConcurrency,
      idleTimeoutMs: st.fn.record.idleTimeout * 1000,
    });
    if (decision.reap.length > 0) {
      const reap = new Set(decision.reap);
      for (const inst of [...st.idle]) if (reap.has(inst.id)) this.stopIdle(inst);
    }
    for (let i = 0; i < decision.start; i++) {
      if (this.live >= this.opts.maxInstances) {
        // Provisioned instances take precedence over idle on-demand ones of other functions.
        const victim = pickVictim(this.reclaimable(st));
        if (!victim) break;
        this.stopIdle(victim);
      }
      void this.startInstance(st, 'provisioned-concurrency').then(
        (inst) => this.release(inst),
        () => undefined,
      );
    }
  }

  /** Counts for status pages, tests and benchmarks. */
  stats(): { live: number; spares: number; functions: Record<string, { live: number; idle: number }> } {
    const functions: Record<string, { live: number; idle: number }> = {};
    for (const [name, st] of this.fns) functions[name] = { live: st.instances.size, idle: st.idle.length };
    return { live: this.live, spares: this.spares.count(), functions };
  }

  /** Busy instances of each unit, for the metrics' gauges (read on scrape, not per invocation). */
  usage(): UnitUsage[] {
    return [...this.fns.values()].map(unitUsage);
  }

  /** Stops every instance and spare. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    for (const st of this.fns.values()) {
      for (const w of st.waiters.splice(0)) {
        w.timer.cancel();
        w.reject(new BatonError('ShuttingDown', 'Baton is shutting down'));
      }
    }
    for (const st of this.fns.values()) for (const inst of st.instances) inst.kill();
    this.spares.close();
  }
}
