import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmdirSync, rmSync, symlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { type CacheCalls, cacheUnavailable } from './cache-calls.ts';
import { encodeMessage, MessageReader } from './framing.ts';
import type {
  CacheRequest,
  DoneMessage,
  FromRunner,
  InitMessage,
  InvokeMessage,
  ToRunner,
} from './protocol.ts';

/** How an invocation on an instance ended, before it is turned into Lambda's shapes. */
/** How long an exited runner's channel may take to deliver its last messages. */
const EXIT_DRAIN_MS = 200;

export type Outcome =
  | { kind: 'done'; msg: DoneMessage }
  | { kind: 'timeout'; elapsedMs: number; output: string }
  | { kind: 'exit'; description: string; outOfMemory: boolean; output: string };

export interface RunnerSpawnOptions {
  /** The built runner program (dist/runner.mjs). */
  runnerPath: string;
  /** Folder under which each instance gets its own sandbox. */
  sandboxRoot: string;
  /** MB: sets the V8 heap limit; the pool also watches resident memory. */
  memoryMB: number;
  /** More paths the instance may read: the shared AWS SDK (`shared-modules.ts`). */
  readPaths?: readonly string[];
}

const PAGE_SIZE = 4096;
const WATCH_INTERVAL_MS = 100;
const OUTPUT_KEEP = 16 * 1024;

let nextId = 0;

/**
 * One sandboxed runner process. It is spawned generic (a spare), bound to one function by
 * `assign`, and then serves one invocation at a time until it is killed.
 */
export class Instance {
  readonly id: string;
  readonly sandbox: string;
  readonly taskRoot: string;
  readonly memoryMB: number;
  private proc: ChildProcess | undefined;
  private channel: Socket | undefined;
  private output = '';
  private pending:
    | { resolve: (o: Outcome) => void; rid: string; timer: TimerHandle | undefined; started: number }
    | undefined;
  private exitListeners: ((inst: Instance) => void)[] = [];
  private readyWaiters: ((ok: boolean) => void)[] = [];
  ready = false;
  dead = false;
  /** Set by `assign`. */
  functionName: string | undefined;
  /** The pool's key for the function version it was assigned to. */
  poolKey: string | undefined;
  revision: string | undefined;
  /** True until the pool has released it once (its cold start is over). */
  fresh = true;
  /** Started ahead of demand (provisioned concurrency): its init is not billed to a request. */
  provisioned = false;
  busy = false;
  /** Killed after its current invocation (old code, deleted function). */
  retiring = false;
  idleSince = 0;
  /** Clock time its current (or last) invocation was handed to it. */
  dispatchedAt = 0;
  /** Ms the pool spent getting this runner (a spare, or a boot). */
  takeMs = 0;
  /** True when no spare was ready and the runner was booted for this instance. */
  booted = false;
  /** Clock time from which it takes no invocation: its credentials are due for renewal. */
  refreshAt = Number.POSITIVE_INFINITY;
  /** Runs the function's cache operations in its namespace; set by `assign`. */
  private cache: CacheCalls | undefined;

  private constructor(
    private readonly opts: RunnerSpawnOptions,
    private readonly clock: Clock,
  ) {
    this.id = `${process.pid}-${++nextId}`;
    this.sandbox = join(opts.sandboxRoot, this.id);
    this.taskRoot = join(this.sandbox, 'code');
    this.memoryMB = opts.memoryMB;
  }

  /** Spawns a generic runner; resolves once it is ready to be assigned. */
  static async spawn(opts: RunnerSpawnOptions, clock: Clock): Promise<Instance> {
    const inst = new Instance(opts, clock);
    await mkdir(join(inst.sandbox, 'tmp'), { recursive: true });
    // The permission model grants a folder (and what is below it) only if it exists at start;
    // `assign` swaps this placeholder for a link to the function's code.
    await mkdir(inst.taskRoot);
    inst.start();
    if (!(await inst.whenReady())) throw new Error(`runner failed to start: ${inst.output.slice(-500)}`);
    return inst;
  }

