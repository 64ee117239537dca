import {
  createHash,
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from './certificate.ts';

/**
 * Signs SNS messages as AWS does: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, over
 * the message's fields as `Name\nvalue\n` in a fixed order. The RSA key is Baton's own, kept in
 * the data directory, and its certificate is served (unsigned) at `SigningCertURL` on the
 * control port. https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
export interface SigningIdentity {
  privateKeyPem: string;
  certificatePem: string;
}

/** The file name of the certificate under the control port's root, as SNS names its own. */
export function certificatePath(certificatePem: string): string {
  const hash = createHash('sha256').update(certificatePem).digest('hex').slice(0, 32);
  return `/SimpleNotificationService-${hash}.pem`;
}

const FILE = 'sns-signing-key.json';

/** Loads the signing key and certificate from `dataDir`, creating them on first start (mode 0600). */
export async function loadSigningIdentity(dataDir: string, now: number): Promise<SigningIdentity> {
  const file = join(dataDir, FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SigningIdentity;
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const certificatePem = selfSignedCertificate(privateKeyPem, {
    commonName: 'sns.baton.local',
    serial: randomBytes(16),
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 20 * 365 * 86_400_000),
  });
  const identity = { privateKeyPem, certificatePem };
  writeFileSync(file, JSON.stringify(identity), { mode: 0o600 });
  chmodSync(file, 0o600);
  return identity;
}

/** The fields a signature covers, in the order SNS signs them. */
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/** The string SNS signs for a message (Notification, SubscriptionConfirmation, UnsubscribeConfirmation). */
export function stringToSign(message: Readonly<Record<string, unknown>>): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const f of fields) {
    const v = message[f];
    if (typeof v === 'string') out += `${f}\n${v}\n`;
  }
  return out;
}

export class MessageSigner {
  private readonly key: KeyObject;
  /** Path of the certificate on the control port. */
  readonly certPath: string;

  constructor(
    readonly identity: SigningIdentity,
    private readonly endpoint: () => string,
  ) {
    this.key = createPrivateKey(identity.privateKeyPem);
    this.certPath = certificatePath(identity.certificatePem);
  }

  get certUrl(): string {
    return `${this.endpoint()}${this.certPath}`;
  }

  /** The base64 signature of a message's fields, for SignatureVersion '1' (SHA1) or '2' (SHA256). */
  sign(message: Readonly<Record<string, unknown>>, version: string): string {
    return sign(
      version === '2' ? 'sha256' : 'sha1',
      Buffer.from(stringToSign(message), 'utf8'),
      this.key,
    ).toString('base64');
  }
}
