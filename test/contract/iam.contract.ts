import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { IamBackend } from '../../src/governance/iam/backend.ts';
import type { InlinePolicy, Role, User } from '../../src/governance/iam/records.ts';

const NOW = 1_800_000_000_000;

const user = (name: string, path = '/'): User => ({
  name,
  id: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
  arn: `arn:aws:iam::000000000000:user${path}${name}`,
  path,
  createdAt: NOW,
});

const role = (name: string, extra: Partial<Role> = {}): Role => ({
  name,
  id: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
  arn: `arn:aws:iam::000000000000:role/${name}`,
  path: '/',
  assumeRolePolicyDocument:
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
  maxSessionDuration: 3600,
  createdAt: NOW,
  ...extra,
});

const policy = (
  holder: 'user' | 'role',
  holderName: string,
  name: string,
  action = 'sqs:*',
): InlinePolicy => ({
  holder,
  holderName,
  name,
  document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"${action}","Resource":"*"}]}`,
});

/** The contract every IamBackend keeps: users, roles and inline policies, names unique regardless of case. */
export function iamContract(open: () => Promise<IamBackend>): void {
  it('stores users in name order, refusing a second name that differs only in case', async () => {
    const b = await open();
    assert.equal(await b.insertUser(user('bob', '/eng/')), true);
    assert.equal(await b.insertUser(user('Alice')), true);
    assert.equal(await b.insertUser(user('alice')), false);
    assert.deepEqual(await b.listUsers(), [user('Alice'), user('bob', '/eng/')]);
    assert.equal(await b.deleteUser('ALICE'), true, 'deletes by name in any case');
    assert.equal(await b.deleteUser('alice'), false);
    assert.deepEqual(
      (await b.listUsers()).map((u) => u.name),
      ['bob'],
    );
  });

  it('stores, updates and deletes roles', async () => {
    const b = await open();
    assert.equal(await b.insertRole(role('worker', { description: 'runs jobs' })), true);
    assert.equal(await b.insertRole(role('WORKER')), false);
    assert.equal(await b.updateRole(role('worker', { maxSessionDuration: 7200 })), true);
    assert.equal(await b.updateRole(role('missing')), false);
    assert.deepEqual(await b.listRoles(), [role('worker', { maxSessionDuration: 7200 })]);
    assert.equal(await b.deleteRole('Worker'), true);
    assert.equal(await b.deleteRole('worker'), false);
    assert.deepEqual(await b.listRoles(), []);
  });

  it('keeps inline policies per holder; a put of an existing name replaces its document and keeps its name', async () => {
    const b = await open();
    await b.insertUser(user('alice'));
    await b.insertRole(role('alice'));
    await b.putPolicy(policy('user', 'alice', 'Queues'));
    await b.putPolicy(policy('role', 'alice', 'queues', 'sns:*'));
    await b.putPolicy(policy('user', 'ALICE', 'QUEUES', 'sqs:SendMessage'));
    await b.putPolicy(policy('user', 'alice', 'Alpha'));
    assert.deepEqual(await b.listPolicies(), [
      policy('role', 'alice', 'queues', 'sns:*'),
      policy('user', 'alice', 'Alpha'),
      policy('user', 'alice', 'Queues', 'sqs:SendMessage'),
    ]);
    assert.equal(await b.deletePolicy('user', 'alice', 'alpha'), true);
    assert.equal(await b.deletePolicy('user', 'alice', 'alpha'), false);
    assert.equal(await b.deletePolicy('user', 'bob', 'Queues'), false);
    assert.equal((await b.listPolicies()).length, 2);
  });

  it('deletes a holder together with its inline policies', async () => {
    const b = await open();
    await b.insertUser(user('carol'));
    await b.insertRole(role('carol'));
    await b.putPolicy(policy('user', 'carol', 'p'));
    await b.putPolicy(policy('role', 'carol', 'p'));
    await b.deleteUser('carol');
    assert.deepEqual(await b.listPolicies(), [policy('role', 'carol', 'p')]);
    await b.deleteRole('carol');
    assert.deepEqual(await b.listPolicies(), []);
    assert.equal(await b.insertUser(user('carol')), true, 'the name is free again');
  });

  it('hands out copies: changing a returned record changes nothing stored', async () => {
    const b = await open();
    await b.insertUser(user('dave'));
    const [u] = await b.listUsers();
    u!.path = '/changed/';
    assert.equal((await b.listUsers())[0]!.path, '/');
  });
}
