import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { isBatonError } from '../../src/core/errors.ts';
import { CodeStore } from '../../src/deploy/code-store.ts';

const store = () => new CodeStore(join(mkdtempSync(join(tmpdir(), 'baton-code-')), 'code'));

describe('CodeStore', () => {
  it('stores code by content hash, once, whatever the zip metadata', async () => {
    const s = store();
    const a = await s.putZip(
      zipSync({ 'index.mjs': strToU8('export const handler = 1;') }, { mtime: new Date(2001, 1, 1) }),
    );
    const b = await s.putZip(
      zipSync(
        { 'index.mjs': strToU8('export const handler = 1;') },
        { mtime: new Date(2020, 1, 1), level: 9 },
      ),
    );
    const c = await s.putZip(zipSync({ 'index.mjs': strToU8('export const handler = 2;') }));
    assert.equal(a.sha256, b.sha256);
    assert.notEqual(a.sha256, c.sha256);
    assert.equal(readFileSync(join(s.dir(a.sha256), 'index.mjs'), 'utf8'), 'export const handler = 1;');
  });

  it('refuses data that is not a zip, and paths that climb out', async () => {
    const s = store();
    await assert.rejects(
      s.putZip(strToU8('not a zip at all')),
      (e) => isBatonError(e, 'InvalidParameterValue') && /Could not unzip uploaded file/.test(e.message),
    );
    await assert.rejects(
      s.putZip(zipSync({ '../evil.js': strToU8('x') })),
      (e) => isBatonError(e, 'InvalidRequestContent') && /unsafe path/.test(e.message),
    );
  });

  it('resolves handlers in Lambda order and bundles TypeScript', async () => {
    const s = store();
    const { sha256 } = await s.putZip(
      zipSync({
        'a.mjs': strToU8('export const handler = 1;'),
        'a.cjs': strToU8('exports.handler = 2;'),
        'lib/util.ts': strToU8('export const twice = (n: number): number => n * 2;'),
        'src/t.ts': strToU8(
          "import { twice } from '../lib/util.ts';\nexport const handler = async (): Promise<number> => twice(21);",
        ),
        'bad.ts': strToU8('export const = ;'),
      }),
    );
    assert.equal(await s.resolveEntry(sha256, 'a.handler'), 'a.mjs');
    assert.equal(await s.resolveEntry(sha256, 'missing.handler'), null);
    const entry = await s.resolveEntry(sha256, 'src/t.handler');
    assert.equal(entry, '.baton-build/src/t.mjs');
    assert.ok(existsSync(join(s.dir(sha256), entry!)));
    const mod = (await import(join(s.dir(sha256), entry!))) as { handler: () => Promise<number> };
    assert.equal(await mod.handler(), 42);
    await assert.rejects(s.resolveEntry(sha256, 'bad.handler'), /TypeScript build failed/);
  });
});
