import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of CPU times in /proc/<pid>/stat. */
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime, stime, cutime, cstime of a process, in ticks (all threads; children once reaped). */
function stat(pid: number): { own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after it.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    return { own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** The live child processes of a process (all of its threads' children). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const p of text.split(/\s+/)) pids.push(Number(p));
    }
  } catch {
    // The process is gone.
  }
  return pids;
}

export interface CpuSnapshot {
  own: number;
  reaped: number;
  children: Map<number, number>;
}

/** CPU ticks of a process and of each of its children, now. */
export function cpuSnapshot(pid: number): CpuSnapshot {
  const s = stat(pid) ?? { own: Number.NaN, reaped: Number.NaN };
  const children = new Map<number, number>();
  for (const c of childPids(pid)) {
    const cs = stat(c);
    if (cs) children.set(c, cs.own);
  }
  return { own: s.own, reaped: s.reaped, children };
}

/**
 * CPU seconds used between two snapshots by the process itself and by its children: those alive
 * at the end, plus those that exited and were reaped in between (counted through cutime/cstime).
 */
export function cpuSeconds(a: CpuSnapshot, b: CpuSnapshot): { own: number; children: number } {
  let kids = b.reaped - a.reaped;
  for (const [pid, t] of b.children) kids += t - (a.children.get(pid) ?? 0);
  for (const [pid, t] of a.children) if (!b.children.has(pid)) kids -= t;
  return { own: (b.own - a.own) / TICKS_PER_S, children: kids / TICKS_PER_S };
}

/** Ticks of all children; used to tell that none of them is booting. */
export function childrenTicks(pid: number): { count: number; ticks: number } {
  const snap = cpuSnapshot(pid);
  let ticks = 0;
  for (const t of snap.children.values()) ticks += t;
  return { count: snap.children.size, ticks };
}

/** CPU ticks of a process and all its descendants, including those that exited and were reaped. */
function treeTicks(pid: number): number {
  const s = stat(pid);
  if (!s) return 0;
  let t = s.own + s.reaped;
  for (const c of childPids(pid)) t += treeTicks(c);
  return t;
}

/** Busy ticks of the whole machine (all CPUs), from /proc/stat. */
function machineTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait.
  return f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
}

/**
 * Watches how much CPU the rest of the machine uses while a bench runs: other processes on the
 * same cores make its figures noisier. `others()` is in cores (1 = one core busy all along).
 */
export function otherLoad(): { others: () => number } {
  const m0 = machineTicks();
  const ours0 = treeTicks(process.pid);
  const t0 = performance.now();
  return {
    others: () => {
      const seconds = (performance.now() - t0) / 1000;
      return (machineTicks() - m0 - (treeTicks(process.pid) - ours0)) / TICKS_PER_S / seconds;
    },
  };
}
