import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.ts';

describe('the Lambda Node.js handler contract', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
    await h.deploy('basic', { handler: 'basic.handler', memory: 256, environment: { GREETING: 'hi' } });
    await h.deploy('env', { handler: 'basic.env', environment: { GREETING: 'hi', TZ: 'Europe/Paris' } });
    await h.deploy('cjs', { handler: 'cjs/callback.handler' });
    await h.deploy('ts', { handler: 'ts-handler.handler' });
  });
  after(() => h.close());

  it('runs module code once per instance and the handler once per invocation', async () => {
    const first = await h.call('basic', { n: 1 });
    const second = await h.call('basic', { n: 2 });
    const a = first.body as { initCount: number; invocations: number; pid: number; event: unknown };
    const b = second.body as typeof a;
    assert.equal(first.cold, true);
    assert.equal(second.cold, false);
    assert.deepEqual(a.event, { n: 1 });
    assert.equal(b.pid, a.pid, 'the warm instance is reused');
    assert.equal(b.initCount, 1);
    assert.equal(b.invocations, a.invocations + 1);
  });

  it('passes a context with Lambda fields', async () => {
    const { body } = await h.call('basic');
    const ctx = (body as { context: Record<string, unknown> }).context;
    assert.match(String(ctx.awsRequestId), /^[0-9a-f-]{36}$/);
    assert.equal(ctx.functionName, 'basic');
    assert.equal(ctx.functionVersion, '$LATEST');
    assert.equal(ctx.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:basic');
    assert.equal(ctx.memoryLimitInMB, '256');
    assert.equal(ctx.logGroupName, '/aws/lambda/basic');
    assert.match(String(ctx.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(Number(ctx.remaining) > 2000 && Number(ctx.remaining) <= 3000);
    assert.equal(ctx.callbackWaitsForEmptyEventLoop, true);
  });

  it("sets Lambda's environment and the function's own, and nothing of the platform's", async () => {
    process.env.BATON_TEST_PLATFORM_SECRET = 'must-not-leak';
    await h.deploy('env2', { handler: 'basic.env', environment: { OWN: 'yes' } });
    const { body } = await h.call('env2');
    const env = body as Record<string, string>;
    assert.equal(env.OWN, 'yes');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env2');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env._HANDLER, 'basic.env');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env2');
    assert.equal(env.TZ, ':UTC');
    assert.ok(env.LAMBDA_TASK_ROOT?.endsWith('/code'));
    assert.equal(env.BATON_TEST_PLATFORM_SECRET, undefined);
    for (const key of Object.keys(env))
      assert.ok(
        !(key in process.env) ||
          ['PATH', 'LANG', 'TZ', 'NODE_ENV'].includes(key) ||
          key.startsWith('AWS_') ||
          key === 'TMPDIR',
        `unexpected variable from the platform: ${key}`,
      );
    const paris = (await h.call('env')).body as Record<string, string>;
    assert.equal(paris.TZ, 'Europe/Paris', 'TZ is not reserved and may be overridden');
  });

  it('runs CommonJS callback handlers', async () => {
    const { body, error } = await h.call('cjs', { x: 1 });
    assert.equal(error, false);
    assert.deepEqual(body, { style: 'callback', inits: 1, got: { x: 1 } });
  });

  it('waits for an empty event loop after the callback unless told not to', async () => {
    await h.deploy('waits', { handler: 'cjs/callback.waits' });
    await h.deploy('noWait', { handler: 'cjs/callback.noWait' });
    const r = await h.invoker.invoke('waits', '{}');
    assert.equal(r.payload, '"waited"');
    assert.ok(r.durationMs >= 45, `answered after ${r.durationMs} ms, before the 50 ms timer ran`);
    const n = await h.invoker.invoke('noWait', '{}');
    assert.equal(n.payload, '"answered without waiting"');
    assert.ok(n.durationMs < 1000, 'did not wait for the 2 s timer');
  });

  it('supports context.succeed and callback errors', async () => {
    await h.deploy('legacy', { handler: 'cjs/callback.legacy' });
    await h.deploy('cbfail', { handler: 'cjs/callback.fails' });
    assert.deepEqual((await h.call('legacy')).body, { legacy: true });
    const failed = await h.call('cbfail');
    assert.equal(failed.error, true);
    assert.equal((failed.body as { errorMessage: string }).errorMessage, 'callback error');
  });

  it('bundles TypeScript handlers at deploy time', async () => {
    assert.deepEqual((await h.call('ts', { a: 2, b: 3 })).body, { sum: 5, lang: 'typescript' });
  });

  it('resolves nested export paths', async () => {
    await h.deploy('nested', { handler: 'basic.nested.deeper.handler' });
    assert.equal((await h.call('nested')).body, 'nested ok');
  });

  it('frames logs with START, END and REPORT, with Init Duration on a cold start only', async () => {
    await h.deploy('logged', { handler: 'basic.handler' });
    const cold = await h.call('logged', { hello: 'logs' });
    const warm = await h.call('logged');
    const rid = cold.logs[0]!.match(/^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST$/)?.[1];
    assert.ok(rid, cold.logs[0]);
    assert.ok(
      cold.logs.some((l) => l.endsWith('\tundefined\tINFO\tinit of basic.mjs')),
      'init output is kept',
    );
    assert.ok(
      cold.logs.some((l) =>
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${rid}\\tINFO\\tevent {"hello":"logs"}$`).test(l),
      ),
    );
    assert.ok(cold.logs.some((l) => l.endsWith(`\t${rid}\tWARN\ta warning`)));
    assert.equal(cold.logs.at(-2), `END RequestId: ${rid}`);
    const report = cold.logs.at(-1)!;
    assert.match(
      report,
      new RegExp(
        `^REPORT RequestId: ${rid}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`,
      ),
    );
    assert.doesNotMatch(warm.logs.at(-1)!, /Init Duration/);
    const billed = Number(report.match(/Billed Duration: (\d+)/)![1]);
    const duration = Number(report.match(/Duration: ([\d.]+) ms/)![1]);
    assert.equal(billed, Math.max(1, Math.ceil(duration)));
    assert.ok(
      h.logs.some((r) => r.requestId === rid && r.message === cold.logs.join('\n')),
      'one record per invocation reaches the log sink',
    );
  });
});
