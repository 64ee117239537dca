/**
 * The cache's documented limits (README, "Cache"). Sizes are UTF-8 bytes. They match what a
 * Redis backend can hold comfortably and keep one channel message to a function bounded.
 */
export const cacheLimits = {
  /** Bytes of a key: 1 KiB. */
  keyBytes: 1024,
  /** Bytes of a value: 1 MiB. */
  valueBytes: 1024 * 1024,
  /** Milliseconds: the shortest TTL. */
  ttlMsMin: 1,
  /** Milliseconds: the longest TTL, 30 days (memcached's limit for relative expiry). */
  ttlMsMax: 30 * 24 * 3_600_000,
  /** Keys in one multi-get or multi-set. */
  batchKeys: 100,
  /** Bytes of keys and values together in one multi-set: 16 MiB. */
  batchBytes: 16 * 1024 * 1024,
  /** Bytes of the memory cap, at least: the largest entry always fits. */
  maxBytesMin: 2 * 1024 * 1024,
  /** Bytes of the memory cap by default: 64 MiB (`BATON_CACHE_MAX_BYTES`). */
  maxBytesDefault: 64 * 1024 * 1024,
} as const;

/** An app's name (the manifest's `app` rule), or `function:NAME` for a function in no app. */
export const NAMESPACE_RE = /^(?:function:)?[a-zA-Z0-9_-]{1,64}$/;
