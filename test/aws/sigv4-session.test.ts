import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { authenticator, QUERY_AUTH_FAILURES, readAuthenticated } from '../../src/aws/auth.ts';
import { type SecretLookup, type SignedRequest, verifySigV4 } from '../../src/aws/sigv4.ts';
import { SIGV4_CODES } from '../../src/aws/sns/errors.ts';
import { RequestTarget } from '../../src/server/http-io.ts';

// Temporary credentials, signed by the AWS SDK's own signer (which sends X-Amz-Security-Token).
const session = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE23',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FQoGZXIvYXdzEXAMPLE+token/with=chars',
};
const longTerm = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'another-secret-of-forty-characters-12345' };
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const EXPIRES = NOW + 3_600_000;
const lookup: SecretLookup = (id) =>
  id === session.accessKeyId
    ? { secret: session.secretAccessKey, sessionToken: session.sessionToken, expiresAt: EXPIRES }
    : id === longTerm.accessKeyId
      ? longTerm.secretAccessKey
      : undefined;

const signer = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new SignatureV4({ credentials, region: 'us-east-1', service: 'sqs', sha256: Sha256, uriEscapePath: true });

const request = (query: Record<string, string> = {}) =>
  new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4748,
    path: '/',
    query,
    headers: { host: '127.0.0.1:4748', 'content-type': 'application/x-amz-json-1.0' },
    body: '{"QueueUrl":"q"}',
  });

function received(r: HttpRequest): SignedRequest {
  const q = Object.entries(r.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, rawPath: r.path, rawQuery: q, headers, body: Buffer.from(String(r.body ?? '')) };
}

const signed = async (at = NOW, credentials = session) =>
  received((await signer(credentials).sign(request(), { signingDate: new Date(at) })) as HttpRequest);
const codeOf = (r: ReturnType<typeof verifySigV4>) => (r.ok ? 'ok' : r.code);

describe('SigV4 with session credentials', () => {
  it('accepts a request carrying the session token in X-Amz-Security-Token', async () => {
    const r = await signed();
    assert.equal(r.headers['x-amz-security-token'], session.sessionToken);
    assert.deepEqual(verifySigV4(r, lookup, NOW, 'sqs'), {
      ok: true,
      accessKeyId: session.accessKeyId,
      region: 'us-east-1',
      service: 'sqs',
    });
  });

  it('refuses a session key without its token, or with another token, as an invalid token', async () => {
    const noToken = received(
      (await signer({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).sign(
        request(),
        { signingDate: new Date(NOW) },
      )) as HttpRequest,
    );
    const missing = verifySigV4(noToken, lookup, NOW, 'sqs');
    assert.deepEqual(missing, {
      ok: false,
      code: 'UnknownAccessKey',
      message: 'The security token included in the request is invalid.',
    });
    const other = await signed(NOW, { ...session, sessionToken: `${session.sessionToken}x` });
    assert.equal(codeOf(verifySigV4(other, lookup, NOW, 'sqs')), 'UnknownAccessKey');
    // A token that differs only after the header was signed: the token check answers first.
    const swapped = await signed();
    swapped.headers['x-amz-security-token'] = 'forged';
    assert.equal(codeOf(verifySigV4(swapped, lookup, NOW, 'sqs')), 'UnknownAccessKey');
  });

  it('refuses an expired session with ExpiredToken, even for a freshly signed request', async () => {
    const late = await signed(EXPIRES);
    assert.deepEqual(verifySigV4(late, lookup, EXPIRES, 'sqs'), {
      ok: false,
      code: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    });
    const justBefore = await signed(EXPIRES - 1000);
    assert.equal(codeOf(verifySigV4(justBefore, lookup, EXPIRES - 1, 'sqs')), 'ok');
  });

  it('reads the token of a presigned URL from the X-Amz-Security-Token query parameter', async () => {
    const presigned = received(
      (await signer(session).presign(request({ Action: 'ListQueues' }), {
        signingDate: new Date(NOW),
        expiresIn: 7200,
      })) as HttpRequest,
    );
    assert.match(presigned.rawQuery, /X-Amz-Security-Token=/);
    assert.equal(codeOf(verifySigV4(presigned, lookup, NOW + 1000, 'sqs')), 'ok');
    const stripped = {
      ...presigned,
      rawQuery: presigned.rawQuery
        .split('&')
        .filter((p) => !p.startsWith('X-Amz-Security-Token='))
        .join('&'),
    };
    assert.equal(codeOf(verifySigV4(stripped, lookup, NOW + 1000, 'sqs')), 'UnknownAccessKey');
    assert.equal(codeOf(verifySigV4(presigned, lookup, EXPIRES, 'sqs')), 'ExpiredToken');
  });

  it('leaves the token of a long-term key unchecked', async () => {
    const r = await signed(NOW, { ...longTerm, sessionToken: 'whatever' } as typeof session);
    assert.equal(codeOf(verifySigV4(r, lookup, NOW, 'sqs')), 'ok');
  });

  it("answers ExpiredToken in each protocol's shape", async () => {
    assert.deepEqual(QUERY_AUTH_FAILURES.ExpiredToken, { code: 'ExpiredToken', status: 403 });
    assert.equal(SIGV4_CODES.ExpiredToken, 'ExpiredToken');
    // The JSON protocols (Lambda, DynamoDB, EventBridge, the admin API), over real HTTP.
    const authenticate = authenticator(lookup, () => EXPIRES);
    const server = createServer((req, res) => {
      void readAuthenticated(req, res, new RequestTarget(req.url), authenticate, {
        limit: 1024,
        operation: 'Test',
        service: 'sqs',
      }).then((ok) => ok && res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const late = (await signer(session).sign(request(), { signingDate: new Date(EXPIRES) })) as HttpRequest;
      const { host: _h, ...headers } = late.headers;
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers,
        body: String(late.body),
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('x-amzn-errortype'), 'ExpiredTokenException');
      assert.equal(
        ((await res.json()) as { message: string }).message,
        'The security token included in the request is expired',
      );
    } finally {
      server.close();
    }
  });
});
