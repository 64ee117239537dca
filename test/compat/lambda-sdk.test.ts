import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const zip = (source: string): Uint8Array => zipSync({ 'index.mjs': strToU8(source) });
const CODE = zip(`
  export const handler = async (event) => { console.log('got', JSON.stringify(event)); return { hello: event.name ?? 'sdk', greeting: process.env.GREETING ?? null }; };
  export const fail = async () => { throw new Error('sdk boom'); };
`);

// The real AWS SDK for JavaScript v3 judges compatibility; no hand-written fakes.
describe('the Lambda API with @aws-sdk/client-lambda', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  const client = (secret?: string, accessKeyId?: string) =>
    new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: {
        accessKeyId: accessKeyId ?? s.credentials.accessKeyId,
        secretAccessKey: secret ?? s.credentials.secretAccessKey,
      },
      maxAttempts: 1,
    });
  before(async () => {
    s = await startServerProcess();
    lambda = client();
  });
  after(async () => {
    lambda.destroy();
    await s.stop();
  });

  it('creates, reads, lists, updates and deletes a function', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'sdk-fn',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/any',
        Handler: 'index.handler',
        Code: { ZipFile: CODE },
        MemorySize: 256,
        Timeout: 5,
      }),
    );
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:sdk-fn');
    assert.equal(created.State, 'Active');
    assert.equal(created.MemorySize, 256);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }));
    assert.equal(got.Configuration?.Handler, 'index.handler');
    const byArn = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }),
    );
    assert.equal(byArn.FunctionName, 'sdk-fn');

    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'sdk-fn-2',
        Runtime: 'nodejs20.x',
        Role: 'r',
        Handler: 'index.handler',
        Code: { ZipFile: CODE },
      }),
    );
    const page1 = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    assert.equal(page1.Functions?.length, 1);
    assert.ok(page1.NextMarker);
    const page2 = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: page1.NextMarker }));
    assert.notEqual(page2.Functions?.[0]?.FunctionName, page1.Functions?.[0]?.FunctionName);

    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'sdk-fn',
        Environment: { Variables: { GREETING: 'hi' } },
      }),
    );
    assert.deepEqual(updated.Environment?.Variables, { GREETING: 'hi' });
    assert.equal(updated.MemorySize, 256, 'settings not named stay as they were');

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk-fn-2' }));
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn-2' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('invokes, tails the log, and reports function errors in headers', async () => {
    const r = await lambda.send(
      new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{"name":"Ada"}'), LogType: 'Tail' }),
    );
    assert.equal(r.StatusCode, 200);
    assert.equal(r.ExecutedVersion, '$LATEST');
    assert.equal(r.FunctionError, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), { hello: 'Ada', greeting: 'hi' });
    const tail = Buffer.from(r.LogResult!, 'base64').toString();
    assert.match(tail, /^START RequestId: /m);
    assert.match(tail, /\tINFO\tgot {"name":"Ada"}/);
    assert.match(tail, /^REPORT RequestId: .*Memory Size: 256 MB/m);

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-fn', ZipFile: CODE }));
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-fn', Handler: 'index.fail' }),
    );
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn' }));
    assert.equal(failed.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(Buffer.from(failed.Payload!).toString()).errorMessage, 'sdk boom');

    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
  });

  it("answers with AWS's error codes", async () => {
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'nobody' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{not json') })),
      { name: 'InvalidRequestContentException' },
    );
    await assert.rejects(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'bad',
          Runtime: 'python3.12',
          Role: 'r',
          Handler: 'a.b',
          Code: { ZipFile: CODE },
        }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    const wrongSecret = client('not-the-secret');
    await assert.rejects(wrongSecret.send(new ListFunctionsCommand({})), {
      name: 'InvalidSignatureException',
    });
    wrongSecret.destroy();
    const unknownKey = client(undefined, 'AKIAUNKNOWNKEY000000');
    await assert.rejects(unknownKey.send(new ListFunctionsCommand({})), {
      name: 'UnrecognizedClientException',
    });
    unknownKey.destroy();
    const unsigned = await fetch(`${s.controlUrl}/2015-03-31/functions/`);
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });
});
