/**
 * The embedded cache: entries in one process's memory, lost on restart (DESIGN.md, "Backends").
 *
 * - One `Map` holds every namespace's entries under `namespace \0 key` (a namespace never holds
 *   a NUL). Its insertion order is the LRU order: a read or write moves the entry to the end, and
 *   eviction takes from the front, so get and set are O(1).
 * - The memory cap counts UTF-8 bytes of keys and values. Past it, the least recently used
 *   entries are evicted, whichever namespace they belong to (as Redis's `allkeys-lru`).
 * - Expiry is lazy on access, plus a periodic sweep on the injected clock that drops expired
 *   entries nobody reads, in due order from a heap. The sweep timer runs only while entries with
 *   a TTL exist.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { CacheBackend, CacheEntry, CacheStats } from '../../services/cache/backend.ts';
import { CacheError } from '../../services/cache/errors.ts';
import { ExpiryQueue } from './expiry-queue.ts';

export interface MemoryCacheOptions {
  clock: Clock;
  /** Bytes of keys and values held at most (UTF-8). */
  maxBytes: number;
  /** Milliseconds between sweeps of expired entries. Default 1000. */
  sweepIntervalMs?: number;
  /** Expired entries one sweep drops at most, so that a sweep never stalls the event loop. Default 10,000. */
  sweepBudget?: number;
}

interface Entry {
  id: string;
  namespace: string;
  value: string;
  keyBytes: number;
  /** Key and value bytes. */
  bytes: number;
  /** Epoch ms; Infinity when the entry has no TTL. */
  expiresAt: number;
}

const SEP = '\u0000';
const INTEGER_RE = /^(?:0|-?[1-9]\d*)$/;

export function memoryCache(opts: MemoryCacheOptions): MemoryCache {
  return new MemoryCache(opts);
}

export class MemoryCache implements CacheBackend {
  private readonly entries = new Map<string, Entry>();
  private readonly spaces = new Map<string, { keys: number; bytes: number }>();
  private readonly expiries = new ExpiryQueue<Entry>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly sweepIntervalMs: number;
  private readonly sweepBudget: number;
  private bytes = 0;
  /** Live entries with a TTL; the heap may hold more nodes (stale ones). */
  private withTtl = 0;
  private evictions = 0;
  private expirations = 0;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(opts: MemoryCacheOptions) {
    this.clock = opts.clock;
    this.maxBytes = opts.maxBytes;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 1000;
    this.sweepBudget = opts.sweepBudget ?? 10_000;
  }

  async get(namespace: string, key: string): Promise<string | null> {
    const e = this.live(namespace + SEP + key, this.clock.now());
    if (e === undefined) return null;
    this.touch(e);
    return e.value;
  }

  async getMany(namespace: string, keys: readonly string[]): Promise<(string | null)[]> {
    const now = this.clock.now();
    return keys.map((key) => {
      const e = this.live(namespace + SEP + key, now);
      if (e === undefined) return null;
      this.touch(e);
      return e.value;
    });
  }

  async set(namespace: string, key: string, value: string, ttlMs?: number): Promise<void> {
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = this.fit(keyBytes, value);
    this.store(namespace, namespace + SEP + key, keyBytes, value, valueBytes, this.expiry(ttlMs));
    this.evict();
  }

  async setMany(namespace: string, entries: readonly CacheEntry[]): Promise<void> {
    // Every entry is sized before any is stored: the batch is all or nothing.
    const sized = entries.map((e) => {
      const keyBytes = Buffer.byteLength(e.key);
      return { e, keyBytes, valueBytes: this.fit(keyBytes, e.value) };
    });
    for (const { e, keyBytes, valueBytes } of sized)
      this.store(namespace, namespace + SEP + e.key, keyBytes, e.value, valueBytes, this.expiry(e.ttlMs));
    this.evict();
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const e = this.live(namespace + SEP + key, this.clock.now());
    if (e === undefined) return false;
    this.remove(e);
    return true;
  }

