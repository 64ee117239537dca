import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const zip = (files: Record<string, string>): string =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])))).toString(
    'base64',
  );

const CODE = zip({
  'index.mjs': `
    export const handler = async (event) => ({ hello: event.name ?? 'nobody', greeting: process.env.GREETING ?? null });
    export const fail = async () => { throw new RangeError('out of range'); };
    export const slow = async () => { await new Promise((r) => setTimeout(r, 1000)); return 'slow done'; };
  `,
});

describe('admin API over real HTTP', () => {
  let s: ServerProcess;
  before(async () => {
    s = await startServerProcess();
  });
  after(async () => {
    await s.stop();
  });

  const json = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    res,
  });

  it('refuses requests that are not SigV4-signed with known credentials', async () => {
    const none = await fetch(`${s.controlUrl}/admin/v1/functions`);
    assert.equal(none.status, 403);
    assert.equal(((await none.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const sign = (secretAccessKey: string, accessKeyId = s.credentials.accessKeyId) => {
      const url = new URL(`${s.controlUrl}/admin/v1/functions`);
      const headers = signRequest(
        'GET',
        url,
        {},
        '',
        { accessKeyId, secretAccessKey },
        {
          region: 'eu-west-1',
          service: 'baton',
          now: Date.now(),
        },
      );
      delete headers.host;
      return fetch(url, { headers });
    };
    const wrong = await sign('not-the-secret');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    const unknown = await sign('x', 'AKIAUNKNOWN000000000');
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
    const right = await sign(s.credentials.secretAccessKey);
    assert.equal(right.status, 200, 'any region is accepted');
    const bearer = await fetch(`${s.controlUrl}/admin/v1/functions`, {
      headers: { authorization: `Bearer ${s.credentials.accessKeyId}:${s.credentials.secretAccessKey}` },
    });
    assert.equal(bearer.status, 403, 'plain credentials in a header are no longer enough');
    const nowhere = await fetch(`${s.controlUrl}/no/such/path`);
    assert.equal(nowhere.status, 403, 'an unsigned request learns nothing of the paths');
  });

  it('creates, gets, lists, updates, invokes and deletes a function', async () => {
    const created = await json(
      await s.admin('functions', {
        method: 'POST',
        body: JSON.stringify({ name: 'api-fn', handler: 'index.handler', memory: 256, code: CODE }),
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const fn = created.body.function as Record<string, unknown>;
    assert.equal(fn.arn, 'arn:aws:lambda:us-east-1:000000000000:function:api-fn');
    assert.equal(fn.memory, 256);
    assert.equal(fn.timeout, 3);

    const dup = await json(
      await s.admin('functions', {
        method: 'POST',
        body: JSON.stringify({ name: 'api-fn', handler: 'index.handler', code: CODE }),
      }),
    );
    assert.equal(dup.status, 409);
    assert.equal(dup.body.__type, 'ResourceConflictException');

    const inv = await s.admin('functions/api-fn/invoke', { method: 'POST', body: '{"name":"Ada"}' });
    assert.equal(inv.status, 200);
    assert.deepEqual(await inv.json(), { hello: 'Ada', greeting: null });
    assert.match(inv.headers.get('x-amz-request-id') ?? '', /^[0-9a-f-]{36}$/);

    const upd = await json(
      await s.admin('functions/api-fn', {
        method: 'PUT',
        body: JSON.stringify({ environment: { GREETING: 'hej' } }),
      }),
    );
    assert.equal(upd.status, 200);
    assert.equal((upd.body.function as { role: unknown }).role, null);
    const after = await s.admin('functions/api-fn/invoke', { method: 'POST', body: '{}' });
    assert.deepEqual(await after.json(), { hello: 'nobody', greeting: 'hej' });

    const list = await json(await s.admin('functions'));
    assert.ok((list.body.functions as { name: string }[]).some((f) => f.name === 'api-fn'));
    const got = await json(await s.admin('functions/api-fn'));
    assert.deepEqual((got.body.function as { environment: unknown }).environment, { GREETING: 'hej' });

    const logs = await json(await s.admin(`functions/api-fn/logs?since=${Date.now() - 60_000}`));
    const lines = (logs.body.events as { message: string }[]).flatMap((e) => e.message.split('\n'));
    assert.ok(lines.some((l) => l.startsWith('START RequestId:')));
    assert.ok(lines.some((l) => l.startsWith('REPORT RequestId:')));

    assert.equal((await s.admin('functions/api-fn', { method: 'DELETE' })).status, 204);
    const gone = await json(await s.admin('functions/api-fn'));
    assert.equal(gone.status, 404);
    assert.equal(gone.body.__type, 'ResourceNotFoundException');
  });

  it("keeps a function's role across a settings update", async () => {
    const created = await s.admin('functions', {
      method: 'POST',
      body: JSON.stringify({ name: 'api-role', handler: 'index.handler', role: 'worker-role', code: CODE }),
    });
    assert.equal(created.status, 201);
    await created.arrayBuffer();
    const upd = await json(
      await s.admin('functions/api-role', { method: 'PUT', body: JSON.stringify({ timeout: 9 }) }),
    );
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    const fn = upd.body.function as { role: unknown; timeout: unknown };
    assert.equal(fn.timeout, 9);
    assert.equal(fn.role, 'worker-role');
    assert.equal((await s.admin('functions/api-role', { method: 'DELETE' })).status, 204);
  });

  it('answers bad input with AWS error codes and keeps serving', async () => {
    await s.admin('functions', {
      method: 'POST',
      body: JSON.stringify({ name: 'bad-input', handler: 'index.fail', reservedConcurrency: 1, code: CODE }),
    });
    const cases: [string, RequestInit, number, string][] = [
      [
        'functions/bad-input/invoke',
        { method: 'POST', body: '{oops' },
        400,
        'InvalidRequestContentException',
      ],
      [
        'functions/bad-input/invoke',
        { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 1) },
        413,
        'RequestEntityTooLargeException',
      ],
      ['functions/nope/invoke', { method: 'POST', body: '{}' }, 404, 'ResourceNotFoundException'],
      ['functions', { method: 'POST', body: '[1,2' }, 400, 'InvalidRequestContentException'],
      [
        'functions',
        { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(65), handler: 'a.b', code: CODE }) },
        400,
        'InvalidParameterValueException',
      ],
      [
        'functions',
        { method: 'POST', body: JSON.stringify({ name: 'ok', handler: 'a.b', memory: 'big', code: CODE }) },
        400,
        'InvalidParameterValueException',
      ],
      [
        'functions',
        { method: 'POST', body: JSON.stringify({ name: 'ok', handler: 'a.b', code: 'bm90IGEgemlw' }) },
        400,
        'InvalidParameterValueException',
      ],
      [
        'functions/bad-input',
        { method: 'PUT', body: JSON.stringify({ timeout: 0 }) },
        400,
        'InvalidParameterValueException',
      ],
    ];
    for (const [path, init, status, type] of cases) {
      const r = await json(await s.admin(path, init));
      assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.__type, type, path);
      assert.equal(typeof r.body.message, 'string');
    }
    const failed = await s.admin('functions/bad-input/invoke', { method: 'POST', body: '{}' });
    assert.equal(failed.status, 200);
    assert.equal(failed.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(((await failed.json()) as { errorType: string }).errorType, 'RangeError');
  });

  it('throttles past reserved concurrency with 429 TooManyRequestsException', async () => {
    await s.admin('functions', {
      method: 'POST',
      body: JSON.stringify({
        name: 'one-at-a-time',
        handler: 'index.slow',
        reservedConcurrency: 1,
        code: CODE,
      }),
    });
    const [a, b] = await Promise.all([
      s.admin('functions/one-at-a-time/invoke', { method: 'POST' }),
      new Promise((r) => setTimeout(r, 100)).then(() =>
        s.admin('functions/one-at-a-time/invoke', { method: 'POST' }),
      ),
    ]);
    assert.equal(a.status, 200);
    assert.equal(await a.json(), 'slow done');
    assert.equal(b.status, 429);
    assert.deepEqual(await b.json(), {
      __type: 'TooManyRequestsException',
      Type: 'User',
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
  });
});
