/**
 * Temporary credentials, as STS issues them: an `ASIA…` access key id, a secret, a session token
 * and an expiry. Baton issues one session per function instance (its role's credentials) and
 * keeps them in memory only: they die with the process, and instances start with new ones.
 * SigV4 verification asks `secretFor` (`src/aws/sigv4.ts` then requires the token and refuses an
 * expired session with `ExpiredToken`); authorization asks `active` for the session's subject.
 * Time comes from the injected clock. Guarded by `test/governance/sessions.test.ts`.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html
 */
import { randomBytes } from 'node:crypto';
import type { SessionSecret } from '../aws/sigv4.ts';
import type { Clock } from '../core/clock.ts';
import { newSecretAccessKey } from './access-keys.ts';

/** What a holder of the credentials sees: the four values STS hands out. */
export interface SessionCredentials {
  /** `ASIA` and 16 base-32 characters. */
  accessKeyId: string;
  /** 40 characters. */
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** A session as the vendor keeps it: its credentials and whom they stand for. */
export interface Session<S> extends SessionCredentials {
  subject: S;
  issuedAt: number;
}

/** Shortest and longest session lifetimes, in seconds: STS's bounds for a role session. */
export const SESSION_TTL_MIN_S = 900;
export const SESSION_TTL_MAX_S = 43_200;
export const SESSION_TTL_DEFAULT_S = 3600;

/**
 * How long before its credentials expire an instance stops taking invocations: a tenth of the
 * lifetime, at most 5 minutes. Pure.
 */
export function refreshMarginMs(ttlMs: number): number {
  return Math.min(Math.floor(ttlMs / 10), 5 * 60_000);
}

/**
 * A session's lifetime for a function whose invocations last up to `timeoutMs`: the configured
 * TTL, stretched when needed so that an instance can serve at least one whole invocation on live
 * credentials (a 900 s TTL for a 900 s timeout). Pure.
 */
export function sessionLifetimeMs(ttlMs: number, timeoutMs: number): number {
  return Math.max(ttlMs, timeoutMs + 2 * refreshMarginMs(ttlMs));
}

/**
 * When an instance holding credentials that expire at `expiresAt` must stop taking invocations:
 * one that starts then still ends (at its timeout, at the latest) a margin before they expire.
 * Pure. Guarded by `test/runtime/credential-rotation.test.ts`.
 */
export function refreshAt(expiresAt: number, ttlMs: number, timeoutMs: number): number {
  return expiresAt - timeoutMs - refreshMarginMs(ttlMs);
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A temporary access key id in AWS's form: `ASIA` and 16 base-32 characters. */
export function newSessionKeyId(): string {
  let id = 'ASIA';
  for (const b of randomBytes(16)) id += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return id;
}

/** An opaque session token (AWS's are long base64 strings too). */
function newSessionToken(): string {
  return randomBytes(120).toString('base64');
}

/**
 * Issues and looks up sessions for subjects of type `S` (a function, for Baton). Expired sessions
 * are kept for one more lifetime, so that a late request learns its token expired rather than
 * that it is unknown; then they are forgotten. Revoked sessions are forgotten at once.
 */
export class SessionVendor<S> {
  readonly #sessions = new Map<string, Session<S>>();
  #nextSweep = 0;

  constructor(
    private readonly clock: Clock,
    /** Default lifetime of a session, in ms. */
    readonly ttlMs: number,
  ) {}

  /** New credentials for `subject`, valid for `lifetimeMs` (default: the vendor's TTL). */
  issue(subject: S, lifetimeMs = this.ttlMs): Session<S> {
    const now = this.clock.now();
    this.#sweep(now);
    let accessKeyId = newSessionKeyId();
    while (this.#sessions.has(accessKeyId)) accessKeyId = newSessionKeyId();
    const session: Session<S> = {
      accessKeyId,
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt: now + lifetimeMs,
      issuedAt: now,
      subject,
    };
    this.#sessions.set(accessKeyId, session);
    return session;
  }

  /** For SigV4 verification: the secret, token and expiry of a known session (expired or not). */
  secretFor(accessKeyId: string): SessionSecret | undefined {
    const s = this.#sessions.get(accessKeyId);
    return s && { secret: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt };
  }

  /** A session that has not expired; undefined for an unknown, revoked or expired one. */
  active(accessKeyId: string): Session<S> | undefined {
    const s = this.#sessions.get(accessKeyId);
    return s && this.clock.now() < s.expiresAt ? s : undefined;
  }

  /** Ends a session now (its instance is gone): requests signed with it are refused as unknown. */
  revoke(accessKeyId: string): void {
    this.#sessions.delete(accessKeyId);
  }

  /** Sessions held, expired ones included (tests, status). */
  get size(): number {
    return this.#sessions.size;
  }

  /** Forgets sessions expired more than a lifetime ago; runs at most once a minute, on issue. */
  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    for (const [id, s] of this.#sessions)
      if (now >= s.expiresAt + (s.expiresAt - s.issuedAt)) this.#sessions.delete(id);
  }
}
