import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

type Result = { ok?: unknown; error?: { code: string } };

// End to end: a real `baton up`, apps deployed by the CLI, functions using `baton.cache` in real
// runner processes, and the same entries through the admin API and the CLI.
describe('the cache end to end', () => {
  let s: ServerProcess;
  before(async () => {
    s = await startServerProcess();
    const root = mkdtempSync(join(tmpdir(), 'baton-cache-'));
    const app = (name: string, functions: string[]) => {
      const dir = join(root, name);
      mkdirSync(dir);
      cpSync(join(FIXTURES, 'cache', 'ops.mjs'), join(dir, 'ops.mjs'));
      const fns = functions.map((f) => `  ${f}:\n    handler: ops.handler\n`).join('');
      writeFileSync(join(dir, 'baton.yaml'), `app: ${name}\nfunctions:\n${fns}`);
      return dir;
    };
    for (const dir of [app('shop', ['shop-writer', 'shop-reader']), app('blog', ['blog-reader'])]) {
      const r = await runCli(['deploy', dir], s.cliEnv);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await s.stop();
  });

  const call = async (fn: string, ...ops: unknown[][]): Promise<unknown[]> => {
    const res = await s.admin(`functions/${fn}/invoke`, { method: 'POST', body: JSON.stringify({ ops }) });
    const body = (await res.json()) as Result[];
    assert.equal(res.headers.get('x-amz-function-error'), null, JSON.stringify(body));
    return body.map((r) => ('ok' in r ? r.ok : r.error));
  };
  const admin = async (path: string, method = 'GET', body?: unknown) => {
    const res = await s.admin(`cache/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  it('shares entries between the functions of one app, and never across apps', async () => {
    assert.deepEqual(
      await call('shop-writer', ['set', 'greeting', 'hello shop'], ['increment', 'orders', 3]),
      [null, 3],
    );
    assert.deepEqual(await call('shop-reader', ['get', 'greeting'], ['increment', 'orders']), [
      'hello shop',
      4,
    ]);
    assert.deepEqual(await call('blog-reader', ['get', 'greeting'], ['get', 'orders']), [null, null]);
    await call('blog-reader', ['set', 'greeting', 'hello blog']);
    assert.deepEqual(await call('shop-reader', ['get', 'greeting']), ['hello shop']);
    assert.deepEqual(await call('blog-reader', ['get', 'greeting']), ['hello blog']);
  });

  it('expires an entry at its TTL', async () => {
    // The server runs on the real clock: a short real TTL, then wait (up to 10 s) for it to go.
    assert.deepEqual(
      await call('shop-writer', ['set', 'flash', 'soon gone', { ttlMs: 300 }], ['get', 'flash']),
      [null, 'soon gone'],
    );
    const until = Date.now() + 10_000;
    let left: unknown[] = ['soon gone'];
    while (left[0] !== null && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      left = await call('shop-reader', ['get', 'flash']);
    }
    assert.deepEqual(left, [null]);
    assert.equal((await admin('shop/flash')).status, 404);
  });

  it('reads and writes the same entries through the admin API', async () => {
    assert.deepEqual(await admin('shop/greeting'), { status: 200, body: { value: 'hello shop' } });
    assert.equal(
      (await admin('blog/from%20admin%2Fkey', 'PUT', { value: 'é ✓', ttlMs: 60_000 })).status,
      204,
    );
    assert.deepEqual(await call('blog-reader', ['get', 'from admin/key']), ['é ✓']);
    assert.deepEqual((await admin('shop/orders/increment', 'POST', { by: 10 })).body, { value: 14 });
    assert.deepEqual(
      (await admin('shop/lock/compare-and-set', 'POST', { expected: null, value: 'me' })).body,
      {
        swapped: true,
      },
    );
    assert.deepEqual(
      (await admin('shop/lock/compare-and-set', 'POST', { expected: null, value: 'you' })).body,
      {
        swapped: false,
      },
    );
    assert.equal((await admin('shop/set-many', 'POST', { entries: [{ key: 'x', value: '1' }] })).status, 204);
    assert.deepEqual((await admin('shop/get-many', 'POST', { keys: ['x', 'lock', 'none'] })).body, {
      values: ['1', 'me', null],
    });
    assert.deepEqual((await admin('shop/x', 'DELETE')).body, { deleted: true });
    const stats = (await admin('')).body as { namespaces: { namespace: string; keys: number }[] };
    assert.deepEqual(
      stats.namespaces.map((n) => n.namespace),
      ['blog', 'shop'],
    );
    // greeting, "from admin/key", and what ops.mjs writes at module init.
    assert.deepEqual((await admin('blog', 'DELETE')).body, { deleted: 3 });
    assert.deepEqual(await call('blog-reader', ['get', 'greeting']), [null]);
  });

  it('answers bad requests with the cache’s error code as Reason', async () => {
    const missing = await admin('shop/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.__type, 'ResourceNotFoundException');
    const longKey = await admin(`shop/${'k'.repeat(1025)}`, 'PUT', { value: 'v' });
    assert.deepEqual([longKey.status, longKey.body.Reason], [400, 'InvalidKey']);
    const badNs = await admin('not%20an%20app/k');
    assert.deepEqual([badNs.status, badNs.body.Reason], [400, 'InvalidNamespace']);
    const notInt = await admin('shop/greeting/increment', 'POST', {});
    assert.deepEqual([notInt.status, notInt.body.Reason], [409, 'NotAnInteger']);
    const tooBig = await admin('shop/big', 'PUT', { value: 'x'.repeat(1024 * 1024 + 1) });
    assert.deepEqual([tooBig.status, tooBig.body.Reason], [413, 'ValueTooLarge']);
    const unsigned = await fetch(`${s.controlUrl}/admin/v1/cache/shop/greeting`);
    assert.equal(unsigned.status, 403);
  });

  it('reads and writes entries with the CLI', async () => {
    const cli = (...args: string[]) => runCli(['cache', ...args], s.cliEnv);
    assert.equal((await cli('set', 'shop', 'from-cli', 'cli value', '--ttl', '1h')).code, 0);
    assert.deepEqual(await call('shop-reader', ['get', 'from-cli']), ['cli value']);
    const got = await cli('get', 'shop', 'from-cli');
    assert.deepEqual([got.code, got.stdout], [0, 'cli value\n']);
    assert.equal((await cli('incr', 'shop', 'orders', '--by', '6')).stdout, '20\n');
    assert.equal((await cli('del', 'shop', 'from-cli')).stdout, 'Deleted from-cli\n');
    const gone = await cli('get', 'shop', 'from-cli');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /ResourceNotFoundException: Key not found/);
    const stats = await cli('stats');
    assert.match(stats.stdout, /^NAMESPACE\s+KEYS\s+BYTES\nshop\s+\d+\s+\d+\n/);
    assert.match(stats.stdout, /keys, \d+ of 67108864 bytes; 0 evicted, \d+ expired\n$/);
  });
});
