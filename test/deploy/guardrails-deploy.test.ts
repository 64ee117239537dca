import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

/** `baton deploy` against a real server whose account limits are set (src/governance/guardrails.ts). */
describe('a deploy that breaks the account guardrails is refused whole', () => {
  let s: ServerProcess;
  let app: string;
  const manifest = (functions: string) =>
    writeFileSync(join(app, 'baton.yaml'), `app: shop\nfunctions:\n${functions}`);
  const greet = (prefix: string) =>
    `  greet:\n    handler: src/greet.handler\n    environment:\n      PREFIX: ${prefix}\n`;
  const describeGreet = async () =>
    ((await (await s.admin('functions/greet')).json()) as { function: Record<string, unknown> }).function;
  const names = async () =>
    ((await (await s.admin('functions')).json()) as { functions: { name: string }[] }).functions
      .map((f) => f.name)
      .sort();

  before(async () => {
    s = await startServerProcess({
      env: {
        BATON_MAX_FUNCTION_MEMORY_MB: '2048',
        BATON_MAX_FUNCTION_TIMEOUT_S: '60',
        BATON_MAX_TOTAL_CONCURRENCY: '120',
      },
    });
    app = join(mkdtempSync(join(tmpdir(), 'baton-guard-')), 'shop');
    cpSync(join(FIXTURES, 'app'), app, { recursive: true });
    manifest(greet('Hi'));
    const first = await runCli(['deploy', app], s.cliEnv);
    assert.equal(first.code, 0, first.stderr);
  });
  after(async () => {
    await s.stop();
  });

  it('refuses memory over the limit, naming the function, and changes nothing', async () => {
    manifest(`${greet('Changed')}  big:\n    handler: src/greet.handler\n    memory: 4096\n`);
    const r = await runCli(['deploy', app], s.cliEnv);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /functions\.big\.memory: 4096 MB is over this account's limit of 2048 MB \(BATON_MAX_FUNCTION_MEMORY_MB\)/,
    );
    assert.deepEqual(await names(), ['greet']);
    assert.deepEqual((await describeGreet()).environment, { PREFIX: 'Hi' });
  });

  it('refuses a timeout over the limit', async () => {
    manifest(`${greet('Hi')}  slow:\n    handler: src/greet.handler\n    timeout: 300\n`);
    const r = await runCli(['deploy', app], s.cliEnv);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /functions\.slow\.timeout: 300 seconds is over this account's limit of 60 seconds \(BATON_MAX_FUNCTION_TIMEOUT_S\)/,
    );
    assert.deepEqual(await names(), ['greet']);
  });

  it('refuses reserved and provisioned concurrency that would leave fewer than 100 unreserved', async () => {
    manifest(
      `${greet('Hi')}    reservedConcurrency: 15\n  warm:\n    handler: src/greet.handler\n    provisionedConcurrency: 6\n`,
    );
    const r = await runCli(['deploy', app], s.cliEnv);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /functions\.warm\.provisionedConcurrency: 6 provisioned instances would bring the concurrency reserved or provisioned across this account's functions to 21, over the 20 allowed \(BATON_MAX_TOTAL_CONCURRENCY is 120, and 100 of it must stay unreserved\)/,
    );
    assert.deepEqual(await names(), ['greet']);
    assert.equal((await describeGreet()).reservedConcurrency, null);
  });

  it('deploys an app within the limits', async () => {
    manifest(
      `${greet('Hi')}    reservedConcurrency: 15\n    memory: 2048\n    timeout: 60\n  warm:\n    handler: src/greet.handler\n    provisionedConcurrency: 5\n`,
    );
    const r = await runCli(['deploy', app], s.cliEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await names(), ['greet', 'warm']);
    assert.equal((await describeGreet()).memory, 2048);
  });

  it('refuses the same limits through the admin API', async () => {
    const res = await s.admin('functions/greet', {
      method: 'PUT',
      body: JSON.stringify({ memory: 3008 }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /function\.memory: 3008 MB is over this account's limit of 2048 MB/);
  });
});
