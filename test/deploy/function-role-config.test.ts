import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { memoryRegistry } from '../../src/backends/memory/registry.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { isBatonError } from '../../src/core/errors.ts';
import { parseFunctionConfig } from '../../src/core/function-spec.ts';
import { CodeStore } from '../../src/deploy/code-store.ts';
import { Deployer } from '../../src/deploy/deployer.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';
import { Registry } from '../../src/registry/registry.ts';

const ZIP = zipSync({ 'index.mjs': strToU8('export const handler = async () => 1;') });

describe("a function's role in its configuration and its app's declared resources", () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-role-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes an IAM role name or ARN, and says what is wrong with anything else', () => {
    const m = parseManifest(
      `functions:
  a: { handler: index.handler, role: worker }
  b: { handler: index.handler, role: 'arn:aws:iam::000000000000:role/team/worker' }
  c: { handler: index.handler }
`,
      '/apps/demo',
    );
    assert.equal(m.functions.a?.role, 'worker');
    assert.equal(m.functions.b?.role, 'arn:aws:iam::000000000000:role/team/worker');
    assert.equal('role' in m.functions.c!, false);
    for (const role of ['', 'has space', 'arn:aws:iam::1:role/x', 'arn:aws:s3:::bucket', 42])
      assert.throws(
        () => parseFunctionConfig({ handler: 'index.handler', role }, 'functions.f'),
        (e) => isBatonError(e) && /^functions\.f\.role: must be an IAM role name or ARN/.test(e.message),
        String(role),
      );
  });

  it('records what the app declares on its functions, and a new role makes a new revision', async () => {
    const clock = new ManualClock();
    const registry = await Registry.open(memoryRegistry());
    const deployer = new Deployer(registry, new CodeStore(join(dir, 'code')), clock, undefined);
    const m = parseManifest(
      `app: shop
buses: { shop-bus: {} }
functions:
  checkout: { handler: index.handler }
  mailer: { handler: index.handler, role: mailer }
`,
      '/apps/shop',
    );
    await deployer.deployApp(m.app, m.functions, ZIP, m);
    const declared = { queues: [], topics: [], tables: [], buses: ['shop-bus'] };
    assert.deepEqual(registry.get('checkout')?.manifestResources, declared);
    assert.deepEqual(registry.get('mailer')?.manifestResources, declared);
    const before = registry.get('mailer')!.revision;
    assert.notEqual(registry.get('checkout')!.revision, before, 'the role is part of what instances run');

    const { record } = await deployer.update('mailer', {
      config: { ...registry.get('mailer')!, role: 'arn:aws:iam::000000000000:role/other' },
    });
    assert.notEqual(record.revision, before, 'a new role replaces the instances');
    assert.deepEqual(record.manifestResources, declared, 'an API update keeps what the app declares');

    const bare = parseManifest(
      'app: shop\nfunctions:\n  checkout: { handler: index.handler }\n',
      '/apps/shop',
    );
    await deployer.deployApp(bare.app, bare.functions, ZIP, bare);
    assert.equal(registry.get('checkout')?.manifestResources, undefined, 'nothing declared, nothing kept');
  });
});