  private start(): void {
    const tmp = join(this.sandbox, 'tmp');
    const heapMB = Math.max(32, Math.floor(this.opts.memoryMB * 0.9));
    const proc = spawn(
      process.execPath,
      [
        '--experimental-permission',
        `--allow-fs-read=${this.opts.runnerPath}`,
        `--allow-fs-read=${this.taskRoot}`,
        `--allow-fs-read=${tmp}`,
        // One flag per path: Node 20 refuses a comma-separated list.
        ...(this.opts.readPaths ?? []).map((p) => `--allow-fs-read=${p}`),
        `--allow-fs-write=${tmp}`,
        '--preserve-symlinks',
        '--no-warnings',
        `--max-old-space-size=${heapMB}`,
        this.opts.runnerPath,
      ],
      {
        // Nothing of the platform's environment crosses into an instance.
        env: {},
        cwd: tmp,
        // fd 3 is the message channel (see framing.ts).
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    this.proc = proc;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const channel = proc.stdio[3] as Socket;
    this.channel = channel;
    // Function code can write to fd 3 too: anything that is not a well-formed message from the
    // runner ends the instance, never the platform.
    const reader = new MessageReader(
      (m) => this.onMessage(m as FromRunner),
      () => this.poison(),
    );
    channel.on('data', (chunk: Buffer) => reader.feed(chunk));
    // A runner that dies mid-write closes the socket; its exit is handled below.
    channel.on('error', () => undefined);
    proc.on('error', () => this.onExit(null, 'SIGKILL'));
    // The exit can be seen before the channel's last bytes (say, an init error's reply just
    // before the runner exits) are read: settle once the channel has closed, or shortly after.
    proc.on('exit', (code, signal) => {
      if (channel.closed || channel.destroyed) return this.onExit(code, signal);
      const late = setTimeout(() => this.onExit(code, signal), EXIT_DRAIN_MS);
      late.unref();
      channel.once('close', () => {
        clearTimeout(late);
        this.onExit(code, signal);
      });
    });
  }

  private whenReady(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.dead) return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  onExitOnce(fn: (inst: Instance) => void): void {
    this.exitListeners.push(fn);
  }

  /**
   * Binds this spare to a function: links its code into the sandbox and loads the module.
   * `cache` serves the function's cache operations (module init may use it already).
   */
  assign(
    init: Omit<InitMessage, 't' | 'taskRoot'>,
    codeDir: string,
    revision: string,
    cache?: CacheCalls,
  ): void {
    rmdirSync(this.taskRoot);
    symlinkSync(codeDir, this.taskRoot, 'dir');
    this.functionName = init.functionName;
    this.revision = revision;
    this.cache = cache;
    const env = { ...init.env, LAMBDA_TASK_ROOT: this.taskRoot, TMPDIR: join(this.sandbox, 'tmp') };
    this.send({ ...init, t: 'init', taskRoot: this.taskRoot, env });
  }

  /** Runs one invocation. `deadline` is epoch ms; the process is killed if it is passed. */
  invoke(rid: string, event: unknown, timeoutMs: number, arn?: string, trace?: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const started = this.clock.now();
      const deadline = started + timeoutMs;
      this.pending = { resolve, rid, timer: undefined, started };
      this.busy = true;
      this.watch(deadline);
      const message: InvokeMessage = { t: 'invoke', rid, event, deadline };
      if (arn !== undefined) message.arn = arn;
      // The compact trace context is hex digits only (protocol.ts): appended to the JSON text, it
      // costs a concatenation rather than a walk through stringify.
      if (trace === undefined) this.send(message);
      else this.channel?.write(`${encodeMessage(message).slice(0, -2)},"trace":"${trace}"}\n`);
    });
  }

  private send(message: ToRunner): void {
    this.channel?.write(encodeMessage(message));
  }

  /** Checks the deadline and resident memory while an invocation runs. */
  private watch(deadline: number): void {
    const pending = this.pending;
    if (!pending) return;
    const wait = Math.min(WATCH_INTERVAL_MS, Math.max(0, deadline - this.clock.now()));
    pending.timer = this.clock.setTimer(wait, () => {
      if (this.pending !== pending) return;
      const now = this.clock.now();
      if (now >= deadline) {
        this.settle({ kind: 'timeout', elapsedMs: now - pending.started, output: this.takeOutput() });
        this.kill();
        return;
      }
      if (this.residentMB() > this.memoryMB) {
        this.oomKilled = true;
        this.kill();
        return;
      }
      this.watch(deadline);
    });
  }

  private oomKilled = false;

  /** Resident memory from /proc, in MB (0 where /proc is missing). */
  residentMB(): number {
    try {
      const statm = readFileSync(`/proc/${this.proc?.pid}/statm`, 'latin1');
      return (Number(statm.split(' ')[1]) * PAGE_SIZE) / (1024 * 1024);
    } catch {
      return 0;
    }
  }

  private takeOutput(): string {
    const out = this.output;
    this.output = '';
    return out;
  }

  private settle(o: Outcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    p.timer?.cancel();
    this.busy = false;
    p.resolve(o);
  }

  /** Stops listening to a runner that broke the protocol; its exit ends the invocation. */
  private poison(): void {
    this.poisoned = true;
    this.kill();
  }

  private poisoned = false;

  private onMessage(m: FromRunner): void {
    if (this.poisoned) return;
    if (typeof m !== 'object' || m === null) {
      this.poison();
      return;
    }
    if (m.t === 'cache') {
      this.onCacheRequest(m);
      return;
    }
    if (m.t === 'ready') {
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w(true);
      return;
    }
    if (m.t === 'done' && this.pending?.rid === m.rid) {
      if (typeof m.body !== 'string' || !Array.isArray(m.logs)) {
        this.poison();
        return;
      }
      if (this.output) m.logs.push(...this.takeOutput().split('\n').filter(Boolean));
      if (m.exiting) this.retiring = true;
      this.settle({ kind: 'done', msg: m });
    }
  }

  /** Cache operations run while the function works, and may outlive its invocation. */
  private onCacheRequest(m: CacheRequest): void {
    if (typeof m.id !== 'number') {
      this.poison();
      return;
    }
    if (this.cache === undefined) {
      this.send(cacheUnavailable(m));
      return;
    }
    void this.cache(m).then((reply) => {
      if (!this.dead && !this.poisoned) this.send(reply);
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.dead) return;
    this.dead = true;
    const output = this.takeOutput();
    const outOfMemory = this.oomKilled || output.includes('JavaScript heap out of memory');
    const description =
      signal !== null
        ? `signal: ${signalName(signal)}`
        : code === 0
          ? 'exit status 0'
          : `exit status ${code}`;
    this.settle({ kind: 'exit', description, outOfMemory, output });
    for (const w of this.readyWaiters.splice(0)) w(false);
    for (const fn of this.exitListeners.splice(0)) fn(this);
    rmSync(this.sandbox, { recursive: true, force: true });
  }

  kill(): void {
    if (this.dead) return;
    this.proc?.kill('SIGKILL');
  }
}

function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
    SIGTRAP: 'trace/breakpoint trap',
  };
  return names[signal] ?? signal;
}
