import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { parseFunctionConfig } from '../../src/core/function-spec.ts';
import { packageRoot } from '../../src/server/config.ts';
import { formatInvocationLog } from '../../src/telemetry/logs/invocation-log.ts';
import { drive } from '../helpers/drive.ts';
import { createHarness, FIXTURES, type Harness } from '../helpers/harness.ts';

type Probe = { ok: boolean; code?: string; text?: string };

describe('isolation: what a function cannot do', () => {
  let h: Harness;
  const clock = new ManualClock(Date.now());
  let otherCode: string;
  before(async () => {
    h = await createHarness({ clock });
    await h.deploy('probe', { handler: 'probe.handler' });
    await h.deploy('other', { handler: 'secret.handler' }, join(FIXTURES, 'other'));
    await h.deploy('ok', { handler: 'crashers.ok' });
    otherCode = h.code.dir(h.registry.get('other')!.codeSha256);
  });
  after(() => h.close());

  const probe = async (event: Record<string, unknown>): Promise<Probe> =>
    (await h.call('probe', event)).body as Probe;

  it('reads its own code and writes its own temp folder', async () => {
    assert.deepEqual(await probe({ op: 'ownCode' }), { ok: true, text: "import { execSync } from 'node" });
    const tmp = (await probe({ op: 'writeTmp' })) as Probe & { tmp: string };
    assert.equal(tmp.text, 'tmp works');
  });

  it("cannot read another function's code", async () => {
    assert.equal((await h.call('other')).body, 'the other function');
    const r = await probe({ op: 'read', path: join(otherCode, 'secret.mjs') });
    assert.deepEqual([r.ok, r.code], [false, 'ERR_ACCESS_DENIED']);
  });

  it('cannot read or list the data directory, nor write outside its temp folder', async () => {
    for (const event of [
      { op: 'readdir', path: h.dataDir },
      { op: 'readdir', path: join(h.dataDir, 'code') },
      { op: 'read', path: '/etc/passwd' },
      { op: 'write', path: join(h.dataDir, 'pwned') },
      { op: 'write', path: join(otherCode, 'secret.mjs') },
    ]) {
      const r = await probe(event);
      assert.deepEqual([r.ok, r.code], [false, 'ERR_ACCESS_DENIED'], JSON.stringify(event));
    }
  });

  it('cannot load native addons', async () => {
    const { strToU8, zipSync } = await import('fflate');
    const addon = readFileSync(
      join(packageRoot(), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
    );
    const code = zipSync({
      'index.mjs': strToU8(
        "import { createRequire } from 'node:module';\n" +
          'export const handler = async () => {\n' +
          "  try { createRequire(import.meta.url)('./addon.node'); return { ok: true }; }\n" +
          '  catch (e) { return { ok: false, code: e.code }; }\n' +
          '};\n',
      ),
      'addon.node': new Uint8Array(addon),
    });
    await h.deployer.create('addon', parseFunctionConfig({ handler: 'index.handler' }, 'f'), code);
    assert.deepEqual((await h.call('addon')).body, { ok: false, code: 'ERR_DLOPEN_DISABLED' });
  });

  it('cannot start processes or workers', async () => {
    for (const op of ['spawn', 'worker']) {
      const r = await probe({ op });
      assert.deepEqual([r.ok, r.code], [false, 'ERR_ACCESS_DENIED'], op);
    }
  });

  it('cannot take the platform down, and a new instance replaces a failed one', async () => {
    await h.deploy('spin', { handler: 'crashers.spin', timeout: 1 });
    await h.deploy('exit', { handler: 'crashers.exit' });
    await h.deploy('timerThrow', { handler: 'crashers.timerThrow' });
    await h.deploy('hog', { handler: 'crashers.hog', memory: 128 });

    // An infinite loop: killed at its timeout, driven by the injected clock.
    const spun = await drive(h.invoker.invoke('spin', '{}'), clock, 250);
    assert.deepEqual(JSON.parse(spun.payload).errorType, 'Sandbox.Timedout');
    assert.match(
      JSON.parse(spun.payload).errorMessage,
      /^RequestId: [0-9a-f-]+ Error: Task timed out after 1\.00 seconds$/,
    );
    assert.match(formatInvocationLog(spun.log).at(-1)!, /\tStatus: timeout$/);
    assert.equal((await h.call('ok')).body, 'still fine');

    const exited = await h.call('exit');
    assert.equal((exited.body as { errorType: string }).errorType, 'Runtime.ExitError');
    assert.match(
      (exited.body as { errorMessage: string }).errorMessage,
      /Runtime exited with error: exit status 3$/,
    );

    const thrown = await h.call('timerThrow');
    assert.deepEqual(
      [
        (thrown.body as { errorType: string }).errorType,
        (thrown.body as { errorMessage: string }).errorMessage,
      ],
      ['Error', 'thrown in a timer'],
    );

    const hogged = await h.call('hog');
    assert.equal((hogged.body as { errorType: string }).errorType, 'Runtime.OutOfMemory');

    assert.equal((await h.call('ok')).body, 'still fine');
    // Each failed instance was replaced: the same functions work again.
    assert.equal((await h.call('exit')).error, true);
    assert.equal(h.pool.stats().functions.exit?.live, 0, 'dead instances are gone from the pool');
    assert.equal((await h.call('probe', { op: 'ownCode' })).error, false);
  });

  it('cannot disturb the platform through its channel to it', async () => {
    await h.deploy('forge', { handler: 'crashers.forge' });
    const r = await h.call('forge');
    assert.equal(r.error, true);
    assert.equal((r.body as { errorType: string }).errorType, 'Runtime.ExitError');
    assert.equal((await h.call('ok')).body, 'still fine');
  });

  it('is killed when its resident memory passes its cap, even outside the V8 heap', async () => {
    await h.deploy('bufferHog', { handler: 'crashers.bufferHog', memory: 128, timeout: 30 });
    // The watchdog samples resident memory every 100 ms of the injected clock.
    const r = await drive(h.invoker.invoke('bufferHog', '{}'), clock, 100);
    assert.equal(JSON.parse(r.payload).errorType, 'Runtime.OutOfMemory');
    assert.equal((await h.call('ok')).body, 'still fine');
  });
});
