import { memoryCache } from '../backends/memory/cache.ts';
import type { Clock } from '../core/clock.ts';
import type { FunctionRecord } from '../core/function-spec.ts';
import { type CacheCalls, cacheCalls } from '../runtime/cache-calls.ts';
import { cacheNamespaceOf } from '../services/cache/namespace.ts';
import { CacheService } from '../services/cache/service.ts';
import type { ServerConfig } from './config.ts';

export interface ComposedCache {
  service: CacheService;
  /** How a function's instances reach the cache: in its app's namespace. */
  forFunction: (record: FunctionRecord) => CacheCalls;
  close(): Promise<void>;
}

/**
 * The cache as the server composes it. Embedded mode keeps it in this process; cluster mode will
 * pick a Redis backend here, behind the same service.
 */
export function composeCache(config: Pick<ServerConfig, 'cacheMaxBytes'>, clock: Clock): ComposedCache {
  const backend = memoryCache({ clock, maxBytes: config.cacheMaxBytes });
  const service = new CacheService(backend);
  return {
    service,
    forFunction: (record) => cacheCalls(service, cacheNamespaceOf(record)),
    close: () => backend.close(),
  };
}
