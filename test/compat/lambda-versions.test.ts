import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const codeFor = (v: number): Uint8Array =>
  zipSync({
    'index.mjs': strToU8(`
      export const handler = async (event, context) => ({ v: ${v}, arn: context.invokedFunctionArn, version: context.functionVersion });
      export const sink = async (event) => { console.log('RECORD ' + JSON.stringify(event)); return 'stored'; };
    `),
  });
const text = (p: Uint8Array | undefined) => Buffer.from(p ?? []).toString();

describe('versions, aliases, async invocations and concurrency with @aws-sdk/client-lambda', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  before(async () => {
    s = await startServerProcess();
    lambda = new LambdaClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    for (const [name, handler] of [
      ['ver', 'index.handler'],
      ['sink', 'index.sink'],
    ] as const)
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::000000000000:role/r',
          Handler: handler,
          Code: { ZipFile: codeFor(1) },
        }),
      );
  });
  after(async () => {
    lambda.destroy();
    await s.stop();
  });

  it('publishes immutable versions while $LATEST stays mutable, and invokes each by qualifier', async () => {
    const waiter = { client: lambda, maxWaitTime: 10, minDelay: 1, maxDelay: 1 };
    assert.equal((await waitUntilFunctionActiveV2(waiter, { FunctionName: 'ver' })).state, 'SUCCESS');
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    assert.equal(v1.Version, '1');
    assert.equal(v1.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:1');
    assert.equal(v1.Description, 'first');
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    assert.equal(again.Version, '1', 'nothing changed: no new version');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: codeFor(2) }));
    assert.equal((await waitUntilFunctionUpdatedV2(waiter, { FunctionName: 'ver' })).state, 'SUCCESS');
    await assert.rejects(
      lambda.send(new PublishVersionCommand({ FunctionName: 'ver', CodeSha256: 'bm9wZQ==' })),
      { name: 'InvalidParameterValueException' },
    );
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    assert.equal(v2.Version, '2');
    assert.equal(
      (await waitUntilPublishedVersionActive(waiter, { FunctionName: 'ver', Qualifier: '2' })).state,
      'SUCCESS',
    );
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: codeFor(3) }));

    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ['$LATEST', '1', '2'],
    );
    const call = async (FunctionName: string, Qualifier?: string) => {
      const r = await lambda.send(new InvokeCommand({ FunctionName, Qualifier }));
      return { version: r.ExecutedVersion, body: JSON.parse(text(r.Payload)) };
    };
    assert.deepEqual(await call('ver', '1'), {
      version: '1',
      body: { v: 1, arn: 'arn:aws:lambda:us-east-1:000000000000:function:ver:1', version: '1' },
    });
    assert.equal((await call('ver:2')).body.v, 2);
    assert.deepEqual(await call('ver'), {
      version: '$LATEST',
      body: { v: 3, arn: 'arn:aws:lambda:us-east-1:000000000000:function:ver', version: '$LATEST' },
    });
    const conf = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'ver', Qualifier: '1' }),
    );
    assert.equal(conf.Version, '1');
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '9' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('splits an alias between two versions by its weights', async () => {
    const created = await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'ver',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
      }),
    );
    assert.equal(created.AliasArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:live');
    const counts: Record<string, number> = {};
    const N = 300;
    for (let i = 0; i < N; i++) {
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' }));
      counts[r.ExecutedVersion!] = (counts[r.ExecutedVersion!] ?? 0) + 1;
      if (i === 0)
        assert.equal(
          JSON.parse(text(r.Payload)).arn,
          'arn:aws:lambda:us-east-1:000000000000:function:ver:live',
          'the context names the alias invoked',
        );
    }
    // 30 % of 300 is 90; the binomial standard deviation is about 7.9, so ±35 is over 4 sigma.
    assert.deepEqual(Object.keys(counts).sort(), ['1', '2']);
    assert.ok(Math.abs(counts['2']! - 0.3 * N) < 35, JSON.stringify(counts));

    await assert.rejects(
      lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' })),
      { name: 'ResourceConflictException' },
    );
    await assert.rejects(
      lambda.send(
        new CreateAliasCommand({
          FunctionName: 'ver',
          Name: 'bad',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } },
        }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver', Qualifier: '2' })), {
      name: 'ResourceConflictException',
    });
    const updated = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '2', RoutingConfig: {} }),
    );
    assert.equal(updated.FunctionVersion, '2');
    assert.equal(updated.RoutingConfig, undefined);
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'ver:live' }));
    assert.equal(r.ExecutedVersion, '2');
    assert.equal(
      (await lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }))).FunctionVersion,
      '2',
    );
    assert.deepEqual(
      (await lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }))).Aliases?.map((a) => a.Name),
      ['live'],
    );
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    await assert.rejects(lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' })), {
      name: 'ResourceNotFoundException',
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver', Qualifier: '1' }));
    assert.deepEqual(
      (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }))).Versions?.map(
        (v) => v.Version,
      ),
      ['$LATEST', '2'],
    );
  });

  it('invokes asynchronously: 202 at once, then the OnSuccess destination gets the invocation record', async () => {
    const sinkArn = 'arn:aws:lambda:us-east-1:000000000000:function:sink';
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'ver',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
        DestinationConfig: { OnSuccess: { Destination: sinkArn } },
      }),
    );
    assert.equal(put.MaximumRetryAttempts, 1);
    assert.equal(put.DestinationConfig?.OnSuccess?.Destination, sinkArn);
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'ver' }));
    assert.equal(got.MaximumEventAgeInSeconds, 600);
    assert.equal(
      (await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'ver' })))
        .FunctionEventInvokeConfigs?.length,
      1,
    );

    const r = await lambda.send(
      new InvokeCommand({
        FunctionName: 'ver',
        InvocationType: 'Event',
        Payload: Buffer.from('{"order":7}'),
      }),
    );
    assert.equal(r.StatusCode, 202);
    assert.equal(text(r.Payload), '');
    let record:
      | {
          requestContext: { condition: string; functionArn: string };
          requestPayload: unknown;
          responsePayload: { v: number };
          responseContext: { statusCode: number };
        }
      | undefined;
    for (let i = 0; i < 100 && !record; i++) {
      const logs = (await (await s.admin('functions/sink/logs')).json()) as { events: { message: string }[] };
      const line = logs.events.map((e) => /RECORD (.*)$/m.exec(e.message)?.[1]).find(Boolean);
      if (line) record = JSON.parse(line);
      else await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(record, 'the destination ran');
    assert.equal(record.requestContext.condition, 'Success');
    assert.equal(
      record.requestContext.functionArn,
      'arn:aws:lambda:us-east-1:000000000000:function:ver:$LATEST',
    );
    assert.deepEqual(record.requestPayload, { order: 7 });
    assert.equal(record.responsePayload.v, 3);
    assert.equal(record.responseContext.statusCode, 200);

    await assert.rejects(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'ver',
          MaximumRetryAttempts: 5,
        }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    await assert.rejects(
      lambda.send(
        new InvokeCommand({
          FunctionName: 'ver',
          InvocationType: 'Event',
          Payload: Buffer.alloc(1024 * 1024 + 10, 32),
        }),
      ),
      { name: 'RequestEntityTooLargeException' },
    );
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'ver' }));
    await assert.rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'ver' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('throttles at the reserved concurrency and reports the account settings', async () => {
    const put = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'sink', ReservedConcurrentExecutions: 0 }),
    );
    assert.equal(put.ReservedConcurrentExecutions, 0);
    assert.equal(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'sink' })))
        .ReservedConcurrentExecutions,
      0,
    );
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'sink' })),
      (e: Error & { Reason?: string; $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'TooManyRequestsException');
        assert.equal(e.$metadata.httpStatusCode, 429);
        assert.equal(e.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
        return true;
      },
    );
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountUsage?.FunctionCount, 2);
    assert.equal(
      settings.AccountLimit?.UnreservedConcurrentExecutions,
      settings.AccountLimit!.ConcurrentExecutions! - 0,
    );
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'sink' }));
    assert.deepEqual(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'sink' })))
        .ReservedConcurrentExecutions,
      undefined,
    );
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'sink' }));
    assert.equal(text(ok.Payload), '"stored"');
    await assert.rejects(
      lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'sink', ReservedConcurrentExecutions: 10_000_000 }),
      ),
      { name: 'InvalidParameterValueException' },
    );
    const dlq = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'sink',
        DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead-letters' },
      }),
    );
    assert.equal(dlq.DeadLetterConfig?.TargetArn, 'arn:aws:sqs:us-east-1:000000000000:dead-letters');
  });
});
