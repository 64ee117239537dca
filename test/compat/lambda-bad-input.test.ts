import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const CODE = Buffer.from(zipSync({ 'index.mjs': strToU8('export const handler = async () => "ok";\n') }));

/**
 * Requests an AWS client would never send, signed correctly so that they reach the Lambda API's
 * validation: each gets Lambda's error type and a 4xx, and the server keeps serving.
 */
describe('the Lambda API refuses bad input with AWS error codes', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  const send = async (
    method: string,
    path: string,
    body: string | Buffer = '',
    headers: Record<string, string> = {},
  ) => {
    const url = new URL(`${s.controlUrl}${path}`);
    const signed = signRequest(method, url, headers, body, s.credentials, {
      region: 'us-east-1',
      service: 'lambda',
      now: Date.now(),
    });
    delete signed.host;
    const res = await fetch(url, { method, headers: signed, body: method === 'GET' ? undefined : body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), text };
  };
  const create = (o: Record<string, unknown>) =>
    send(
      'POST',
      '/2015-03-31/functions',
      JSON.stringify({
        FunctionName: 'ok',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: CODE.toString('base64') },
        ...o,
      }),
    );

  before(async () => {
    s = await startServerProcess();
    lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    assert.equal((await create({ FunctionName: 'target' })).status, 201);
  });
  after(async () => {
    lambda.destroy();
    await s.stop();
  });

  it('answers each kind of bad request with its error type and a 4xx', async () => {
    const cases: [string, Promise<{ status: number; type: string | null; text: string }>, number, string][] =
      [
        [
          'malformed JSON',
          send('POST', '/2015-03-31/functions', '{"FunctionName": '),
          400,
          'InvalidRequestContentException',
        ],
        ['a JSON array', send('POST', '/2015-03-31/functions', '[]'), 400, 'InvalidRequestContentException'],
        [
          'a wrong type',
          create({ FunctionName: 'typed', MemorySize: 'big' }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'memory out of range',
          create({ FunctionName: 'mem', MemorySize: 64 }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'an unknown field',
          create({ FunctionName: 'extra', Colour: 'blue' }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a name over 64 characters',
          create({ FunctionName: 'n'.repeat(65) }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a name with bad characters',
          create({ FunctionName: 'a b' }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a zip that is not a zip',
          create({ FunctionName: 'nozip', Code: { ZipFile: Buffer.from('plain text').toString('base64') } }),
          400,
          'InvalidParameterValueException',
        ],
        ['no code', create({ FunctionName: 'nocode', Code: {} }), 400, 'InvalidParameterValueException'],
        ['an existing name', create({ FunctionName: 'target' }), 409, 'ResourceConflictException'],
        ['an unknown function', send('GET', '/2015-03-31/functions/ghost'), 404, 'ResourceNotFoundException'],
        [
          'an unknown alias',
          send('GET', '/2015-03-31/functions/target/aliases/ghost'),
          404,
          'ResourceNotFoundException',
        ],
        [
          'a bad alias name',
          send(
            'POST',
            '/2015-03-31/functions/target/aliases',
            JSON.stringify({ Name: '123', FunctionVersion: '$LATEST' }),
          ),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a bad qualifier',
          send('GET', '/2015-03-31/functions/target/configuration?Qualifier=a%20b'),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a bad invocation type',
          send('POST', '/2015-03-31/functions/target/invocations', '{}', {
            'x-amz-invocation-type': 'Later',
          }),
          400,
          'InvalidParameterValueException',
        ],
        [
          'a payload that is not JSON',
          send('POST', '/2015-03-31/functions/target/invocations', 'hello'),
          400,
          'InvalidRequestContentException',
        ],
        [
          'an oversized payload',
          send('POST', '/2015-03-31/functions/target/invocations', Buffer.alloc(6 * 1024 * 1024 + 1, 32)),
          413,
          'RequestEntityTooLargeException',
        ],
        [
          'an unknown operation',
          send('GET', '/2015-03-31/functions/target/nothing-here'),
          404,
          'UnknownOperationException',
        ],
        [
          'a stale RevisionId',
          send('PUT', '/2015-03-31/functions/target/configuration', JSON.stringify({ RevisionId: 'old' })),
          412,
          'PreconditionFailedException',
        ],
      ];
    for (const [what, pending, status, type] of cases) {
      const r = await pending;
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(r.type, type, `${what}: ${r.text}`);
      assert.ok(JSON.parse(r.text).message, `${what} has a message`);
    }
    const badSig = await fetch(`${s.controlUrl}/2015-03-31/functions`, {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${s.credentials.accessKeyId}/20261126/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      },
    });
    assert.equal(badSig.status, 403);
    assert.equal(badSig.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    const wrongService = await (async () => {
      const url = new URL(`${s.controlUrl}/2015-03-31/functions`);
      const h = signRequest('GET', url, {}, '', s.credentials, {
        region: 'us-east-1',
        service: 'sqs',
        now: Date.now(),
      });
      delete h.host;
      return fetch(url, { headers: h });
    })();
    assert.equal(wrongService.status, 403, 'a signature for another service is refused');
    // After all of that, the server still serves.
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'target' }));
    assert.equal(Buffer.from(ok.Payload!).toString(), '"ok"');
  });

  it('accepts a zip without the handler file, as Lambda does, and fails its invocations with Runtime.ImportModuleError', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'nohandler',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'missing.handler',
        Code: { ZipFile: CODE },
      }),
    );
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'nohandler' }));
    assert.equal(r.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(Buffer.from(r.Payload!).toString()).errorType, 'Runtime.ImportModuleError');
  });
});
