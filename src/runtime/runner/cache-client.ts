/**
 * The cache client inside a function: `globalThis.baton.cache`. Each operation is one message to
 * the host over the runner's channel (fd 3) and one reply, matched by id, so any number may be in
 * flight. There is no network hop and nothing to bundle: the runner installs it before the
 * function's module loads, for ESM and CommonJS handlers alike.
 */
import type { CacheOp, CacheReply, CacheRequest } from '../protocol.ts';

export interface CacheOptions {
  /** Milliseconds until the entry expires (1 ms to 30 days); without it, it does not expire. */
  ttlMs?: number;
}

export interface CacheEntryInput {
  key: string;
  value: string;
  ttlMs?: number;
}

/** What function code gets. Values are strings; store bytes as base64, objects as JSON. */
export interface BatonCache {
  /** The value, or null when the key is absent or expired. */
  get(key: string): Promise<string | null>;
  /** Values in the order of `keys` (at most 100), null for each absent one. */
  getMany(keys: string[]): Promise<(string | null)[]>;
  /** Stores a value, replacing the key's value and TTL. */
  set(key: string, value: string, options?: CacheOptions): Promise<void>;
  /** Stores up to 100 entries, all or none. */
  setMany(entries: CacheEntryInput[]): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Adds `by` (default 1) to an integer value; an absent key starts at 0 and gets `ttlMs`. */
  increment(key: string, by?: number, options?: CacheOptions): Promise<number>;
  /** Stores `value` only if the current value is `expected` (null: only if absent). */
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    options?: CacheOptions,
  ): Promise<boolean>;
}

/** A failed cache operation; `code` is one of the cache's error codes (README, "Cache"). */
export class CacheError extends Error {
  override readonly name = 'CacheError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (e: unknown) => void };

export class CacheClient {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  readonly api: BatonCache;

  constructor(private readonly send: (m: CacheRequest) => void) {
    const ttl = (o: CacheOptions | undefined) => (o?.ttlMs === undefined ? {} : { ttlMs: o.ttlMs });
    this.api = Object.freeze({
      get: (key: string) => this.request<string | null>({ op: 'get', key }),
      getMany: (keys: string[]) => this.request<(string | null)[]>({ op: 'getMany', keys }),
      set: (key: string, value: string, o?: CacheOptions) =>
        this.request<void>({ op: 'set', key, value, ...ttl(o) }),
      setMany: (entries: CacheEntryInput[]) => this.request<void>({ op: 'setMany', entries }),
      delete: (key: string) => this.request<boolean>({ op: 'delete', key }),
      increment: (key: string, by = 1, o?: CacheOptions) =>
        this.request<number>({ op: 'increment', key, by, ...ttl(o) }),
      compareAndSet: (key: string, expected: string | null, value: string, o?: CacheOptions) =>
        this.request<boolean>({ op: 'compareAndSet', key, expected, value, ...ttl(o) }),
    });
  }

  /** Operations sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  onReply(m: CacheReply): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new CacheError(m.error.code, m.error.message));
  }

  private request<T>(op: CacheOp): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      // JSON.stringify throws on a BigInt or a cycle: the caller gets that as a rejection.
      this.send({ t: 'cache', id, ...op });
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }
}
