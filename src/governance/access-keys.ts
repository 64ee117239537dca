import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';

/** A named access key: a second identity beside the root credentials. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** What the key is for, e.g. `ci` or `alice`. */
  name: string;
  createdAt: number;
}

/**
 * Where named access keys are kept. Implementations: `backends/sqlite/access-keys.ts`,
 * `backends/memory/access-keys.ts`; both pass `test/contract/access-keys.contract.ts`.
 */
export interface AccessKeyBackend {
  list(): Promise<AccessKey[]>;
  put(key: AccessKey): Promise<void>;
  /** False when there was no such key. */
  delete(accessKeyId: string): Promise<boolean>;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const NAME_RE = /^[a-zA-Z0-9+=,.@_-]{1,64}$/;

/** An access key id in AWS's form: `AKIA` and 16 base-32 characters. */
export function newAccessKeyId(): string {
  let id = 'AKIA';
  for (const b of randomBytes(16)) id += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return id;
}

/** A 40-character secret, as AWS issues them. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64url');
}

/**
 * The root credentials plus named keys that can be created and revoked at run time. Lookups
 * (one per signed request) come from memory; changes go to the backend first.
 */
export class AccessKeys {
  private readonly keys = new Map<string, AccessKey>();

  private constructor(
    private readonly root: { accessKeyId: string; secretAccessKey: string },
    private readonly backend: AccessKeyBackend,
    private readonly clock: Clock,
  ) {}

  static async open(
    root: { accessKeyId: string; secretAccessKey: string },
    backend: AccessKeyBackend,
    clock: Clock,
  ): Promise<AccessKeys> {
    const k = new AccessKeys(root, backend, clock);
    for (const key of await backend.list()) k.keys.set(key.accessKeyId, key);
    return k;
  }

  /** The secret of a known key id (root or named), for SigV4 verification. */
  secretFor(accessKeyId: string): string | undefined {
    if (accessKeyId === this.root.accessKeyId) return this.root.secretAccessKey;
    return this.keys.get(accessKeyId)?.secretAccessKey;
  }

  /** Named keys, without their secrets, oldest first. */
  list(): Omit<AccessKey, 'secretAccessKey'>[] {
    return [...this.keys.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ secretAccessKey: _s, ...rest }) => rest);
  }

  /** Creates a key; its secret is returned this once and never shown again. */
  async create(name: unknown): Promise<AccessKey> {
    if (typeof name !== 'string' || !NAME_RE.test(name))
      throw new BatonError(
        'InvalidParameterValue',
        'name: must be 1-64 letters, digits or +=,.@_- characters',
        { details: { path: 'name' } },
      );
    if ([...this.keys.values()].some((k) => k.name === name))
      throw new BatonError('ResourceConflict', `An access key named ${name} already exists`);
    const key: AccessKey = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      name,
      createdAt: this.clock.now(),
    };
    await this.backend.put(key);
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  /** Revokes a named key: requests signed with it fail from now on. The root key stays. */
  async revoke(accessKeyId: string): Promise<void> {
    if (accessKeyId === this.root.accessKeyId)
      throw new BatonError(
        'InvalidParameterValue',
        'the root access key cannot be revoked here: change BATON_ACCESS_KEY_ID/BATON_SECRET_ACCESS_KEY or credentials.json',
      );
    if (!this.keys.has(accessKeyId))
      throw new BatonError('ResourceNotFound', `Access key not found: ${accessKeyId}`);
    await this.backend.delete(accessKeyId);
    this.keys.delete(accessKeyId);
  }
}