  async increment(namespace: string, key: string, by: number, ttlMs?: number): Promise<number> {
    const id = namespace + SEP + key;
    const now = this.clock.now();
    const cur = this.live(id, now);
    let base = 0;
    if (cur !== undefined) {
      if (!INTEGER_RE.test(cur.value))
        throw new CacheError('NotAnInteger', `the value of "${key}" is not a decimal integer`);
      base = Number(cur.value);
    }
    const next = base + by;
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(next))
      throw new CacheError('OutOfRange', `incrementing "${key}" leaves ±(2^53 - 1)`);
    const value = String(next);
    const keyBytes = cur?.keyBytes ?? Buffer.byteLength(key);
    const expiresAt = cur === undefined ? this.expiry(ttlMs) : cur.expiresAt;
    this.store(namespace, id, keyBytes, value, value.length, expiresAt);
    this.evict();
    return next;
  }

  async compareAndSet(
    namespace: string,
    key: string,
    expected: string | null,
    value: string,
    ttlMs?: number,
  ): Promise<boolean> {
    const id = namespace + SEP + key;
    const cur = this.live(id, this.clock.now());
    if ((cur?.value ?? null) !== expected) return false;
    const keyBytes = cur?.keyBytes ?? Buffer.byteLength(key);
    this.store(namespace, id, keyBytes, value, this.fit(keyBytes, value), this.expiry(ttlMs));
    this.evict();
    return true;
  }

  async clear(namespace: string): Promise<number> {
    if (!this.spaces.has(namespace)) return 0;
    const now = this.clock.now();
    let n = 0;
    for (const e of this.entries.values()) {
      if (e.namespace !== namespace) continue;
      if (e.expiresAt > now) n++;
      this.remove(e);
    }
    return n;
  }

  async stats(): Promise<CacheStats> {
    return {
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      keys: this.entries.size,
      evictions: this.evictions,
      expirations: this.expirations,
      namespaces: [...this.spaces]
        .map(([namespace, s]) => ({ namespace, keys: s.keys, bytes: s.bytes }))
        .sort((a, b) => (a.namespace < b.namespace ? -1 : 1)),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.entries.clear();
    this.spaces.clear();
    this.expiries.clear();
    this.bytes = 0;
    this.withTtl = 0;
  }

  /** Drops expired entries in due order, at most `sweepBudget`; returns how many. */
  sweep(): number {
    const now = this.clock.now();
    let n = 0;
    while (n < this.sweepBudget) {
      const node = this.expiries.popDue(now);
      if (node === undefined) break;
      if (this.entries.get(node.ref.id) !== node.ref) continue;
      this.remove(node.ref);
      this.expirations++;
      n++;
    }
    return n;
  }

  /** Value bytes, after checking that the entry fits under the cap at all. */
  private fit(keyBytes: number, value: string): number {
    const valueBytes = Buffer.byteLength(value);
    if (keyBytes + valueBytes > this.maxBytes)
      throw new CacheError(
        'ValueTooLarge',
        `an entry of ${keyBytes + valueBytes} bytes does not fit in the cache's ${this.maxBytes} bytes`,
      );
    return valueBytes;
  }

  private expiry(ttlMs: number | undefined): number {
    return ttlMs === undefined ? Number.POSITIVE_INFINITY : this.clock.now() + ttlMs;
  }

  /** The entry, unless it is absent or expired (an expired one is dropped on the way). */
  private live(id: string, now: number): Entry | undefined {
    const e = this.entries.get(id);
    if (e === undefined || e.expiresAt > now) return e;
    this.remove(e);
    this.expirations++;
    return undefined;
  }

  /** Marks an entry most recently used. */
  private touch(e: Entry): void {
    this.entries.delete(e.id);
    this.entries.set(e.id, e);
  }

  private store(
    namespace: string,
    id: string,
    keyBytes: number,
    value: string,
    valueBytes: number,
    expiresAt: number,
  ): void {
    const old = this.entries.get(id);
    if (old !== undefined) this.remove(old);
    const e: Entry = { id, namespace, value, keyBytes, bytes: keyBytes + valueBytes, expiresAt };
    this.entries.set(id, e);
    this.bytes += e.bytes;
    const space = this.spaces.get(namespace);
    if (space) {
      space.keys++;
      space.bytes += e.bytes;
    } else this.spaces.set(namespace, { keys: 1, bytes: e.bytes });
    if (expiresAt !== Number.POSITIVE_INFINITY) {
      this.withTtl++;
      this.expiries.push(expiresAt, e);
      // Overwrites leave stale nodes: rebuild once they outnumber the live ones.
      if (this.expiries.size > 2 * this.withTtl + 1024) this.compact();
      this.arm();
    }
  }

  private remove(e: Entry): void {
    this.entries.delete(e.id);
    this.bytes -= e.bytes;
    const space = this.spaces.get(e.namespace)!;
    space.bytes -= e.bytes;
    if (--space.keys === 0) this.spaces.delete(e.namespace);
    if (e.expiresAt !== Number.POSITIVE_INFINITY && --this.withTtl === 0) {
      this.expiries.clear();
      this.timer?.cancel();
      this.timer = undefined;
    }
  }

  /** Evicts least recently used entries until the cache is within its cap. */
  private evict(): void {
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.values().next().value as Entry;
      this.remove(oldest);
      this.evictions++;
    }
  }

  private compact(): void {
    const live: { at: number; ref: Entry }[] = [];
    for (const e of this.entries.values())
      if (e.expiresAt !== Number.POSITIVE_INFINITY) live.push({ at: e.expiresAt, ref: e });
    this.expiries.rebuild(live);
  }

  private arm(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = this.clock.setTimer(this.sweepIntervalMs, () => {
      this.timer = undefined;
      this.sweep();
      if (this.withTtl > 0) this.arm();
    });
  }
}
