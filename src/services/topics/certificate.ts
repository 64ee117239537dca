import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';

/**
 * A minimal self-signed X.509 certificate for an RSA key (DER, then PEM). Node parses
 * certificates (`X509Certificate`) but cannot make one, and SNS message verifiers expect the
 * signing key as a certificate at `SigningCertURL`. Only what a verifier reads is encoded: a v3
 * certificate with no extensions, signed with sha256WithRSAEncryption.
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));

function integer(value: Buffer): Buffer {
  // A leading 1 bit would make it negative: pad with a zero byte.
  return tlv(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    do {
      chunk.unshift(v & 0x7f);
      v >>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(t: Date): Buffer {
  const iso = t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return t.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/** A self-signed certificate (PEM) for `privateKeyPem`, valid from `notBefore` to `notAfter`. */
export function selfSignedCertificate(
  privateKeyPem: string,
  opts: { commonName: string; serial: Buffer; notBefore: Date; notAfter: Date },
): string {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version: v3
    integer(opts.serial),
    SHA256_WITH_RSA,
    name(opts.commonName),
    sequence(time(opts.notBefore), time(opts.notAfter)),
    name(opts.commonName),
    spki,
  );
  const signature = sign('sha256', tbs, key);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
