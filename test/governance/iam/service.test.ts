import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Backends, storageKinds } from '../../../src/backends/index.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { IamError, type IamErrorCode } from '../../../src/governance/iam/errors.ts';
import { IamService } from '../../../src/governance/iam/service.ts';

const ROOT = { accessKeyId: 'AKIAROOTROOTROOTROOT', secretAccessKey: 'root-secret' };
const ACCOUNT = '000000000000';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const ALLOW_SQS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
});

const open = (backends: Backends, clock = new ManualClock()) =>
  IamService.open({
    backend: backends.iam,
    keyBackend: backends.accessKeys,
    root: ROOT,
    clock,
    accountId: ACCOUNT,
  });
const fresh = (kind: 'memory' | 'sqlite' = 'memory') =>
  storageKinds[kind](mkdtempSync(join(tmpdir(), `baton-iam-${kind}-`)));

async function rejects(p: Promise<unknown> | (() => unknown), code: IamErrorCode, message?: string | RegExp) {
  await assert.rejects(
    async () => (typeof p === 'function' ? p() : p),
    (e: unknown) => {
      assert.ok(e instanceof IamError, String(e));
      assert.equal(e.code, code, e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else if (message) assert.match(e.message, message);
      return true;
    },
  );
}

describe('IAM users', () => {
  it('creates users with IAM ids and ARNs, names unique regardless of case', async () => {
    const iam = await open(fresh());
    const bob = await iam.createUser({ UserName: 'bob', Path: '/eng/' });
    assert.match(bob.id, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(bob.arn, `arn:aws:iam::${ACCOUNT}:user/eng/bob`);
    assert.equal((await iam.createUser({ UserName: 'alice' })).arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    await rejects(
      iam.createUser({ UserName: 'ALICE' }),
      'EntityAlreadyExists',
      'User with name ALICE already exists.',
    );
    assert.equal(iam.getUser({ UserName: 'Bob' }, ROOT.accessKeyId).arn, bob.arn);
    assert.deepEqual(
      iam.listUsers({}).items.map((u) => u.name),
      ['alice', 'bob'],
    );
    assert.deepEqual(
      iam.listUsers({ PathPrefix: '/eng' }).items.map((u) => u.name),
      ['bob'],
    );
    await rejects(
      () => iam.getUser({ UserName: 'carol' }, ROOT.accessKeyId),
      'NoSuchEntity',
      'The user with name carol cannot be found.',
    );
  });

  it("answers constraint violations with IAM's ValidationError text", async () => {
    const iam = await open(fresh());
    await rejects(
      iam.createUser({}),
      'ValidationError',
      "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    );
    await rejects(
      iam.createUser({ UserName: 'bad name', Path: 'nope' }),
      'ValidationError',
      "2 validation errors detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
    await rejects(
      iam.createUser({ UserName: 'x'.repeat(65) }),
      'ValidationError',
      /length less than or equal to 64/,
    );
  });

  it('GetUser without a name answers for the caller: a user, or the root', async () => {
    const iam = await open(fresh());
    await iam.createUser({ UserName: 'alice' });
    const key = await iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId);
    assert.equal(iam.getUser({}, key.accessKeyId).name, 'alice');
    const root = iam.getUser({}, ROOT.accessKeyId);
    assert.equal(root.arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(root.id, ACCOUNT);
    assert.equal(root.name, undefined);
  });

  it('refuses to delete a user that still has access keys or policies', async () => {
    const iam = await open(fresh());
    await iam.createUser({ UserName: 'alice' });
    const key = await iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId);
    await iam.putPolicy('user', { UserName: 'alice', PolicyName: 'send', PolicyDocument: ALLOW_SQS });
    await rejects(
      iam.deleteUser({ UserName: 'alice' }),
      'DeleteConflict',
      'Cannot delete entity, must delete access keys first.',
    );
    await iam.deleteAccessKey({ UserName: 'alice', AccessKeyId: key.accessKeyId }, ROOT.accessKeyId);
    await rejects(
      iam.deleteUser({ UserName: 'alice' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await iam.deletePolicy('user', { UserName: 'alice', PolicyName: 'send' });
    await iam.deleteUser({ UserName: 'alice' });
    await rejects(iam.deleteUser({ UserName: 'alice' }), 'NoSuchEntity');
  });

  it('pages lists with MaxItems and Marker', async () => {
    const iam = await open(fresh());
    for (const n of ['a', 'b', 'c']) await iam.createUser({ UserName: n });
    const first = iam.listUsers({ MaxItems: '2' });
    assert.deepEqual(
      first.items.map((u) => u.name),
      ['a', 'b'],
    );
    assert.equal(first.truncated, true);
    const rest = iam.listUsers({ MaxItems: '2', Marker: first.marker });
    assert.deepEqual(
      rest.items.map((u) => u.name),
      ['c'],
    );
    assert.equal(rest.truncated, false);
    await rejects(() => iam.listUsers({ MaxItems: '0' }), 'ValidationError', /greater than or equal to 1/);
  });
});

describe('IAM access keys', () => {
  it('keeps keys in the access-key store: a new key signs at once, an inactive one does not', async () => {
    const iam = await open(fresh());
    await iam.createUser({ UserName: 'alice' });
    const key = await iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId);
    assert.match(key.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(iam.accessKeys.secretFor(key.accessKeyId), key.secretAccessKey);
    assert.deepEqual(iam.principalOf(key.accessKeyId), { kind: 'user', user: iam.user('alice') });
    assert.deepEqual(iam.principalOf(ROOT.accessKeyId), { kind: 'root' });
    await iam.updateAccessKey({ AccessKeyId: key.accessKeyId, Status: 'Inactive' }, key.accessKeyId);
    assert.equal(iam.accessKeys.secretFor(key.accessKeyId), undefined);
    assert.equal(iam.principalOf(key.accessKeyId), undefined);
    assert.equal(iam.listAccessKeys({ UserName: 'alice' }, ROOT.accessKeyId).items[0]!.status, 'Inactive');
    await iam.updateAccessKey(
      { UserName: 'alice', AccessKeyId: key.accessKeyId, Status: 'Active' },
      ROOT.accessKeyId,
    );
    assert.equal(iam.accessKeys.secretFor(key.accessKeyId), key.secretAccessKey);
  });

  it('allows two keys per user, and finds keys only under their own user', async () => {
    const iam = await open(fresh());
    await iam.createUser({ UserName: 'alice' });
    await iam.createUser({ UserName: 'bob' });
    const [k1] = await Promise.all([
      iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId),
      iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId),
      rejects(
        iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId),
        'LimitExceeded',
        'Cannot exceed quota for AccessKeysPerUser: 2',
      ),
    ]);
    const missing = `The Access Key with id ${k1.accessKeyId} cannot be found`;
    await rejects(
      iam.deleteAccessKey({ UserName: 'bob', AccessKeyId: k1.accessKeyId }, ROOT.accessKeyId),
      'NoSuchEntity',
      missing,
    );
    await rejects(
      iam.deleteAccessKey({ AccessKeyId: k1.accessKeyId }, ROOT.accessKeyId),
      'NoSuchEntity',
      missing,
    );
    await rejects(iam.deleteAccessKey({ AccessKeyId: ROOT.accessKeyId }, ROOT.accessKeyId), 'InvalidInput');
    await rejects(iam.createAccessKey({}, ROOT.accessKeyId), 'InvalidInput');
    await iam.deleteAccessKey({ AccessKeyId: k1.accessKeyId }, k1.accessKeyId);
    assert.equal(iam.accessKeys.secretFor(k1.accessKeyId), undefined);
    assert.equal(iam.listAccessKeys({ UserName: 'alice' }, ROOT.accessKeyId).items.length, 1);
    assert.deepEqual(
      iam.listAccessKeys({}, ROOT.accessKeyId).items.map((k) => [k.userName, k.accessKeyId]),
      [[undefined, ROOT.accessKeyId]],
      'the root lists its own key',
    );
  });

  it('makes named keys (baton keys create NAME) keys of user NAME, before and after IAM', async () => {
    const backends = fresh('sqlite');
    const legacy = {
      accessKeyId: 'AKIALEGACYLEGACY2345',
      secretAccessKey: 's',
      name: 'ci-bot',
      createdAt: 1,
    };
    await backends.accessKeys.put(legacy);
    const iam = await open(backends);
    assert.equal(iam.user('ci-bot')?.arn, `arn:aws:iam::${ACCOUNT}:user/ci-bot`);
    assert.equal(iam.principalOf(legacy.accessKeyId)?.kind, 'user');
    await iam.createUser({ UserName: 'Dana' });
    const k = await iam.accessKeys.create('dana');
    assert.equal(k.name, 'Dana', 'the key joins the existing user, whatever the case');
    const e = await iam.accessKeys.create('erin');
    assert.equal(iam.getUser({}, e.accessKeyId).name, 'erin');
    await assert.rejects(iam.accessKeys.create('erin'), /An access key named erin already exists/);
  });
});

describe('IAM roles and inline policies', () => {
  it('creates roles with a checked trust policy', async () => {
    const iam = await open(fresh());
    const role = await iam.createRole({
      RoleName: 'worker',
      AssumeRolePolicyDocument: TRUST,
      Path: '/service/',
      Description: 'runs jobs',
    });
    assert.match(role.id, /^AROA[A-Z2-7]{17}$/);
    assert.equal(role.arn, `arn:aws:iam::${ACCOUNT}:role/service/worker`);
    assert.equal(role.maxSessionDuration, 3600);
    assert.equal(iam.getRole({ RoleName: 'WORKER' }).assumeRolePolicyDocument, TRUST);
    await rejects(
      iam.createRole({ RoleName: 'Worker', AssumeRolePolicyDocument: TRUST }),
      'EntityAlreadyExists',
      'Role with name Worker already exists.',
    );
    await rejects(
      () => iam.getRole({ RoleName: 'none' }),
      'NoSuchEntity',
      'The role with name none cannot be found.',
    );
    const bad = (statement: Record<string, unknown>) =>
      iam.createRole({
        RoleName: 'r',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      });
    const service = { Service: 'lambda.amazonaws.com' };
    await rejects(
      bad({ Effect: 'Allow', Principal: service, Action: 'sts:AssumeRole', Resource: '*' }),
      'MalformedPolicyDocument',
      'Has prohibited field Resource.',
    );
    await rejects(
      bad({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'MalformedPolicyDocument',
      'Missing required field Principal',
    );
    await rejects(
      bad({ Effect: 'Allow', Principal: service, Action: 'sqs:SendMessage' }),
      'MalformedPolicyDocument',
      /^Trust Policy statement actions can only be/,
    );
    await rejects(
      iam.createRole({ RoleName: 'r', AssumeRolePolicyDocument: '{' }),
      'MalformedPolicyDocument',
      'Syntax errors in policy.',
    );
    await rejects(
      iam.createRole({ RoleName: 'r', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '60' }),
      'ValidationError',
      /greater than or equal to 3600/,
    );
    const other = TRUST.replace('lambda', 'states');
    await iam.updateAssumeRolePolicy({ RoleName: 'worker', PolicyDocument: other });
    assert.equal(iam.role('worker')?.assumeRolePolicyDocument, other);
    assert.deepEqual(
      iam.listRoles({ PathPrefix: '/service/' }).items.map((r) => r.name),
      ['worker'],
    );
  });

  it('stores inline policies and hands out one array per holder until it changes', async () => {
    const iam = await open(fresh());
    const role = await iam.createRole({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST });
    const principal = { kind: 'role' as const, role };
    const before = iam.policiesOf(principal);
    assert.deepEqual(before, []);
    await iam.putPolicy('role', { RoleName: 'worker', PolicyName: 'send', PolicyDocument: ALLOW_SQS });
    const after = iam.policiesOf(principal);
    assert.deepEqual(after, [ALLOW_SQS]);
    assert.equal(iam.policiesOf(principal), after, 'the same array while nothing changes');
    assert.equal(iam.getPolicy('role', { RoleName: 'worker', PolicyName: 'SEND' }).name, 'send');
    assert.deepEqual(iam.listPolicyNames('role', { RoleName: 'worker' }).items, ['send']);
    await rejects(
      iam.deleteRole({ RoleName: 'worker' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await rejects(
      () => iam.getPolicy('role', { RoleName: 'worker', PolicyName: 'x' }),
      'NoSuchEntity',
      'The role policy with name x cannot be found.',
    );
    await rejects(
      iam.deletePolicy('user', { UserName: 'nobody', PolicyName: 'x' }),
      'NoSuchEntity',
      'The user with name nobody cannot be found.',
    );
    await iam.deletePolicy('role', { RoleName: 'worker', PolicyName: 'send' });
    assert.deepEqual(iam.policiesOf(principal), []);
    await iam.deleteRole({ RoleName: 'worker' });
    assert.deepEqual(iam.policiesOf({ kind: 'root' }), []);
  });

  it("checks policies with the policy engine and IAM's size quotas", async () => {
    const iam = await open(fresh());
    await iam.createUser({ UserName: 'alice' });
    const put = (PolicyName: string, PolicyDocument: string) =>
      iam.putPolicy('user', { UserName: 'alice', PolicyName, PolicyDocument });
    const withPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' }],
    });
    await rejects(
      put('p', withPrincipal),
      'MalformedPolicyDocument',
      'Policy document should not specify a principal.',
    );
    await rejects(put('p', 'not json'), 'MalformedPolicyDocument', 'Syntax errors in policy.');
    const big = (n: number) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:${'q'.repeat(n)}`,
          },
        ],
      });
    await put('one', big(900));
    await put('one', big(1000)); // replaces: only the new size counts
    await rejects(
      put('two', big(1000)),
      'LimitExceeded',
      'Maximum policy size of 2048 bytes exceeded for user alice',
    );
  });

  it('keeps everything across a restart (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-iam-restart-'));
    const first = storageKinds.sqlite(dir);
    const iam = await open(first);
    await iam.createUser({ UserName: 'alice' });
    const key = await iam.createAccessKey({ UserName: 'alice' }, ROOT.accessKeyId);
    await iam.updateAccessKey(
      { UserName: 'alice', AccessKeyId: key.accessKeyId, Status: 'Inactive' },
      ROOT.accessKeyId,
    );
    await iam.putPolicy('user', { UserName: 'alice', PolicyName: 'send', PolicyDocument: ALLOW_SQS });
    await iam.createRole({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST });
    first.close();
    const again = await open(storageKinds.sqlite(dir));
    assert.deepEqual(again.user('alice'), iam.user('alice'));
    assert.deepEqual(again.role('worker'), iam.role('worker'));
    assert.deepEqual(again.policiesOf({ kind: 'user', user: again.user('alice')! }), [ALLOW_SQS]);
    assert.equal(again.accessKeys.secretFor(key.accessKeyId), undefined, 'still inactive');
    assert.equal(again.listAccessKeys({ UserName: 'alice' }, ROOT.accessKeyId).items.length, 1);
  });
});
