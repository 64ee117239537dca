import type { Clock, TimerHandle } from '../core/clock.ts';
import type { FunctionRecord } from '../core/function-spec.ts';
import type { InstanceCredentials } from './function-env.ts';
import type { Instance } from './instance.ts';
import { type InstanceStats, keepWaiting } from './scaler.ts';

/** What the pool knows of a deployed function. */
export interface PoolFunction {
  record: FunctionRecord;
  /** Absolute path of the function's unpacked code. */
  codeDir: string;
}

export interface FunctionState {
  /** The pool's key: `name`, or `name:3` for a published version. */
  key: string;
  fn: PoolFunction;
  instances: Set<Instance>;
  /** Idle instances of the current revision; the most recently used last. */
  idle: Instance[];
  /** Instances being started (a runner is being taken for them). */
  starting: number;
  /** Requests waiting for a busy instance, oldest first. */
  waiters: Waiter[];
  /** Recent mean ms an instance stays busy per invocation. */
  serviceMs: number | undefined;
  /** Recent mean ms from handing an invocation over to getting the instance back. */
  turnaroundMs: number;
  /** Invocations finished, ever: a waiter compares it to tell a moving queue from a stuck one. */
  completed: number;
  removed: boolean;
}

/**
 * Issues each new instance its credentials, and ends them when it exits. An instance takes no
 * invocation from `refreshAt` on: the pool retires it and starts new ones, as Lambda recycles
 * sandboxes, so that no invocation runs on expired credentials.
 */
export interface PoolCredentials {
  issue(record: FunctionRecord): InstanceCredentials & { refreshAt: number };
  revoke(accessKeyId: string): void;
}

export interface Waiter {
  resolve: (lease: Lease) => void;
  reject: (e: unknown) => void;
  timer: TimerHandle;
}

/** Ms an invocation spends crossing to the runner and back, beyond its handler. */
export const IPC_MS = 0.1;

export interface Lease {
  instance: Instance;
  /** True when the instance was started for this request. */
  cold: boolean;
}

export function newFunctionState(key: string, fn: PoolFunction): FunctionState {
  return {
    key,
    fn,
    instances: new Set(),
    idle: [],
    starting: 0,
    waiters: [],
    serviceMs: undefined,
    turnaroundMs: 0,
    completed: 0,
    removed: false,
  };
}

/** Instances of the current code that are busy or starting (call when none is idle). */
export function busyCount(st: FunctionState): number {
  let busy = st.starting;
  for (const inst of st.instances) if (!inst.retiring && inst.revision === st.fn.record.revision) busy++;
  return busy;
}

/**
 * Queues a request behind the function's busy instances. Every `waitMs` it checks: while the
 * queue moves (`keepWaiting`), it waits on; otherwise it leaves the queue and `retry`s admission.
 */
export function enqueueWaiter(
  st: FunctionState,
  clock: Clock,
  waitMs: number,
  retry: () => Promise<Lease>,
): Promise<Lease> {
  return new Promise<Lease>((resolve, reject) => {
    let seen = st.completed;
    const waiter: Waiter = { resolve, reject, timer: { cancel: () => undefined } };
    const check = (): void => {
      const i = st.waiters.indexOf(waiter);
      if (i < 0) return;
      const progressed = st.completed > seen;
      seen = st.completed;
      if (keepWaiting({ progressed, turnaroundMs: st.turnaroundMs, serviceMs: st.serviceMs })) {
        waiter.timer = clock.setTimer(waitMs, check);
        return;
      }
      st.waiters.splice(i, 1);
      retry().then(resolve, reject);
    };
    waiter.timer = clock.setTimer(waitMs, check);
    st.waiters.push(waiter);
  });
}

/** Issues a new instance its credentials: it stops at their `refreshAt`, and they end with it. */
export function issueCredentials(
  source: PoolCredentials | undefined,
  inst: Instance,
  record: FunctionRecord,
): InstanceCredentials | undefined {
  const issued = source?.issue(record);
  if (!issued) return undefined;
  inst.refreshAt = issued.refreshAt;
  inst.onExitOnce(() => source!.revoke(issued.accessKeyId));
  return issued;
}

/** What the scaler's `plan` needs to know of a function's instances. */
export function instanceStats(st: FunctionState, now: number): InstanceStats[] {
  const stats: InstanceStats[] = [];
  for (const inst of st.instances) {
    stats.push({
      id: inst.id,
      state: inst.busy ? 'busy' : st.idle.includes(inst) ? 'idle' : 'starting',
      current: inst.revision === st.fn.record.revision && !inst.retiring,
      idleSince: inst.idleSince,
    });
  }
  for (let i = 0; i < st.starting; i++)
    stats.push({ id: `starting-${i}`, state: 'starting', current: true, idleSince: now });
  return stats;
}

/** How many of a unit's instances are running an invocation (read by the metrics on scrape). */
export interface UnitUsage {
  record: FunctionRecord;
  busy: number;
  /** Busy instances that were started for provisioned concurrency. */
  provisionedBusy: number;
}

export function unitUsage(st: FunctionState): UnitUsage {
  let busy = 0;
  let provisionedBusy = 0;
  for (const inst of st.instances) {
    if (!inst.busy) continue;
    busy++;
    if (inst.provisioned) provisionedBusy++;
  }
  return { record: st.fn.record, busy, provisionedBusy };
}
