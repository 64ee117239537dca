import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { createHarness, FIXTURES, type Harness } from '../helpers/harness.ts';

type ErrorBody = { errorType: string; errorMessage: string; trace?: string[] };

describe("function errors take Lambda's shapes", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  const failing = async (name: string, handler: string, dir?: string): Promise<ErrorBody> => {
    await h.deploy(name, { handler }, dir);
    const r = await h.call(name);
    assert.equal(r.error, true, `${name} should fail`);
    return r.body as ErrorBody;
  };

  it('reports a thrown error with errorType, errorMessage and trace', async () => {
    const body = await failing('throws', 'basic.throws');
    assert.equal(body.errorType, 'TypeError');
    assert.equal(body.errorMessage, 'bad thing');
    assert.ok(Array.isArray(body.trace) && body.trace[0] === 'TypeError: bad thing');
  });

  it('reports a thrown non-error by its type', async () => {
    assert.deepEqual(await failing('throwsString', 'basic.throwsString'), {
      errorType: 'string',
      errorMessage: 'plain string',
      trace: [],
    });
  });

  it('reports a missing handler file as Runtime.ImportModuleError', async () => {
    const body = await failing('missingFile', 'nope/missing.handler');
    assert.equal(body.errorType, 'Runtime.ImportModuleError');
    assert.equal(body.errorMessage, "Error: Cannot find module 'nope/missing'");
  });

  it('reports a missing export as Runtime.HandlerNotFound', async () => {
    const body = await failing('missingExport', 'basic.nothingHere');
    assert.equal(body.errorType, 'Runtime.HandlerNotFound');
    assert.equal(body.errorMessage, 'basic.nothingHere is undefined or not exported');
    const notFn = await failing('notFn', 'basic.notAFunction');
    assert.equal(notFn.errorType, 'Runtime.HandlerNotFound');
    assert.equal(notFn.errorMessage, 'basic.notAFunction is not a function');
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
    const body = await failing('syntax', 'syntax.handler', join(FIXTURES, 'broken'));
    assert.equal(body.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(body.errorMessage, /^SyntaxError: /);
  });

  it('returns null for undefined, and an error for results JSON cannot hold', async () => {
    await h.deploy('undef', { handler: 'basic.returnsUndefined' });
    const undef = await h.invoker.invoke('undef', '{}');
    assert.equal(undef.payload, 'null');
    assert.equal(undef.functionError, undefined);
    for (const name of ['circular', 'bigint']) {
      const body = await failing(name, `basic.${name}`);
      assert.equal(body.errorType, 'Error');
      assert.equal(body.errorMessage, 'Unable to stringify response body');
    }
  });

  it('refuses a response over 6 MB with Function.ResponseSizeTooLarge', async () => {
    const body = await failing('huge', 'basic.huge');
    assert.deepEqual(body, {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('refuses payloads that are not JSON or over 6 MB, and unknown functions', async () => {
    await h.deploy('basic', { handler: 'basic.handler' });
    await assert.rejects(h.invoker.invoke('basic', '{not json'), (e) =>
      isBatonError(e, 'InvalidRequestContent'),
    );
    await assert.rejects(h.invoker.invoke('basic', JSON.stringify('y'.repeat(6 * 1024 * 1024))), (e) =>
      isBatonError(e, 'RequestTooLarge'),
    );
    await assert.rejects(h.invoker.invoke('nobody', '{}'), (e) => isBatonError(e, 'ResourceNotFound'));
    assert.equal(
      ((await h.call('basic', 'a string event')).body as { event: unknown }).event,
      'a string event',
    );
    const empty = await h.invoker.invoke('basic', '');
    assert.deepEqual(JSON.parse(empty.payload).event, {}, 'an empty payload is {}');
  });
});
