// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` is an IAM policy variable, written in a plain string on purpose.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const SEND = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs` },
  ],
});

/** A user's rights over itself: `${aws:username}` is the caller's name. */
const SELF = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['iam:GetUser', 'iam:ListAccessKeys'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
  ],
});

/** Asserts that a call fails with the SDK's error class name, HTTP status and (optionally) message. */
async function fails(p: Promise<unknown>, name: string, status: number, message?: string | RegExp) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('IAM with @aws-sdk/client-iam (awsQuery) against a real baton up', () => {
  let s: ServerProcess;
  let iam: IAMClient;
  const clientAs = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new IAMClient({ endpoint: s.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 });

  before(async () => {
    s = await startServerProcess();
    iam = clientAs(s.credentials);
  });
  after(async () => {
    iam.destroy();
    await s.stop();
  });

  it('creates, gets, lists and deletes users', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/' }));
    assert.equal(User?.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/alice`);
    assert.match(User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.ok(User?.CreateDate instanceof Date);
    const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    assert.deepEqual(got.User, User);
    await fails(
      iam.send(new CreateUserCommand({ UserName: 'ALICE' })),
      'EntityAlreadyExistsException',
      409,
      'User with name ALICE already exists.',
    );
    const listed = await iam.send(new ListUsersCommand({ PathPrefix: '/eng/' }));
    assert.deepEqual(
      listed.Users?.map((u) => u.UserName),
      ['alice'],
    );
    assert.equal(listed.IsTruncated, false);
    const root = await iam.send(new GetUserCommand({}));
    assert.equal(root.User?.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
    await fails(
      iam.send(new GetUserCommand({ UserName: 'alice' })),
      'NoSuchEntityException',
      404,
      'The user with name alice cannot be found.',
    );
    await fails(
      iam.send(new CreateUserCommand({ UserName: 'no spaces' })),
      'ValidationError',
      400,
      /userName/,
    );
  });

  it('issues access keys that sign at once, stop when inactive, and count two per user', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    assert.equal(AccessKey?.Status, 'Active');
    const bob = clientAs({
      accessKeyId: AccessKey!.AccessKeyId!,
      secretAccessKey: AccessKey!.SecretAccessKey!,
    });
    try {
      await fails(
        bob.send(new GetUserCommand({})),
        'AccessDenied',
        403,
        `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/bob because no identity-based policy allows the iam:GetUser action`,
      );
      await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'self', PolicyDocument: SELF }));
      assert.equal(
        (await bob.send(new GetUserCommand({}))).User?.UserName,
        'bob',
        'GetUser names the caller',
      );
      const mine = await bob.send(new ListAccessKeysCommand({}));
      assert.deepEqual(
        mine.AccessKeyMetadata?.map((k) => [k.UserName, k.AccessKeyId, k.Status]),
        [['bob', AccessKey!.AccessKeyId, 'Active']],
      );
      await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
      await fails(
        iam.send(new CreateAccessKeyCommand({ UserName: 'bob' })),
        'LimitExceededException',
        409,
        'Cannot exceed quota for AccessKeysPerUser: 2',
      );
      await iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'bob',
          AccessKeyId: AccessKey!.AccessKeyId!,
          Status: 'Inactive',
        }),
      );
      await fails(bob.send(new GetUserCommand({})), 'InvalidClientTokenId', 403);
      await fails(
        iam.send(new DeleteUserCommand({ UserName: 'bob' })),
        'DeleteConflictException',
        409,
        'Cannot delete entity, must delete access keys first.',
      );
      const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }));
      for (const k of keys.AccessKeyMetadata ?? [])
        await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: k.AccessKeyId! }));
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'bob', PolicyName: 'self' }));
      await iam.send(new DeleteUserCommand({ UserName: 'bob' }));
    } finally {
      bob.destroy();
    }
  });

  it('creates roles and answers their trust policy URL-encoded, as IAM does', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'worker',
        AssumeRolePolicyDocument: TRUST,
        Description: 'runs jobs',
      }),
    );
    assert.equal(Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/worker`);
    assert.match(Role?.RoleId ?? '', /^AROA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'worker' }));
    assert.match(got.Role?.AssumeRolePolicyDocument ?? '', /^%7B%22Version%22%3A/);
    assert.equal(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!), TRUST);
    assert.equal(got.Role?.Description, 'runs jobs');
    assert.equal(got.Role?.MaxSessionDuration, 3600);
    const other = TRUST.replace('lambda', 'states');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'worker', PolicyDocument: other }));
    const listed = await iam.send(new ListRolesCommand({}));
    assert.deepEqual(
      listed.Roles?.map((r) => [r.RoleName, decodeURIComponent(r.AssumeRolePolicyDocument!)]),
      [['worker', other]],
    );
    await fails(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'bad',
          AssumeRolePolicyDocument: TRUST.replace('"Action"', '"Resource":"*","Action"'),
        }),
      ),
      'MalformedPolicyDocumentException',
      400,
      'Has prohibited field Resource.',
    );
    await fails(
      iam.send(new GetRoleCommand({ RoleName: 'nobody' })),
      'NoSuchEntityException',
      404,
      'The role with name nobody cannot be found.',
    );
  });

  it("puts, gets, lists and deletes a role's and a user's inline policies", async () => {
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'send', PolicyDocument: SEND }),
    );
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'send' }));
    assert.equal(got.RoleName, 'worker');
    assert.equal(got.PolicyName, 'send');
    assert.equal(decodeURIComponent(got.PolicyDocument!), SEND);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'worker' }))).PolicyNames, [
      'send',
    ]);
    await fails(
      iam.send(new DeleteRoleCommand({ RoleName: 'worker' })),
      'DeleteConflictException',
      409,
      'Cannot delete entity, must delete policies first.',
    );
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'send' }));
    await fails(
      iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'send' })),
      'NoSuchEntityException',
      404,
      'The role policy with name send cannot be found.',
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));

    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await fails(
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'carol',
          PolicyName: 'bad',
          PolicyDocument: SEND.replace('"Effect"', '"Principal":"*","Effect"'),
        }),
      ),
      'MalformedPolicyDocumentException',
      400,
      'Policy document should not specify a principal.',
    );
    await iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'send', PolicyDocument: SEND }));
    const doc = await iam.send(new GetUserPolicyCommand({ UserName: 'carol', PolicyName: 'send' }));
    assert.equal(decodeURIComponent(doc.PolicyDocument!), SEND);
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'carol' }))).PolicyNames, [
      'send',
    ]);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'carol', PolicyName: 'send' }));
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
  });

  it('leaves SNS its own Action= forms, and answers an unknown action in XML', async () => {
    const sns = new SNSClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'still-sns' }));
      assert.equal(TopicArn, `arn:aws:sns:us-east-1:${ACCOUNT}:still-sns`);
    } finally {
      sns.destroy();
    }
    const url = new URL(`${s.controlUrl}/`);
    const body = 'Action=CreateGroup&Version=2010-05-08&GroupName=g';
    const headers = signRequest(
      'POST',
      url,
      { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      s.credentials,
      { region: 'us-east-1', service: 'iam', now: Date.now() },
    );
    delete headers.host;
    const res = await fetch(url, { method: 'POST', headers, body });
    assert.equal(res.status, 400);
    const xml = await res.text();
    assert.match(
      xml,
      /^<\?xml version="1\.0"\?><ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/,
    );
    assert.match(
      xml,
      /<Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation CreateGroup/,
    );
  });
});
