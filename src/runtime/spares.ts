import type { Clock } from '../core/clock.ts';
import { Instance, type RunnerSpawnOptions } from './instance.ts';
import { shareModules } from './shared-modules.ts';

export interface SparePoolOptions {
  runnerPath: string;
  sandboxRoot: string;
  /** Ready runners kept per memory size. */
  perSize: number;
  /** Memory sizes that get spares; the most recently used first. */
  maxSizes: number;
  /** Runner boots allowed at once, so that refilling never starves running functions. */
  maxConcurrentSpawns: number;
  /** A node_modules folder every instance may import from (the AWS SDK: `shared-modules.ts`). */
  sharedModules?: string;
}

/**
 * Pre-started generic runners, so that a cold start only loads code into a running process
 * instead of paying for a process boot (~50 ms here). Runners differ only by heap limit, so spares
 * are kept per memory size, for the few sizes most recently used.
 */
export class SparePool {
  private ready = new Map<number, Instance[]>();
  private spawning = new Map<number, number>();
  private sizes: number[] = [];
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly readPaths: readonly string[];

  constructor(
    private readonly opts: SparePoolOptions,
    private readonly clock: Clock,
  ) {
    this.readPaths = opts.sharedModules ? shareModules(opts.sandboxRoot, opts.sharedModules) : [];
  }

  private spawnOptions(memoryMB: number): RunnerSpawnOptions {
    const { runnerPath, sandboxRoot } = this.opts;
    return { runnerPath, sandboxRoot, memoryMB, readPaths: this.readPaths };
  }

  /** Marks a memory size as in use, so spares are kept for it. */
  use(memoryMB: number): void {
    const i = this.sizes.indexOf(memoryMB);
    if (i === 0) return;
    if (i > 0) this.sizes.splice(i, 1);
    this.sizes.unshift(memoryMB);
    for (const dropped of this.sizes.splice(this.opts.maxSizes)) {
      for (const inst of this.ready.get(dropped) ?? []) inst.kill();
      this.ready.delete(dropped);
    }
  }

  /** A ready runner for this memory size: a spare if there is one, else a fresh boot. */
  async take(memoryMB: number): Promise<Instance> {
    this.use(memoryMB);
    const list = this.ready.get(memoryMB);
    let inst = list?.pop();
    while (inst?.dead) inst = list?.pop();
    // Refilling boots a process, which blocks this thread for a moment: it waits until the cold
    // start that took this spare is over (the pool calls `refill` when the instance is released).
    return inst ?? Instance.spawn(this.spawnOptions(memoryMB), this.clock);
  }

  /** Starts boots until every size in use has its spares. */
  refill(): void {
    if (this.closed) return;
    for (const size of this.sizes) {
      const have = (this.ready.get(size)?.length ?? 0) + (this.spawning.get(size) ?? 0);
      for (let n = have; n < this.opts.perSize; n++) {
        if (this.active >= this.opts.maxConcurrentSpawns) return;
        this.boot(size);
      }
    }
    if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private boot(size: number): void {
    this.active++;
    this.spawning.set(size, (this.spawning.get(size) ?? 0) + 1);
    const done = (): void => {
      this.active--;
      this.spawning.set(size, (this.spawning.get(size) ?? 1) - 1);
    };
    Instance.spawn(this.spawnOptions(size), this.clock).then(
      (inst) => {
        done();
        if (this.closed || !this.sizes.includes(size)) {
          inst.kill();
        } else {
          const list = this.ready.get(size) ?? [];
          list.push(inst);
          this.ready.set(size, list);
          inst.onExitOnce(() => {
            const l = this.ready.get(size);
            const i = l?.indexOf(inst) ?? -1;
            if (l && i >= 0) l.splice(i, 1);
            this.refill();
          });
        }
        this.refill();
      },
      () => {
        done();
        // A runner that cannot boot is not retried in a loop; the next take() boots one itself.
        if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
      },
    );
  }

  /** Resolves once every size in use has its spares ready (benchmarks wait on this). */
  whenFull(): Promise<void> {
    this.refill();
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ready spares for a memory size. */
  available(memoryMB: number): number {
    return this.ready.get(memoryMB)?.length ?? 0;
  }

  count(): number {
    let n = 0;
    for (const l of this.ready.values()) n += l.length;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const l of this.ready.values()) for (const inst of l) inst.kill();
    this.ready.clear();
  }
}
