import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const CODE = zipSync({ 'index.mjs': strToU8('export const handler = async () => "ok";\n') });

/** Asserts that `p` fails with Lambda's error `name` and a message matching `message`. */
async function rejects(p: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    assert.match(e.message, message);
    return true;
  });
}

/** The account guardrails through the AWS SDK (src/governance/guardrails.ts). */
describe('the Lambda API refuses changes that break the account guardrails', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  const create = (FunctionName: string, extra: Record<string, unknown> = {}) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName,
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: CODE },
        ...extra,
      }),
    );
  const reserve = (FunctionName: string, ReservedConcurrentExecutions: number) =>
    lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions }));

  before(async () => {
    s = await startServerProcess({
      env: {
        BATON_MAX_FUNCTION_MEMORY_MB: '1024',
        BATON_MAX_FUNCTION_TIMEOUT_S: '30',
        BATON_MAX_TOTAL_CONCURRENCY: '150',
      },
    });
    lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    await create('a');
    await create('b');
  });
  after(async () => {
    lambda.destroy();
    await s.stop();
  });

  it('CreateFunction: memory or a timeout over the limit is InvalidParameterValueException', async () => {
    await rejects(
      create('big', { MemorySize: 2048 }),
      'InvalidParameterValueException',
      /^MemorySize: 2048 MB is over this account's limit of 1024 MB \(BATON_MAX_FUNCTION_MEMORY_MB\)$/,
    );
    await rejects(
      create('slow', { Timeout: 31 }),
      'InvalidParameterValueException',
      /^Timeout: 31 seconds is over this account's limit of 30 seconds \(BATON_MAX_FUNCTION_TIMEOUT_S\)$/,
    );
    await rejects(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'big' })),
      'ResourceNotFoundException',
      /big/,
    );
    const ok = await create('fits', { MemorySize: 1024, Timeout: 30 });
    assert.equal(ok.MemorySize, 1024);
  });

  it('UpdateFunctionConfiguration: refused, and the function keeps its configuration', async () => {
    await rejects(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'a', Timeout: 120 })),
      'InvalidParameterValueException',
      /^Timeout: 120 seconds is over this account's limit of 30 seconds/,
    );
    await rejects(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'a', MemorySize: 1536 })),
      'InvalidParameterValueException',
      /^MemorySize: 1536 MB is over/,
    );
    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'a' }));
    assert.equal(conf.Timeout, 3);
    assert.equal(conf.MemorySize, 128);
  });

  it('PutFunctionConcurrency: Lambda’s error when fewer than 100 would stay unreserved', async () => {
    await reserve('a', 40);
    await rejects(
      reserve('b', 11),
      'InvalidParameterValueException',
      /^Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]\.$/,
    );
    await reserve('b', 10);
    // Lowering a reservation always passes.
    await reserve('a', 39);
    await rejects(reserve('a', 151), 'InvalidParameterValueException', /less than or equal to 150/);
  });

  it('GetAccountSettings reports the configured limit and what is left unreserved', async () => {
    const out = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(out.AccountLimit?.ConcurrentExecutions, 150);
    assert.equal(out.AccountLimit?.UnreservedConcurrentExecutions, 101);
  });
});
