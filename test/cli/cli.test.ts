import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../helpers/harness.ts';
import { CLI, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

describe('the baton CLI against a running server', () => {
  let s: ServerProcess;
  let app: string;
  before(async () => {
    s = await startServerProcess();
    app = join(mkdtempSync(join(tmpdir(), 'baton-app-')), 'testapp');
    cpSync(join(FIXTURES, 'app'), app, { recursive: true });
  });
  after(async () => {
    await s.stop();
  });

  it('deploys a manifest and prints what changed', async () => {
    const first = await runCli(['deploy', app], s.cliEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Deployed app "testapp":\n {2}\+ greet \(created\)\n {2}\+ adder \(created\)/);
    const again = await runCli(['deploy', app], s.cliEnv);
    assert.match(again.stdout, /= greet \(unchanged\)\n {2}= adder \(unchanged\)/);
    writeFileSync(
      join(app, 'baton.yaml'),
      'app: testapp\nfunctions:\n  greet:\n    handler: src/greet.handler\n    environment:\n      PREFIX: Hello\n',
    );
    const changed = await runCli(['deploy', app], s.cliEnv);
    assert.match(changed.stdout, /~ greet \(updated\)\n {2}- adder \(deleted\)/);
  });

  it('invokes a function and prints its JSON result', async () => {
    const r = await runCli(['invoke', 'greet', '--data', '{"name":"Ada"}'], s.cliEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { greeting: 'Hello, Ada' });
    const file = join(app, 'event.json');
    writeFileSync(file, '{"name":"File"}');
    const fromFile = await runCli(['invoke', 'greet', '--file', file], s.cliEnv);
    assert.deepEqual(JSON.parse(fromFile.stdout), { greeting: 'Hello, File' });
  });

  it('prints the Lambda error JSON and exits 1 when the function fails', async () => {
    writeFileSync(
      join(app, 'src', 'boom.mjs'),
      "export const handler = async () => { throw new Error('boom'); };\n",
    );
    writeFileSync(
      join(app, 'baton.yaml'),
      'app: testapp\nfunctions:\n  boom:\n    handler: src/boom.handler\n',
    );
    assert.equal((await runCli(['deploy', app], s.cliEnv)).code, 0);
    const r = await runCli(['invoke', 'boom'], s.cliEnv);
    assert.equal(r.code, 1);
    const body = JSON.parse(r.stdout) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'boom');
    assert.ok(body.trace.length > 0);
    const missing = await runCli(['invoke', 'nobody'], s.cliEnv);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ResourceNotFoundException: Function not found/);
  });

  it('prints logs and lists functions', async () => {
    await runCli(['invoke', 'boom'], s.cliEnv);
    const logs = await runCli(['logs', 'boom', '--since', '5m'], s.cliEnv);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^START RequestId: \S+ Version: \$LATEST$/m);
    assert.match(logs.stdout, /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom"/);
    assert.match(logs.stdout, /^REPORT RequestId: \S+\tDuration: /m);
    const list = await runCli(['functions'], s.cliEnv);
    assert.match(list.stdout, /^NAME\s+APP\s+HANDLER/);
    assert.match(list.stdout, /^boom\s+testapp\s+src\/boom\.handler\s+128 MB\s+3 s/m);
  });

  it('follows logs as invocations happen', async () => {
    const { spawn } = await import('node:child_process');
    const follower = spawn(process.execPath, [CLI, 'logs', 'boom', '--follow', '--since', '1s'], {
      env: s.cliEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await new Promise((r) => setTimeout(r, 700));
      const r = await runCli(['invoke', 'boom'], s.cliEnv);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /"errorMessage":"boom"/);
      const deadline = Date.now() + 10_000;
      while (!/REPORT RequestId: /.test(out) && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 100));
      assert.match(out, /^START RequestId: \S+ Version: \$LATEST$/m);
      assert.match(out, /^REPORT RequestId: /m);
    } finally {
      follower.kill();
    }
  });

  it('rejects a bad manifest with the field path, before uploading', async () => {
    writeFileSync(
      join(app, 'baton.yaml'),
      'functions:\n  boom:\n    handler: src/boom.handler\n    memory: 99999\n',
    );
    const r = await runCli(['deploy', app], s.cliEnv);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /functions\.boom\.memory: must be between 128 and 10240 MB \(got 99999\)/);
  });

  it('explains missing credentials and an unreachable server', async () => {
    const noCreds = await runCli(['functions'], { PATH: process.env.PATH, BATON_DATA: join(app, 'none') });
    assert.equal(noCreds.code, 2);
    assert.match(noCreds.stderr, /no credentials/);
    const down = await runCli(['functions'], { ...s.cliEnv, BATON_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach Baton at http:\/\/127\.0\.0\.1:9/);
  });

  it('creates, uses, lists and revokes a named access key', async () => {
    const created = await runCli(['keys', 'create', 'ci-bot'], s.cliEnv);
    assert.equal(created.code, 0, created.stderr);
    const id = /AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})/.exec(created.stdout)?.[1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(created.stdout)?.[1];
    assert.ok(id && secret, created.stdout);
    assert.ok(!created.stderr.includes(secret), 'the secret goes to stdout only');
    const asBot = {
      PATH: process.env.PATH,
      BATON_ENDPOINT: s.controlUrl,
      BATON_ACCESS_KEY_ID: id,
      BATON_SECRET_ACCESS_KEY: secret,
    };
    const refused = await runCli(['keys'], asBot);
    assert.equal(refused.code, 1, 'a named key may do nothing until a policy allows it');
    assert.match(refused.stderr, /AccessDeniedException/);
    const policy = join(mkdtempSync(join(tmpdir(), 'baton-keys-')), 'keys.json');
    writeFileSync(
      policy,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['iam:ListAccessKeys', 'lambda:ListFunctions'], Resource: '*' },
        ],
      }),
    );
    const put = await runCli(['iam', 'put-user-policy', 'ci-bot', 'keys', policy], s.cliEnv);
    assert.equal(put.code, 0, put.stderr);
    const listed = await runCli(['keys'], asBot);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${id}\\s+ci-bot`));
    assert.ok(!listed.stdout.includes(secret), 'listing never shows secrets');
    const dup = await runCli(['keys', 'create', 'ci-bot'], s.cliEnv);
    assert.match(dup.stderr, /ResourceConflictException/);
    const revoked = await runCli(['keys', 'revoke', id], s.cliEnv);
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await runCli(['functions'], asBot);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /UnrecognizedClientException/);
    const root = await runCli(['keys', 'revoke', s.credentials.accessKeyId], s.cliEnv);
    assert.match(root.stderr, /root access key cannot be revoked/);
  });
});

describe('baton up', () => {
  it('keeps code across a restart and stops gracefully on Ctrl-C without failing in-flight work', async () => {
    const first = await startServerProcess();
    const code = `export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return 'kept'; };`;
    const { strToU8, zipSync } = await import('fflate');
    const zip = Buffer.from(zipSync({ 'index.mjs': strToU8(code) })).toString('base64');
    const created = await first.admin('functions', {
      method: 'POST',
      body: JSON.stringify({ name: 'durable', handler: 'index.handler', code: zip }),
    });
    assert.equal(created.status, 201);
    const inFlight = first.admin('functions/durable/invoke', { method: 'POST', body: '{"ms":500}' });
    await new Promise((r) => setTimeout(r, 150));
    const exit = first.stop('SIGINT');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(await res.json(), 'kept', 'the running invocation finished during shutdown');
    assert.equal(await exit, 0);

    const second = await startServerProcess({ dataDir: first.dataDir });
    try {
      assert.match(second.output(), /credentials \(file\)/);
      const again = await second.admin('functions/durable/invoke', { method: 'POST', body: '{}' });
      assert.equal(await again.json(), 'kept');
    } finally {
      await second.stop();
    }
  });

  it('deploys a folder at start with --deploy and prints the URLs and credentials', async () => {
    const s = await startServerProcess({ args: ['--deploy', join(FIXTURES, 'app')] });
    try {
      assert.match(s.output(), /gateway \(app routes\):\s+http:\/\/127\.0\.0\.1:\d+/);
      assert.match(s.output(), /access key id:\s+AKIA[A-Z2-7]{16}/);
      assert.match(s.output(), /\+ greet \(created\)/);
      assert.match(
        s.output(),
        /Routes on the gateway:\n {2}GET {2}http:\/\/127\.0\.0\.1:\d+\/greet {2}→ greet\n/,
      );
      const viaGateway = await fetch(`${s.gatewayUrl}/greet`);
      assert.equal(viaGateway.status, 200);
      assert.deepEqual(await viaGateway.json(), { greeting: 'Hi, you' });
      const r = await runCli(['invoke', 'adder', '--data', '{"a":40,"b":2}'], s.cliEnv);
      assert.equal(r.stdout.trim(), '42');
    } finally {
      await s.stop();
    }
  });
});
