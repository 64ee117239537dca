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
