import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Logger } from 'pino';
import { authenticator } from '../aws/auth.ts';
import { lambdaApi } from '../aws/lambda/router.ts';
import { type Backends, storageKinds } from '../backends/index.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';
import { CodeStore } from '../deploy/code-store.ts';
import { Deployer } from '../deploy/deployer.ts';
import { Registry } from '../registry/registry.ts';
import type { PlatformIdentity } from '../runtime/function-env.ts';
import { Invoker } from '../runtime/invoker.ts';
import { Pool } from '../runtime/pool.ts';
import { SparePool } from '../runtime/spares.ts';
import { LogSink } from '../telemetry/logs/log-sink.ts';
import { adminRoutes } from './admin-api.ts';
import type { ServerConfig } from './config.ts';
import { controlPlaneServer, gatewayServer } from './control-plane.ts';
import type { Credentials } from './credentials.ts';

export interface RunningServer {
  gatewayUrl: string;
  controlUrl: string;
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  pool: Pool;
  spares: SparePool;
  logs: LogSink;
  /** Stops taking requests, lets running invocations finish (up to `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'is in use'
          : e.code === 'EACCES'
            ? 'is not allowed'
            : `failed (${e.code ?? e.message})`;
      reject(new BatonError('InvalidParameterValue', `${what}: ${host}:${port} ${why}`, { cause: e }));
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function readManifestFromZip(zip: Uint8Array): string | undefined {
  try {
    const files = unzipSync(zip, { filter: (f) => f.name === 'baton.yaml' });
    const file = files['baton.yaml'];
    return file ? Buffer.from(file).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Composes Baton: storage, registry, runtime, telemetry and the two listeners. */
export async function startServer(
  config: ServerConfig,
  credentials: Credentials,
  log: Logger,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  mkdirSync(join(config.dataDir, 'code'), { recursive: true });
  // Sandboxes of a previous run belong to processes that are gone.
  const sandboxRoot = join(config.dataDir, 'sandboxes');
  rmSync(sandboxRoot, { recursive: true, force: true });
  mkdirSync(sandboxRoot, { recursive: true });

  const backends: Backends = storageKinds[config.storage](config.dataDir);
  const registry = await Registry.open(backends.registry);
  const code = new CodeStore(join(config.dataDir, 'code'));
  const gateway = gatewayServer();
  const identity: PlatformIdentity = {
    region: config.region,
    accountId: config.accountId,
    endpointUrl: `http://${config.host}:${config.controlPort}`,
  };
  const spares = new SparePool(
    {
      runnerPath: config.runnerPath,
      sandboxRoot,
      perSize: config.spareRunners,
      maxSizes: 4,
      maxConcurrentSpawns: 2,
    },
    clock,
  );
  const pool = new Pool(
    { maxInstances: config.maxInstances, scaleIntervalMs: 1000, identity },
    spares,
    clock,
  );
  const sync = (name: string): void => {
    const rec = registry.get(name);
    if (rec) pool.setFunction({ record: rec, codeDir: code.dir(rec.codeSha256) });
    else pool.removeFunction(name);
  };
  registry.onChange((name) => sync(name));

  const logs = new LogSink(
    backends.logs,
    clock,
    {
      flushIntervalMs: 200,
      maxBatch: 2000,
      retentionDays: config.logRetentionDays,
      purgeIntervalMs: 3_600_000,
    },
    (e) => log.error({ err: e }, 'writing function logs failed'),
  );
  const invoker = new Invoker({
    pool,
    clock,
    lookup: (name) => registry.get(name),
    writeLog: (fn, ts, log) => logs.write(fn, ts, log),
  });
  const deployer = new Deployer(registry, code, clock);
  const authenticate = authenticator(
    (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    () => clock.now(),
  );
  const control = controlPlaneServer(
    [
      lambdaApi({ registry, deployer, invoker, identity, authenticate }),
      adminRoutes({
        registry,
        deployer,
        invoker,
        pool,
        logs,
        identity,
        readManifest: readManifestFromZip,
        authenticate,
      }),
    ],
    authenticate,
    log,
  );

  const controlPort = await listen(
    control,
    config.controlPort,
    config.host,
    'control plane (BATON_CONTROL_PORT, --control-port)',
  );
  identity.endpointUrl = `http://${config.host}:${controlPort}`;
  const gatewayPort = await listen(gateway, config.port, config.host, 'gateway (BATON_PORT, --port)');
  for (const rec of registry.list()) sync(rec.name);
  pool.start();
  logs.start();
  spares.refill();

  let closing: Promise<void> | undefined;
  return {
    gatewayUrl: `http://${config.host}:${gatewayPort}`,
    controlUrl: identity.endpointUrl,
    registry,
    deployer,
    invoker,
    pool,
    spares,
    logs,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        control.close();
        gateway.close();
        control.closeIdleConnections();
        gateway.closeIdleConnections();
        await Promise.race([invoker.drain(), new Promise((r) => setTimeout(r, graceMs).unref())]);
        pool.close();
        await logs.close();
        control.closeAllConnections();
        gateway.closeAllConnections();
        backends.close();
      })();
      return closing;
    },
  };
}
