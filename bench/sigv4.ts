/**
 * SigV4 verification cost per request, in µs: a header-signed request and a presigned URL, beside
 * the floor of the same run's crypto (one SHA-256 of the canonical request plus one HMAC).
 */
import { createHash, createHmac } from 'node:crypto';
import { verifySigV4 } from '../src/aws/sigv4.ts';
import { presignUrl, signRequest } from '../src/aws/sigv4-sign.ts';
import { fmt, median, table } from './lib/stats.ts';

const creds = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' };
const secretFor = () => creds.secretAccessKey;
const now = Date.now();
const url = new URL('http://127.0.0.1:4748/2015-03-31/functions/bench/invocations');
const scope = { region: 'us-east-1', service: 'lambda', now };
const body = Buffer.from('{"name":"Ada"}');
const headers = signRequest('POST', url, { 'content-type': 'application/json' }, body, creds, scope);
const header = { method: 'POST', rawPath: url.pathname, rawQuery: '', headers, body };
const pre = presignUrl('POST', url, creds, { ...scope, expiresSeconds: 900 });
const presigned = {
  method: 'POST',
  rawPath: pre.pathname,
  rawQuery: pre.search.slice(1),
  headers: { host: pre.host },
  body,
};
const key = Buffer.alloc(32, 7);
const canonical = 'x'.repeat(300);

function perCall(fn: () => unknown, n = 50_000): number {
  const samples: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push(((performance.now() - t) / n) * 1000);
  }
  return median(samples.slice(2));
}

const check = (r: ReturnType<typeof verifySigV4>) => {
  if (!r.ok) throw new Error(r.message);
};
const rows = [
  ['what', 'µs per request (median of 5 rounds)'],
  ['verify, Authorization header', fmt(perCall(() => check(verifySigV4(header, secretFor, now, 'lambda'))))],
  ['verify, presigned query', fmt(perCall(() => check(verifySigV4(presigned, secretFor, now, 'lambda'))))],
  [
    'floor: SHA-256 of a canonical request + one HMAC',
    fmt(
      perCall(() => {
        const h = createHash('sha256').update(canonical).digest('hex');
        createHmac('sha256', key).update(h).digest();
      }),
    ),
  ],
];
console.log('SigV4 verification');
table(rows);
