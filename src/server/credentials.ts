import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const FILE = 'credentials.json';
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const b of bytes) id += ALPHANUM[b % ALPHANUM.length];
  return id;
}

/** Root credentials from the environment, if both variables are set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials | undefined {
  const accessKeyId = env.BATON_ACCESS_KEY_ID;
  const secretAccessKey = env.BATON_SECRET_ACCESS_KEY;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

export function readCredentialsFile(dataDir: string): Credentials | undefined {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return undefined;
  const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Credentials>;
  return o.accessKeyId && o.secretAccessKey
    ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }
    : undefined;
}

/**
 * The root credentials: from `BATON_ACCESS_KEY_ID`/`BATON_SECRET_ACCESS_KEY`, else from the data
 * directory, else generated and saved there with mode 0600.
 */
export function loadOrCreateCredentials(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): { credentials: Credentials; source: 'environment' | 'file' | 'generated' } {
  const fromEnv = credentialsFromEnv(env);
  if (fromEnv) return { credentials: fromEnv, source: 'environment' };
  const fromFile = readCredentialsFile(dataDir);
  if (fromFile) return { credentials: fromFile, source: 'file' };
  const credentials = { accessKeyId: randomKeyId(), secretAccessKey: randomBytes(30).toString('base64url') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, FILE), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { credentials, source: 'generated' };
}
