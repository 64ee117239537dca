import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const CODE = zipSync({
  'index.mjs': strToU8(`export const handler = async () => {
    console.info('an info line');
    console.warn('a warning', 7);
    return { group: process.env.AWS_LAMBDA_LOG_GROUP_NAME, format: process.env.AWS_LAMBDA_LOG_FORMAT ?? null };
  };`),
});
const base = {
  Runtime: 'nodejs20.x' as const,
  Role: 'arn:aws:iam::000000000000:role/any',
  Handler: 'index.handler',
  Code: { ZipFile: CODE },
};

// Lambda's LoggingConfig through the real AWS SDK: stored, returned, and applied to invocations.
describe('LoggingConfig with @aws-sdk/client-lambda', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  before(async () => {
    s = await startServerProcess();
    lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey },
      maxAttempts: 1,
    });
  });
  after(async () => {
    lambda.destroy();
    await s.stop();
  });

  it('defaults to Text in the function’s own log group', async () => {
    const created = await lambda.send(new CreateFunctionCommand({ ...base, FunctionName: 'plain' }));
    assert.deepEqual(created.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/plain' });
  });

  it('creates a JSON function, returns its settings and logs JSON records at its levels', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        ...base,
        FunctionName: 'structured',
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', LogGroup: '/shop/structured' },
      }),
    );
    const expected = {
      LogFormat: 'JSON',
      ApplicationLogLevel: 'WARN',
      SystemLogLevel: 'INFO',
      LogGroup: '/shop/structured',
    };
    assert.deepEqual(created.LoggingConfig, expected);
    const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'structured' }));
    assert.deepEqual(got.LoggingConfig, expected);

    const r = await lambda.send(new InvokeCommand({ FunctionName: 'structured', LogType: 'Tail' }));
    assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), {
      group: '/shop/structured',
      format: 'JSON',
    });
    const lines = Buffer.from(r.LogResult!, 'base64').toString().trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      records.map((x) => x.type ?? x.level),
      ['platform.start', 'WARN', 'platform.report'],
    );
    assert.equal(records[1]!.message, 'a warning 7');
    assert.equal(records[1]!.requestId, r.$metadata.requestId);
    assert.equal((records[0]!.record as { version: string }).version, '$LATEST');
  });

  it('updates only the members sent; switching to Text drops the levels', async () => {
    const debug = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'structured',
        LoggingConfig: { SystemLogLevel: 'DEBUG' },
      }),
    );
    assert.deepEqual(debug.LoggingConfig, {
      LogFormat: 'JSON',
      ApplicationLogLevel: 'WARN',
      SystemLogLevel: 'DEBUG',
      LogGroup: '/shop/structured',
    });
    const text = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'structured',
        LoggingConfig: { LogFormat: 'Text' },
      }),
    );
    assert.deepEqual(text.LoggingConfig, { LogFormat: 'Text', LogGroup: '/shop/structured' });
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'structured', LogType: 'Tail' }));
    const log = Buffer.from(r.LogResult!, 'base64').toString();
    assert.match(log, /^START RequestId: /);
    assert.match(log, /\tINFO\tan info line\n/, 'Text filters nothing');
  });

  it('refuses levels without JSON, and values outside the enums', async () => {
    const refused = async (input: Record<string, unknown>, message: RegExp) => {
      await assert.rejects(
        lambda.send(
          new CreateFunctionCommand({ ...base, FunctionName: 'refused', LoggingConfig: input } as never),
        ),
        (e: Error) => {
          assert.equal(e.name, 'InvalidParameterValueException');
          assert.match(e.message, message);
          return true;
        },
      );
    };
    await refused({ LogFormat: 'Text', ApplicationLogLevel: 'DEBUG' }, /only when LogFormat is JSON/);
    await refused({ ApplicationLogLevel: 'DEBUG' }, /only when LogFormat is JSON/);
    await refused({ LogFormat: 'XML' }, /'loggingConfig\.logFormat' failed to satisfy constraint/);
    await refused({ LogFormat: 'JSON', SystemLogLevel: 'TRACE' }, /enum value set: \[DEBUG, INFO, WARN\]/);
    await refused({ LogFormat: 'JSON', LogGroup: 'has spaces' }, /logGroup/);
  });
});
