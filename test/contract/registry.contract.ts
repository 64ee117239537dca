import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FunctionRecord } from '../../src/core/function-spec.ts';
import type { RegistryBackend } from '../../src/registry/backend.ts';

export const record = (name: string, over: Partial<FunctionRecord> = {}): FunctionRecord => ({
  name,
  app: 'demo',
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  memory: 128,
  timeout: 3,
  environment: { A: '1' },
  reservedConcurrency: null,
  provisionedConcurrency: 0,
  idleTimeout: 300,
  codeSha256: 'abc',
  codeSize: 10,
  entry: 'index.mjs',
  revision: 'r1',
  createdAt: 1,
  updatedAt: 2,
  ...over,
});

/** The registry contract: every RegistryBackend implementation runs these. */
export function registryContract(make: () => Promise<RegistryBackend>): void {
  it('stores, replaces, lists in name order and deletes records', async () => {
    const b = await make();
    assert.equal(await b.getFunction('zeta'), undefined);
    await b.putFunction(record('zeta'));
    await b.putFunction(record('alpha', { memory: 512 }));
    assert.deepEqual(await b.getFunction('alpha'), record('alpha', { memory: 512 }));
    await b.putFunction(record('alpha', { memory: 1024, environment: {} }));
    assert.equal((await b.getFunction('alpha'))?.memory, 1024);
    assert.deepEqual(
      (await b.listFunctions()).map((r) => r.name),
      ['alpha', 'zeta'],
    );
    assert.equal(await b.deleteFunction('alpha'), true);
    assert.equal(await b.deleteFunction('alpha'), false);
    assert.deepEqual(
      (await b.listFunctions()).map((r) => r.name),
      ['zeta'],
    );
  });

  it('keeps null reserved concurrency and nested environment intact', async () => {
    const b = await make();
    const r = record('env', { reservedConcurrency: null, environment: { X: 'a "quoted" value', Y: 'ü' } });
    await b.putFunction(r);
    assert.deepEqual(await b.getFunction('env'), r);
  });
}

/** Versions, aliases and async settings: kept per kind, and deleted with their function. */
export function registryResourcesContract(make: () => Promise<RegistryBackend>): void {
  it('stores resources by kind and key, and deletes them with their function only', async () => {
    const b = await make();
    await b.putFunction(record('fn'));
    await b.putFunction(record('fn_x'));
    await b.putResource('version', 'fn:1', record('fn', { version: '1' }));
    await b.putResource('version', 'fn:2', record('fn', { version: '2', memory: 256 }));
    await b.putResource('version', 'fn_x:1', record('fn_x', { version: '1' }));
    const alias = {
      function: 'fn',
      name: 'live',
      functionVersion: '1',
      description: '',
      weights: { '2': 0.25 },
      revisionId: 'r',
    };
    await b.putResource('alias', 'fn:live', alias);
    assert.deepEqual(
      (await b.listResources('version')).map((r) => r.key),
      ['fn:1', 'fn:2', 'fn_x:1'],
    );
    assert.deepEqual(await b.listResources('alias'), [{ key: 'fn:live', record: alias }]);
    await b.putResource('alias', 'fn:live', { ...alias, functionVersion: '2' });
    assert.equal((await b.listResources('alias'))[0]?.record.functionVersion, '2');
    assert.equal(await b.deleteResource('version', 'fn:2'), true);
    assert.equal(await b.deleteResource('version', 'fn:2'), false);
    // `_` is a LIKE wildcard in SQL: deleting `fn` must not touch `fn_x`.
    assert.equal(await b.deleteFunction('fn'), true);
    assert.deepEqual(
      (await b.listResources('version')).map((r) => r.key),
      ['fn_x:1'],
    );
    assert.deepEqual(await b.listResources('alias'), []);
  });
}
