import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';

/** `Inactive` keys sign nothing until made `Active` again (IAM's UpdateAccessKey). */
export type AccessKeyStatus = 'Active' | 'Inactive';

/** A named access key: a second identity beside the root credentials. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * The IAM user the key belongs to, e.g. `ci` or `alice` (`baton keys create NAME` makes the
   * user NAME when there is none: `governance/iam/service.ts`).
   */
  name: string;
  createdAt: number;
  /** Absent (keys stored before IAM) means `Active`. */
  status?: AccessKeyStatus;
}

/** A key without its secret. */
export type AccessKeyInfo = Omit<AccessKey, 'secretAccessKey'>;

/** Who owns named keys: IAM users. */
export interface KeyOwners {
  /** Makes the user `name` unless it exists, and returns its name as stored (IAM ignores case). */
  ensureUser(name: string): Promise<string>;
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
    private readonly owners: KeyOwners | undefined,
  ) {}

  static async open(
    root: { accessKeyId: string; secretAccessKey: string },
    backend: AccessKeyBackend,
    clock: Clock,
    owners?: KeyOwners,
  ): Promise<AccessKeys> {
    const k = new AccessKeys(root, backend, clock, owners);
    for (const key of await backend.list()) k.keys.set(key.accessKeyId, key);
    return k;
  }

  /** The secret of a known, active key id (root or named), for SigV4 verification. */
  secretFor(accessKeyId: string): string | undefined {
    if (accessKeyId === this.root.accessKeyId) return this.root.secretAccessKey;
    const key = this.keys.get(accessKeyId);
    return key?.status === 'Inactive' ? undefined : key?.secretAccessKey;
  }

  isRoot(accessKeyId: string): boolean {
    return accessKeyId === this.root.accessKeyId;
  }

  /** The root key's id. */
  get rootAccessKeyId(): string {
    return this.root.accessKeyId;
  }

  /** A named key, without its secret. */
  get(accessKeyId: string): AccessKeyInfo | undefined {
    const key = this.keys.get(accessKeyId);
    return key && info(key);
  }

  /** Named keys, without their secrets, oldest first. */
  list(): AccessKeyInfo[] {
    return [...this.keys.values()].sort((a, b) => a.createdAt - b.createdAt).map(info);
  }

  /** The keys of one user (its name in any case), oldest first. */
  forUser(name: string): AccessKeyInfo[] {
    const lower = name.toLowerCase();
    return this.list().filter((k) => k.name.toLowerCase() === lower);
  }

  /** Issues a key to `owner` as named (no checks: callers check names and quotas). */
  async issue(owner: string): Promise<AccessKey> {
    const key: AccessKey = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      name: owner,
      createdAt: this.clock.now(),
      status: 'Active',
    };
    await this.backend.put(key);
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  /** Activates or deactivates a named key; false when there is no such key. */
  async setStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    const key = this.keys.get(accessKeyId);
    if (!key) return false;
    const updated = { ...key, status };
    await this.backend.put(updated);
    this.keys.set(accessKeyId, updated);
    return true;
  }

  /**
   * Creates the key named `name` (one per name: the key of user `name`, made if needed); its
   * secret is returned this once and never shown again.
   */
  async create(name: unknown): Promise<AccessKey> {
    if (typeof name !== 'string' || !NAME_RE.test(name))
      throw new BatonError(
        'InvalidParameterValue',
        'name: must be 1-64 letters, digits or +=,.@_- characters',
        { details: { path: 'name' } },
      );
    const owner = (await this.owners?.ensureUser(name)) ?? name;
    if (this.forUser(owner).length > 0)
      throw new BatonError('ResourceConflict', `An access key named ${name} already exists`);
    return this.issue(owner);
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

const info = ({ secretAccessKey: _s, ...rest }: AccessKey): AccessKeyInfo => rest;
