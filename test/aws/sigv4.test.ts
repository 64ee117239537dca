import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_SKEW_MS, type SignedRequest, verifySigV4 } from '../../src/aws/sigv4.ts';
import { presignUrl, signRequest } from '../../src/aws/sigv4-sign.ts';

// The AWS SDK's own signer signs; Baton's verifier must agree with it.
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const secretFor = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

const signer = (service = 'lambda', region = 'eu-west-1') =>
  new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: true });

function request(path: string, query: Record<string, string> = {}, body = '{"a":1}'): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4748,
    path,
    query,
    headers: { host: '127.0.0.1:4748', 'content-type': 'application/json', 'x-extra': '  spaced   value ' },
    body,
  });
}

/** What Baton's server sees of a signed SDK request. */
function received(r: HttpRequest): SignedRequest {
  const q = Object.entries(r.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, rawPath: r.path, rawQuery: q, headers, body: Buffer.from(String(r.body ?? '')) };
}

describe('SigV4 verification against the AWS SDK signer', () => {
  it('accepts a signed request and reports its region and service', async () => {
    const signed = (await signer().sign(request('/2015-03-31/functions/my-fn/invocations'), {
      signingDate: new Date(NOW),
    })) as HttpRequest;
    assert.deepEqual(verifySigV4(received(signed), secretFor, NOW, 'lambda'), {
      ok: true,
      accessKeyId: 'AKIDEXAMPLE',
      region: 'eu-west-1',
      service: 'lambda',
    });
  });

  it('handles encoded path segments and query strings', async () => {
    const path = `/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:eu-west-1:000000000000:function:f')}/invocations`;
    const signed = (await signer().sign(request(path, { Qualifier: '$LATEST', 'a b': 'c/d é', Marker: '' }), {
      signingDate: new Date(NOW),
    })) as HttpRequest;
    assert.equal(verifySigV4(received(signed), secretFor, NOW, 'lambda').ok, true);
  });

  it('folds whitespace in signed header values as the signer does (tabs, runs, none)', async () => {
    // Guards the fast path in canonicalHeaderValue: values with nothing to fold are only trimmed.
    for (const value of ['plain', 'one space', 'a\tb', ' a  b\t\tc ']) {
      const r = request('/x');
      r.headers['x-extra'] = value;
      const signed = (await signer().sign(r, { signingDate: new Date(NOW) })) as HttpRequest;
      assert.equal(verifySigV4(received(signed), secretFor, NOW).ok, true, JSON.stringify(value));
    }
  });

  it('refuses a changed body, path, header or secret', async () => {
    const signed = (await signer().sign(request('/x'), { signingDate: new Date(NOW) })) as HttpRequest;
    const base = received(signed);
    const code = (r: SignedRequest, lookup = secretFor) => {
      const v = verifySigV4(r, lookup, NOW);
      return v.ok ? 'ok' : v.code;
    };
    assert.equal(code(base), 'ok');
    assert.equal(code({ ...base, body: Buffer.from('{"a":2}') }), 'SignatureMismatch');
    assert.equal(code({ ...base, rawPath: '/y' }), 'SignatureMismatch');
    assert.equal(code({ ...base, headers: { ...base.headers, 'x-extra': 'other' } }), 'SignatureMismatch');
    assert.equal(
      code(base, () => 'not-the-secret'),
      'SignatureMismatch',
    );
    assert.equal(
      code(base, () => undefined),
      'UnknownAccessKey',
    );
    assert.equal(
      code({ ...base, headers: { ...base.headers, authorization: undefined } }),
      'MissingAuthentication',
    );
    assert.equal(
      code({
        ...base,
        headers: { ...base.headers, authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x' },
      }),
      'IncompleteSignature',
    );
  });

  it('refuses requests more than 5 minutes off, either way', async () => {
    const signed = (await signer().sign(request('/x'), { signingDate: new Date(NOW) })) as HttpRequest;
    const r = received(signed);
    assert.equal(verifySigV4(r, secretFor, NOW + MAX_SKEW_MS).ok, true);
    const late = verifySigV4(r, secretFor, NOW + MAX_SKEW_MS + 1000);
    assert.deepEqual([late.ok, !late.ok && late.code], [false, 'RequestExpired']);
    const early = verifySigV4(r, secretFor, NOW - MAX_SKEW_MS - 1000);
    assert.deepEqual([early.ok, !early.ok && early.code], [false, 'RequestExpired']);
  });

  it('refuses a signature made for another service', async () => {
    const signed = (await signer('sqs').sign(request('/x'), { signingDate: new Date(NOW) })) as HttpRequest;
    const v = verifySigV4(received(signed), secretFor, NOW, 'lambda');
    assert.deepEqual([v.ok, !v.ok && v.code], [false, 'WrongService']);
  });

  it('accepts presigned query strings until they expire', async () => {
    const presigned = (await signer().presign(request('/2015-03-31/functions', { MaxItems: '5' }, ''), {
      signingDate: new Date(NOW),
      expiresIn: 60,
    })) as HttpRequest;
    const r = received(presigned);
    assert.equal(verifySigV4(r, secretFor, NOW + 30_000, 'lambda').ok, true);
    const expired = verifySigV4(r, secretFor, NOW + 61_000, 'lambda');
    assert.deepEqual([expired.ok, !expired.ok && expired.code], [false, 'RequestExpired']);
    const tampered = verifySigV4(
      { ...r, rawQuery: r.rawQuery.replace('MaxItems=5', 'MaxItems=6') },
      secretFor,
      NOW,
    );
    assert.deepEqual([tampered.ok, !tampered.ok && tampered.code], [false, 'SignatureMismatch']);
  });
});

describe("Baton's own SigV4 signer (used by the CLI)", () => {
  it('signs as the AWS SDK does and verifies', async () => {
    const url = new URL('http://127.0.0.1:4748/admin/v1/functions/my%3Afn/invoke?a=b%20c&z=1');
    const headers = signRequest('POST', url, { 'content-type': 'application/json' }, '{"x":1}', credentials, {
      region: 'us-east-1',
      service: 'baton',
      now: NOW,
    });
    const ok = verifySigV4(
      {
        method: 'POST',
        rawPath: url.pathname,
        rawQuery: url.search.slice(1),
        headers,
        body: Buffer.from('{"x":1}'),
      },
      secretFor,
      NOW,
      'baton',
    );
    assert.equal(ok.ok, true);
    // The SDK's signer, given the same request and headers, computes the same signature.
    const { authorization, ...rest } = headers;
    const sdk = (await signer('baton', 'us-east-1').sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4748,
        path: url.pathname,
        query: { a: 'b c', z: '1' },
        headers: rest,
        body: '{"x":1}',
      }),
      { signingDate: new Date(NOW) },
    )) as HttpRequest;
    assert.equal(sdk.headers.authorization, authorization);
  });

  it('presigns URLs that verify until they expire', () => {
    const url = presignUrl(
      'POST',
      new URL('http://127.0.0.1:4748/admin/v1/functions/f/invoke'),
      credentials,
      {
        region: 'us-east-1',
        service: 'baton',
        now: NOW,
        expiresSeconds: 600,
      },
    );
    const req = {
      method: 'POST',
      rawPath: url.pathname,
      rawQuery: url.search.slice(1),
      headers: { host: url.host },
      body: Buffer.from('{}'),
    };
    assert.equal(verifySigV4(req, secretFor, NOW + 1000, 'baton').ok, true);
    assert.equal(verifySigV4(req, secretFor, NOW + 601_000, 'baton').ok, false);
  });
});
