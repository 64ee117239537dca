import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryRegistry } from '../../src/backends/memory/registry.ts';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import { parseFunctionConfig } from '../../src/core/function-spec.ts';
import { CodeStore } from '../../src/deploy/code-store.ts';
import { Deployer } from '../../src/deploy/deployer.ts';
import { packageDir } from '../../src/deploy/package-dir.ts';
import { Registry } from '../../src/registry/registry.ts';
import { resolveTarget } from '../../src/registry/resolve.ts';
import { cacheCalls } from '../../src/runtime/cache-calls.ts';
import { Invoker } from '../../src/runtime/invoker.ts';
import { Pool, type PoolCredentials } from '../../src/runtime/pool.ts';
import { SparePool } from '../../src/runtime/spares.ts';
import { defaultRunnerPath } from '../../src/server/config.ts';
import { cacheNamespaceOf } from '../../src/services/cache/namespace.ts';
import type { CacheService } from '../../src/services/cache/service.ts';
import type { LogRecord } from '../../src/telemetry/logs/backend.ts';
import { formatInvocationLog, toLogRecord } from '../../src/telemetry/logs/invocation-log.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface Harness {
  dataDir: string;
  registry: Registry;
  code: CodeStore;
  deployer: Deployer;
  pool: Pool;
  spares: SparePool;
  invoker: Invoker;
  logs: LogRecord[];
  /** Deploys `dir` (default: fixtures/functions) as function `name` with the given settings. */
  deploy(name: string, config: Record<string, unknown>, dir?: string): Promise<void>;
  /** Invokes and parses the payload. */
  call(
    name: string,
    event?: unknown,
  ): Promise<{ body: unknown; error: boolean; logs: string[]; cold: boolean }>;
  close(): Promise<void>;
}

/**
 * The runtime without HTTP: a registry in memory, a real code store and real runner processes,
 * wired as the server wires them. Pass a ManualClock to drive timeouts and reaping, and a cache
 * service to give functions `baton.cache` (each in its app's namespace, as the server does).
 */
export async function createHarness(
  opts: {
    clock?: Clock;
    maxInstances?: number;
    spares?: number;
    cache?: CacheService;
    /** Session credentials for instances, as the server's function roles issue them. */
    credentials?: PoolCredentials;
  } = {},
): Promise<Harness> {
  const clock = opts.clock ?? systemClock;
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const registry = await Registry.open(memoryRegistry());
  const code = new CodeStore(join(dataDir, 'code'));
  const spares = new SparePool(
    {
      runnerPath: defaultRunnerPath(),
      sandboxRoot: join(dataDir, 'sandboxes'),
      perSize: opts.spares ?? 1,
      maxSizes: 2,
      maxConcurrentSpawns: 2,
    },
    clock,
  );
  const pool = new Pool(
    {
      maxInstances: opts.maxInstances ?? 32,
      scaleIntervalMs: 1000,
      identity: { region: 'us-east-1', accountId: '000000000000', endpointUrl: 'http://127.0.0.1:1' },
      cacheFor: opts.cache && ((rec) => cacheCalls(opts.cache!, cacheNamespaceOf(rec))),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    },
    spares,
    clock,
  );
  registry.onChange((name, rec) => {
    if (rec) pool.setFunction({ record: rec, codeDir: code.dir(rec.codeSha256) });
    else pool.removeFunction(name);
  });
  const logs: LogRecord[] = [];
  const invoker = new Invoker({
    pool,
    clock,
    resolve: (n, q) =>
      resolveTarget(registry, { region: 'us-east-1', accountId: '000000000000', endpointUrl: '' }, n, q),
    writeLog: (fn, ts, log) => logs.push(toLogRecord(fn, ts, log)),
  });
  const deployer = new Deployer(registry, code, clock);
  const zips = new Map<string, Uint8Array>();
  const zipOf = async (dir: string): Promise<Uint8Array> => {
    let z = zips.get(dir);
    if (!z) {
      z = await packageDir(dir);
      zips.set(dir, z);
    }
    return z;
  };
  return {
    dataDir,
    registry,
    code,
    deployer,
    pool,
    spares,
    invoker,
    logs,
    async deploy(name, config, dir = join(FIXTURES, 'functions')) {
      const parsed = parseFunctionConfig(config, 'function');
      const zip = await zipOf(dir);
      if (registry.get(name)) await deployer.update(name, { config: parsed, zip });
      else await deployer.create(name, parsed, zip);
    },
    async call(name, event = {}) {
      const r = await invoker.invoke(name, JSON.stringify(event));
      return {
        body: JSON.parse(r.payload),
        error: r.functionError !== undefined,
        logs: formatInvocationLog(r.log),
        cold: r.cold,
      };
    },
    async close() {
      pool.close();
      // A spare being started as the pool closes may still create its sandbox: rmSync's retries
      // (on ENOTEMPTY and the like) outlast it.
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}
