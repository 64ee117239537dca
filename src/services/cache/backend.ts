/**
 * Where cached entries live. Implementations: `backends/memory/cache.ts` (embedded mode); Redis
 * comes with cluster mode. Every one passes `test/contract/cache.contract.ts`.
 *
 * Every method is namespaced: a namespace is an app (see `namespace.ts`), and no operation ever
 * reaches another namespace's keys. Arguments arrive validated by `CacheService`. Methods are
 * async so that a networked backend fits; each one is atomic on its own (a Redis backend uses
 * MULTI or a script where one command does not do).
 *
 * TTLs are relative milliseconds: the backend owns expiry (the memory backend by its injected
 * clock, Redis by its own). Any write that sets a value replaces the key's TTL; without `ttlMs`
 * the key does not expire. `increment` is the exception (see there).
 */
export interface CacheBackend {
  /** The value, or null when the key is absent or expired. */
  get(namespace: string, key: string): Promise<string | null>;
  /** Values in the order of `keys`, null for each absent one. */
  getMany(namespace: string, keys: readonly string[]): Promise<(string | null)[]>;
  set(namespace: string, key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets every entry, or none. */
  setMany(namespace: string, entries: readonly CacheEntry[]): Promise<void>;
  /** True when the key existed (and had not expired). */
  delete(namespace: string, key: string): Promise<boolean>;
  /**
   * Adds `by` to a decimal integer value and returns the result. An absent key counts as 0 and
   * is created with `ttlMs` (if given); an existing key keeps its TTL. Throws `NotAnInteger` for
   * a value that is not a decimal integer and `OutOfRange` past ±(2^53 − 1), changing nothing.
   */
  increment(namespace: string, key: string, by: number, ttlMs?: number): Promise<number>;
  /**
   * Sets `value` only if the current value is `expected` (null: only if the key is absent).
   * True when it did.
   */
  compareAndSet(
    namespace: string,
    key: string,
    expected: string | null,
    value: string,
    ttlMs?: number,
  ): Promise<boolean>;
  /** Deletes every key of a namespace; returns how many there were. */
  clear(namespace: string): Promise<number>;
  stats(): Promise<CacheStats>;
  /** Stops timers and connections. */
  close(): Promise<void>;
}

export interface CacheEntry {
  key: string;
  value: string;
  ttlMs?: number;
}

export interface CacheStats {
  /** Bytes of keys and values held (UTF-8), expired entries not yet swept included. */
  bytes: number;
  /** The memory cap in bytes. */
  maxBytes: number;
  keys: number;
  /** Entries dropped to stay under the cap, since start. */
  evictions: number;
  /** Entries dropped because their TTL passed, since start. */
  expirations: number;
  namespaces: { namespace: string; keys: number; bytes: number }[];
}
