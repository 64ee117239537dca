/**
 * The cache: validation and limits in front of a `CacheBackend`. The wire adapters (the runner
 * channel in src/runtime/cache-calls.ts, the admin API in src/server/cache-api.ts) pass what
 * they parsed; everything is checked here, so the two behave alike.
 */
import type { CacheBackend, CacheEntry, CacheStats } from './backend.ts';
import { cacheLimits, NAMESPACE_RE } from './constants.ts';
import { CacheError, isCacheError } from './errors.ts';

/** UTF-8 bytes of a string, without counting when it is surely small enough. */
function fitsIn(s: string, max: number): boolean {
  return s.length * 3 <= max || Buffer.byteLength(s) <= max;
}

export function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !NAMESPACE_RE.test(namespace))
    throw new CacheError(
      'InvalidNamespace',
      'namespace: must be an app name (1-64 letters, digits, hyphens or underscores) or function:NAME',
    );
  return namespace;
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new CacheError('InvalidKey', 'key: must be a non-empty string');
  if (!fitsIn(key, cacheLimits.keyBytes))
    throw new CacheError('InvalidKey', `key: must be at most ${cacheLimits.keyBytes} bytes (UTF-8)`);
  return key;
}

export function checkValue(value: unknown): string {
  if (typeof value !== 'string') throw new CacheError('InvalidValue', 'value: must be a string');
  if (!fitsIn(value, cacheLimits.valueBytes))
    throw new CacheError(
      'ValueTooLarge',
      `value: must be at most ${cacheLimits.valueBytes} bytes (UTF-8); got ${Buffer.byteLength(value)}`,
    );
  return value;
}

export function checkTtl(ttlMs: unknown): number | undefined {
  if (ttlMs === undefined || ttlMs === null) return undefined;
  if (
    typeof ttlMs !== 'number' ||
    !Number.isInteger(ttlMs) ||
    ttlMs < cacheLimits.ttlMsMin ||
    ttlMs > cacheLimits.ttlMsMax
  )
    throw new CacheError(
      'InvalidTtl',
      `ttlMs: must be a whole number of milliseconds from ${cacheLimits.ttlMsMin} to ${cacheLimits.ttlMsMax} (30 days)`,
    );
  return ttlMs;
}

function checkBatch(items: unknown, what: string): unknown[] {
  if (!Array.isArray(items)) throw new CacheError('InvalidArgument', `${what}: must be an array`);
  if (items.length > cacheLimits.batchKeys)
    throw new CacheError(
      'TooManyKeys',
      `${what}: at most ${cacheLimits.batchKeys} keys at once (got ${items.length})`,
    );
  return items;
}

export class CacheService {
  constructor(private readonly backend: CacheBackend) {}

  /** Runs a backend call, keeping its own cache errors and wrapping anything else. */
  private async call<T>(op: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (isCacheError(e)) throw e;
      throw new CacheError('BackendFailure', `cache ${op} failed: ${(e as Error)?.message ?? e}`, {
        cause: e,
      });
    }
  }

  async get(namespace: string, key: string): Promise<string | null> {
    const ns = checkNamespace(namespace);
    const k = checkKey(key);
    return this.call('get', () => this.backend.get(ns, k));
  }

  async getMany(namespace: string, keys: readonly string[]): Promise<(string | null)[]> {
    const ns = checkNamespace(namespace);
    const ks = checkBatch(keys, 'keys').map(checkKey);
    if (ks.length === 0) return [];
    return this.call('getMany', () => this.backend.getMany(ns, ks));
  }

  async set(namespace: string, key: string, value: string, ttlMs?: number): Promise<void> {
    const ns = checkNamespace(namespace);
    const k = checkKey(key);
    const v = checkValue(value);
    const ttl = checkTtl(ttlMs);
    return this.call('set', () => this.backend.set(ns, k, v, ttl));
  }

  async setMany(namespace: string, entries: readonly CacheEntry[]): Promise<void> {
    const ns = checkNamespace(namespace);
    let bytes = 0;
    const checked = checkBatch(entries, 'entries').map((e): CacheEntry => {
      if (typeof e !== 'object' || e === null)
        throw new CacheError('InvalidArgument', 'entries: each must be { key, value, ttlMs? }');
      const { key, value, ttlMs } = e as Record<string, unknown>;
      const entry: CacheEntry = { key: checkKey(key), value: checkValue(value) };
      const ttl = checkTtl(ttlMs);
      if (ttl !== undefined) entry.ttlMs = ttl;
      bytes += entry.key.length + entry.value.length;
      return entry;
    });
    if (bytes * 3 > cacheLimits.batchBytes) {
      const exact = checked.reduce((n, e) => n + Buffer.byteLength(e.key) + Buffer.byteLength(e.value), 0);
      if (exact > cacheLimits.batchBytes)
        throw new CacheError(
          'ValueTooLarge',
          `entries: at most ${cacheLimits.batchBytes} bytes of keys and values at once (got ${exact})`,
        );
    }
    if (checked.length === 0) return;
    return this.call('setMany', () => this.backend.setMany(ns, checked));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const ns = checkNamespace(namespace);
    const k = checkKey(key);
    return this.call('delete', () => this.backend.delete(ns, k));
  }

  /** Adds `by` (default 1, may be negative) to an integer value; see `CacheBackend.increment`. */
  async increment(namespace: string, key: string, by: number = 1, ttlMs?: number): Promise<number> {
    const ns = checkNamespace(namespace);
    const k = checkKey(key);
    if (typeof by !== 'number' || !Number.isSafeInteger(by))
      throw new CacheError('InvalidArgument', 'by: must be a whole number within ±(2^53 - 1)');
    const ttl = checkTtl(ttlMs);
    return this.call('increment', () => this.backend.increment(ns, k, by, ttl));
  }

  /** Sets `value` only if the current value is `expected` (null: only if absent). */
  async compareAndSet(
    namespace: string,
    key: string,
    expected: string | null,
    value: string,
    ttlMs?: number,
  ): Promise<boolean> {
    const ns = checkNamespace(namespace);
    const k = checkKey(key);
    if (expected !== null && typeof expected !== 'string')
      throw new CacheError('InvalidArgument', 'expected: must be a string, or null for an absent key');
    const v = checkValue(value);
    const ttl = checkTtl(ttlMs);
    return this.call('compareAndSet', () => this.backend.compareAndSet(ns, k, expected, v, ttl));
  }

  /** Deletes every key of the namespace; returns how many there were. */
  async clear(namespace: string): Promise<number> {
    const ns = checkNamespace(namespace);
    return this.call('clear', () => this.backend.clear(ns));
  }

  async stats(): Promise<CacheStats> {
    return this.call('stats', () => this.backend.stats());
  }
}
