import type { Deployer } from '../deploy/deployer.ts';
import type { Registry } from '../registry/registry.ts';
import type { AsyncDispatcher } from '../runtime/async/dispatcher.ts';
import type { Invoker } from '../runtime/invoker.ts';
import type { Pool } from '../runtime/pool.ts';
import type { SparePool } from '../runtime/spares.ts';
import type { CacheService } from '../services/cache/service.ts';
import type { LogSink } from '../telemetry/logs/log-sink.ts';

/** What `startServer` gives back: the listeners' URLs, the parts tests and benchmarks drive, and `close`. */
export interface RunningServer {
  gatewayUrl: string;
  controlUrl: string;
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  asyncInvocations: AsyncDispatcher;
  pool: Pool;
  spares: SparePool;
  logs: LogSink;
  cache: CacheService;
  /** Stops taking requests, lets running invocations finish (up to `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}
