/**
 * The host's side of the cache channel: runs a function's `CacheRequest` in its namespace and
 * builds the reply. The namespace is bound when the pool assigns an instance to a function, so
 * whatever a function writes to its channel reaches only its own app's keys.
 */
import { CacheError } from '../services/cache/errors.ts';
import type { CacheService } from '../services/cache/service.ts';
import type { CacheReply, CacheRequest } from './protocol.ts';

export type CacheCalls = (request: CacheRequest) => Promise<CacheReply>;

export function cacheCalls(cache: CacheService, namespace: string): CacheCalls {
  const run = (m: CacheRequest): Promise<unknown> => {
    switch (m.op) {
      case 'get':
        return cache.get(namespace, m.key);
      case 'getMany':
        return cache.getMany(namespace, m.keys);
      case 'set':
        return cache.set(namespace, m.key, m.value, m.ttlMs).then(() => null);
      case 'setMany':
        return cache.setMany(namespace, m.entries).then(() => null);
      case 'delete':
        return cache.delete(namespace, m.key);
      case 'increment':
        return cache.increment(namespace, m.key, m.by ?? 1, m.ttlMs);
      case 'compareAndSet':
        return cache.compareAndSet(namespace, m.key, m.expected ?? null, m.value, m.ttlMs);
      default:
        return Promise.reject(
          new CacheError('InvalidArgument', `unknown cache operation: ${String((m as { op?: unknown }).op)}`),
        );
    }
  };
  return (m) =>
    run(m).then(
      (value): CacheReply => ({ t: 'cache-reply', id: m.id, ok: true, value }),
      (e: unknown): CacheReply => ({ t: 'cache-reply', id: m.id, ok: false, error: errorOf(e) }),
    );
}

/** A reply for a request that cannot reach a cache (a runner that is not a function yet). */
export function cacheUnavailable(m: CacheRequest): CacheReply {
  return {
    t: 'cache-reply',
    id: m.id,
    ok: false,
    error: { code: 'Unavailable', message: 'the cache is not available to this instance' },
  };
}

function errorOf(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  return {
    code: typeof err?.code === 'string' ? err.code : 'Internal',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}
