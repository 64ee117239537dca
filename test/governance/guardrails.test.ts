import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { type FunctionConfig, parseFunctionConfig } from '../../src/core/function-spec.ts';
import {
  checkAppGuardrails,
  checkFunctionGuardrails,
  checkFunctionLimits,
  checkTotalConcurrency,
  committedConcurrency,
  DEFAULT_GUARDRAILS,
  fieldsUnder,
  type Guardrails,
  LAMBDA_FIELDS,
  unreservedMinimum,
} from '../../src/governance/guardrails.ts';
import { loadConfig } from '../../src/server/config.ts';

const g: Guardrails = { maxMemoryMb: 2048, maxTimeoutS: 60, maxTotalConcurrency: 256 };
const fn = (o: Record<string, unknown> = {}): FunctionConfig =>
  parseFunctionConfig({ handler: 'index.handler', ...o }, 'f');
const rec = (name: string, app: string | null, o: Record<string, unknown> = {}) => ({
  ...fn(o),
  name,
  app,
});
/** Asserts an InvalidParameterValue whose message matches, and returns it. */
const refused = (f: () => void, message: RegExp): void =>
  assert.throws(f, (e: unknown) => {
    assert.ok(isBatonError(e, 'InvalidParameterValue'), String(e));
    assert.match(e.message, message);
    return true;
  });

describe('guardrails: memory and timeout', () => {
  it('refuses memory over the limit, naming the field, the value and the variable', () => {
    refused(
      () => checkFunctionLimits(g, fn({ memory: 4096 }), fieldsUnder('functions.big')),
      /^functions\.big\.memory: 4096 MB is over this account's limit of 2048 MB \(BATON_MAX_FUNCTION_MEMORY_MB\)$/,
    );
    checkFunctionLimits(g, fn({ memory: 2048, timeout: 60 }), fieldsUnder('functions.big'));
  });

  it('refuses a timeout over the limit, in the Lambda API member names', () => {
    refused(
      () => checkFunctionLimits(g, fn({ timeout: 61 }), LAMBDA_FIELDS),
      /^Timeout: 61 seconds is over this account's limit of 60 seconds \(BATON_MAX_FUNCTION_TIMEOUT_S\)$/,
    );
  });

  it('lets a function deployed before a limit was lowered keep its values when others change', () => {
    const before = fn({ memory: 4096, timeout: 300 });
    checkFunctionLimits(g, { ...before }, LAMBDA_FIELDS, before);
    refused(() => checkFunctionLimits(g, { ...before, memory: 3008 }, LAMBDA_FIELDS, before), /MemorySize/);
  });

  it('defaults to Lambda’s own maximums, which parsing already enforces', () => {
    checkFunctionLimits(DEFAULT_GUARDRAILS, fn({ memory: 10_240, timeout: 900 }), LAMBDA_FIELDS);
    assert.equal(DEFAULT_GUARDRAILS.maxTotalConcurrency, null);
  });
});

describe('guardrails: total concurrency', () => {
  it('keeps Lambda’s 100 unreserved, or the whole limit when it is smaller', () => {
    assert.equal(unreservedMinimum(1000), 100);
    assert.equal(unreservedMinimum(256), 100);
    assert.equal(unreservedMinimum(50), 50);
  });

  it('counts reserved concurrency, or else provisioned instances', () => {
    assert.equal(committedConcurrency(fn({ reservedConcurrency: 10, provisionedConcurrency: 4 })), 10);
    assert.equal(committedConcurrency(fn({ provisionedConcurrency: 4 })), 4);
    assert.equal(committedConcurrency(fn()), 0);
  });

  it('names the first function that takes the total past the limit less 100', () => {
    const functions = [
      { names: fieldsUnder('functions.a'), config: fn({ reservedConcurrency: 100 }) },
      { names: fieldsUnder('functions.b'), config: fn() },
      { names: fieldsUnder('functions.c'), config: fn({ provisionedConcurrency: 10 }) },
    ];
    checkTotalConcurrency(g, 46, functions);
    refused(
      () => checkTotalConcurrency(g, 47, functions),
      /^functions\.c\.provisionedConcurrency: 10 provisioned instances would bring the concurrency reserved or provisioned across this account's functions to 157, over the 156 allowed \(BATON_MAX_TOTAL_CONCURRENCY is 256, and 100 of it must stay unreserved\)$/,
    );
  });

  it('lets a change through that does not raise what the functions commit', () => {
    const one = [{ names: LAMBDA_FIELDS, config: fn({ reservedConcurrency: 20 }) }];
    checkTotalConcurrency(g, 200, one, 30);
    refused(() => checkTotalConcurrency(g, 200, one, 10), /^ReservedConcurrentExecutions: 20 reserved/);
  });

  it('sets no limit when none is configured', () => {
    const huge = [{ names: LAMBDA_FIELDS, config: fn({ reservedConcurrency: 100_000 }) }];
    checkTotalConcurrency(DEFAULT_GUARDRAILS, 100_000, huge);
  });

  it('checks an app against the other apps’ functions, not the ones it replaces', () => {
    const records = [
      rec('old', 'shop', { reservedConcurrency: 150 }),
      rec('other', 'blog', { reservedConcurrency: 100 }),
    ];
    checkAppGuardrails(g, records, 'shop', { fresh: fn({ reservedConcurrency: 56 }) });
    refused(
      () => checkAppGuardrails(g, records, 'shop', { fresh: fn({ reservedConcurrency: 57 }) }),
      /^functions\.fresh\.reservedConcurrency: 57 reserved .* to 157, over the 156 allowed/,
    );
    refused(
      () => checkAppGuardrails(g, records, 'shop', { fresh: fn({ memory: 3008 }) }),
      /^functions\.fresh\.memory: 3008 MB/,
    );
  });

  it('checks one function against every other function', () => {
    const records = [
      rec('a', null, { reservedConcurrency: 150 }),
      rec('b', null, { reservedConcurrency: 6 }),
    ];
    checkFunctionGuardrails(g, records, 'b', fn({ reservedConcurrency: 6 }), records[1]);
    refused(
      () => checkFunctionGuardrails(g, records, 'b', fn({ reservedConcurrency: 7 }), records[1]),
      /^function\.reservedConcurrency: 7 reserved instances .* to 157/,
    );
  });
});

describe('guardrails: configuration', () => {
  it('reads the BATON_MAX_* variables, with Lambda’s maximums and no total by default', () => {
    assert.deepEqual(loadConfig({}).guardrails, DEFAULT_GUARDRAILS);
    assert.deepEqual(
      loadConfig({
        BATON_MAX_FUNCTION_MEMORY_MB: '2048',
        BATON_MAX_FUNCTION_TIMEOUT_S: '60',
        BATON_MAX_TOTAL_CONCURRENCY: '256',
      }).guardrails,
      g,
    );
  });

  it('refuses values outside what Lambda allows', () => {
    assert.throws(() => loadConfig({ BATON_MAX_FUNCTION_MEMORY_MB: '20000' }), /from 128 to 10240/);
    assert.throws(() => loadConfig({ BATON_MAX_FUNCTION_TIMEOUT_S: '0' }), /from 1 to 900/);
    assert.throws(() => loadConfig({ BATON_MAX_TOTAL_CONCURRENCY: 'lots' }), /BATON_MAX_TOTAL_CONCURRENCY/);
  });
});
