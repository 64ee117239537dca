import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';

/** Ms a fetched key set is trusted: API Gateway caches a JWKS for up to two hours. */
export const JWKS_TTL_MS = 2 * 60 * 60 * 1000;
/** Ms between two fetches of one set: after a failure, or for a `kid` it lacks (key rotation). */
export const JWKS_REFETCH_MS = 30 * 1000;
/** Ms a fetch may take. */
const FETCH_TIMEOUT_MS = 5000;

interface Entry {
  keys: Map<string, KeyObject>;
  /** Clock time of the last successful fetch; 0 before the first. */
  fetchedAt: number;
  /** Clock time of the last attempt, successful or not. */
  triedAt: number;
  pending: Promise<void> | undefined;
}

/** Fetches a URL's JSON: injected so that tests can count fetches. */
export type FetchJson = (url: string) => Promise<unknown>;

const defaultFetch: FetchJson = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
};

/** Turns a JWKS document into RSA public keys by `kid`; keys it cannot use are skipped. */
export function parseJwks(doc: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('not a JSON Web Key Set: no "keys" list');
  for (const jwk of list as Record<string, unknown>[]) {
    if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    try {
      keys.set(jwk.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
    } catch {
      // A malformed key is skipped; a token signed with it then fails as unknown.
    }
  }
  return keys;
}

/**
 * Signing keys by JWKS URL, fetched on first use and cached for `JWKS_TTL_MS`. A set is fetched
 * again at most every `JWKS_REFETCH_MS` (for a `kid` it lacks, after rotation, or after a failed
 * fetch), so bad tokens cannot hammer the issuer. Concurrent requests share one fetch. When a
 * refresh fails, the keys already held stay in use.
 */
export class JwksCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (url: string, error: unknown) => void = () => {},
    private readonly fetchJson: FetchJson = defaultFetch,
  ) {}

  /** The key if it is cached and fresh: the request path stays synchronous. */
  peek(url: string, kid: string): KeyObject | undefined {
    const e = this.entries.get(url);
    if (!e || this.clock.now() - e.fetchedAt > JWKS_TTL_MS) return undefined;
    return e.keys.get(kid);
  }

  /** Fetches a set not fetched yet, in the background: the first request then finds it. */
  warm(url: string): void {
    if (this.entries.has(url)) return;
    const e: Entry = { keys: new Map(), fetchedAt: 0, triedAt: 0, pending: undefined };
    this.entries.set(url, e);
    void this.refresh(url, e);
  }

  async key(url: string, kid: string): Promise<KeyObject | undefined> {
    const cached = this.peek(url, kid);
    if (cached) return cached;
    let e = this.entries.get(url);
    if (!e) {
      e = { keys: new Map(), fetchedAt: 0, triedAt: 0, pending: undefined };
      this.entries.set(url, e);
    }
    if (e.pending) await e.pending;
    else if (e.triedAt === 0 || this.clock.now() - e.triedAt >= JWKS_REFETCH_MS) await this.refresh(url, e);
    return e.keys.get(kid);
  }

  private refresh(url: string, e: Entry): Promise<void> {
    e.triedAt = this.clock.now();
    e.pending = this.fetchJson(url)
      .then((doc) => {
        e.keys = parseJwks(doc);
        e.fetchedAt = this.clock.now();
      })
      .catch((err: unknown) => this.onError(url, err))
      .finally(() => {
        e.pending = undefined;
      });
    return e.pending;
  }
}
