import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:jobs' },
  ],
};

describe('baton iam against a running server', () => {
  let s: ServerProcess;
  let dir: string;
  const cli = (...args: string[]) => runCli(['iam', ...args], s.cliEnv);
  before(async () => {
    s = await startServerProcess();
    dir = mkdtempSync(join(tmpdir(), 'baton-iam-cli-'));
    writeFileSync(join(dir, 'send.json'), JSON.stringify(POLICY));
  });
  after(async () => {
    await s.stop();
  });

  it('manages users and their keys; baton keys create NAME makes user NAME', async () => {
    const created = await cli('create-user', 'alice');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'arn:aws:iam::000000000000:user/alice\n');
    const key = await cli('create-access-key', 'alice');
    assert.equal(key.code, 0, key.stderr);
    const id = /AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})/.exec(key.stdout)?.[1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(key.stdout)?.[1];
    assert.ok(id && secret, key.stdout);
    const named = await runCli(['keys', 'create', 'ci-bot'], s.cliEnv);
    assert.equal(named.code, 0, named.stderr);
    const asAlice = {
      PATH: process.env.PATH,
      BATON_ENDPOINT: s.controlUrl,
      BATON_ACCESS_KEY_ID: id,
      BATON_SECRET_ACCESS_KEY: secret,
    };
    // A user's key may do nothing until a policy allows it.
    const refused = await runCli(['iam', 'users'], asAlice);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /AccessDenied: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::000000000000:user\//,
    );
    writeFileSync(
      join(dir, 'list.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
      }),
    );
    assert.equal((await cli('put-user-policy', 'alice', 'list', join(dir, 'list.json'))).code, 0);
    const users = await runCli(['iam', 'users'], asAlice);
    assert.equal(users.code, 0, users.stderr);
    assert.match(
      users.stdout,
      /^NAME\s+ARN\s+CREATED\nalice\s+arn:aws:iam::000000000000:user\/alice\s+\S+Z\nci-bot\s+arn:aws:iam::000000000000:user\/ci-bot/,
    );
    const conflict = await cli('delete-user', 'alice');
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /DeleteConflict: Cannot delete entity, must delete access keys first\./);
  });

  it('manages roles and their inline policies', async () => {
    const role = await cli('create-role', 'worker');
    assert.equal(role.code, 0, role.stderr);
    assert.equal(role.stdout, 'arn:aws:iam::000000000000:role/worker\n');
    const put = await cli('put-role-policy', 'worker', 'send', join(dir, 'send.json'));
    assert.equal(put.code, 0, put.stderr);
    const got = await cli('get-role-policy', 'worker', 'send');
    assert.deepEqual(JSON.parse(got.stdout), POLICY);
    const shown = await cli('get-role', 'worker');
    assert.match(shown.stdout, /policies: +send\n/);
    assert.match(
      shown.stdout,
      /"Service": "lambda.amazonaws.com"/,
      'a role takes functions when no trust file is given',
    );
    assert.match((await cli('roles')).stdout, /\nworker\s+arn:aws:iam::000000000000:role\/worker/);
    assert.equal((await cli('delete-role-policy', 'worker', 'send')).code, 0);
    assert.equal((await cli('delete-role', 'worker')).code, 0);
    const gone = await cli('get-role', 'worker');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NoSuchEntity: The role with name worker cannot be found\./);
  });

  it('puts user policies, and explains bad documents and bad usage', async () => {
    await cli('create-user', 'bob');
    writeFileSync(join(dir, 'bad.json'), '{"Statement": []}');
    const bad = await cli('put-user-policy', 'bob', 'p', join(dir, 'bad.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /MalformedPolicyDocument: Syntax errors in policy\./);
    assert.equal((await cli('put-user-policy', 'bob', 'p', join(dir, 'send.json'))).code, 0);
    assert.deepEqual(JSON.parse((await cli('get-user-policy', 'bob', 'p')).stdout), POLICY);
    assert.equal((await cli('delete-user-policy', 'bob', 'p')).code, 0);
    assert.equal((await cli('delete-user', 'bob')).code, 0);
    const usage = await cli('put-role-policy', 'worker');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: baton iam put-role-policy ROLE POLICY FILE/);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
  });
});
