// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` and the like are IAM policy variables, written in plain strings on purpose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, evaluate } from '../../../src/governance/policy/index.ts';
import { ACCOUNT, alice, bob, everything, identity, queue, type Row, runTable, session } from './fixtures.ts';

/**
 * AWS's documented examples of the policy elements, each row a request and the decision AWS
 * describes for it. Sources (IAM User Guide):
 * - reference_policies_elements_notaction.html
 * - reference_policies_elements_notresource.html
 * - reference_policies_variables.html (home directories, queues named after the user, defaults)
 */

const allButIam = identity('all-but-iam', {
  Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
});
const s3ButDeleteBucket = identity('s3-but-delete-bucket', {
  Statement: { Effect: 'Allow', NotAction: 's3:DeleteBucket', Resource: 'arn:aws:s3:::*' },
});
const denyWithoutMfa = identity('deny-without-mfa', {
  Statement: {
    Sid: 'DenyAllUsersNotUsingMFA',
    Effect: 'Deny',
    NotAction: 'iam:*',
    Resource: '*',
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  },
});
const payroll = identity('hr-payroll', {
  Statement: {
    Effect: 'Deny',
    Action: 's3:*',
    NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'],
  },
});
const homeDirectory = identity('home-directory', {
  Statement: [
    {
      Action: ['s3:ListBucket'],
      Effect: 'Allow',
      Resource: ['arn:aws:s3:::mybucket'],
      Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } },
    },
    {
      Action: ['s3:GetObject', 's3:PutObject'],
      Effect: 'Allow',
      Resource: ['arn:aws:s3:::mybucket/${aws:username}/*'],
    },
  ],
});
const ownQueues = identity('own-queues', {
  Statement: [
    { Sid: 'ListForConsole', Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
    {
      Sid: 'AllQueueActions',
      Effect: 'Allow',
      Action: 'sqs:*',
      Resource: 'arn:aws:sqs:us-east-2:*:${aws:username}-queue',
    },
  ],
});
const byUserId = identity('by-user-id', {
  Statement: {
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}/*",
  },
});
const oldVersion = compilePolicy(
  {
    Version: '2008-10-17',
    Statement: {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::mybucket/${aws:username}/*',
    },
  },
  { kind: 'identity', name: 'old' },
);

const TABLE: Row[] = [
  // reference_policies_elements_notaction.html
  {
    name: 'NotAction iam:* with Allow: every other service is allowed',
    request: { principal: alice, action: 'sqs:SendMessage', resource: queue, identityPolicies: [allButIam] },
    decision: 'Allow',
  },
  {
    name: 'NotAction iam:* with Allow: IAM is not',
    request: { principal: alice, action: 'iam:CreateUser', resource: '*', identityPolicies: [allButIam] },
    decision: 'ImplicitDeny',
  },
  {
    name: 'NotAction s3:DeleteBucket on arn:aws:s3:::*: other S3 actions on S3 resources are allowed',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      identityPolicies: [s3ButDeleteBucket],
    },
    decision: 'Allow',
  },
  {
    name: 'NotAction s3:DeleteBucket: deleting a bucket is not',
    request: {
      principal: alice,
      action: 's3:DeleteBucket',
      resource: 'arn:aws:s3:::b',
      identityPolicies: [s3ButDeleteBucket],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'NotAction with a Resource scope: other services do not apply to S3 resources',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [s3ButDeleteBucket],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'DenyAllUsersNotUsingMFA: no MFA key, non-IAM actions denied (BoolIfExists)',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything, denyWithoutMfa],
    },
    decision: 'ExplicitDeny',
    sid: 'DenyAllUsersNotUsingMFA',
  },
  {
    name: 'DenyAllUsersNotUsingMFA: IAM actions are not denied',
    request: {
      principal: alice,
      action: 'iam:ListUsers',
      resource: '*',
      identityPolicies: [everything, denyWithoutMfa],
    },
    decision: 'Allow',
  },
  {
    name: 'DenyAllUsersNotUsingMFA: signed in with MFA, nothing denied',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      context: { 'aws:MultiFactorAuthPresent': true },
      identityPolicies: [everything, denyWithoutMfa],
    },
    decision: 'Allow',
  },
  // reference_policies_elements_notresource.html
  {
    name: 'HRPayroll: the Payroll folder is not denied',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::HRBucket/Payroll/june.csv',
      identityPolicies: [everything, payroll],
    },
    decision: 'Allow',
  },
  {
    name: 'HRPayroll: any other S3 resource is denied',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::HRBucket/Marketing/plan.doc',
      identityPolicies: [everything, payroll],
    },
    decision: 'ExplicitDeny',
  },
  {
    name: 'HRPayroll: resources are case-sensitive (payroll is not Payroll)',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::HRBucket/payroll/june.csv',
      identityPolicies: [everything, payroll],
    },
    decision: 'ExplicitDeny',
  },
  {
    name: 'HRPayroll: denies only S3 actions',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything, payroll],
    },
    decision: 'Allow',
  },
  // reference_policies_variables.html
  {
    name: '${aws:username}: alice reaches her home directory',
    request: {
      principal: alice,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::mybucket/alice/a.txt',
      identityPolicies: [homeDirectory],
    },
    decision: 'Allow',
  },
  {
    name: "${aws:username}: not bob's",
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::mybucket/bob/a.txt',
      identityPolicies: [homeDirectory],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: '${aws:username} in a condition: listing her own prefix',
    request: {
      principal: alice,
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::mybucket',
      context: { 's3:prefix': 'alice/docs' },
      identityPolicies: [homeDirectory],
    },
    decision: 'Allow',
  },
  {
    name: "${aws:username} in a condition: not bob's prefix",
    request: {
      principal: alice,
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::mybucket',
      context: { 's3:prefix': 'bob/' },
      identityPolicies: [homeDirectory],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'a role session has no aws:username: the statement does not apply',
    request: {
      principal: session,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::mybucket/fn-1/a',
      identityPolicies: [homeDirectory],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'queues named after the user, in us-east-2',
    request: {
      principal: alice,
      action: 'sqs:CreateQueue',
      resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:alice-queue`,
      identityPolicies: [ownQueues],
    },
    decision: 'Allow',
    sid: 'AllQueueActions',
  },
  {
    name: 'queues named after the user: not in another region',
    request: {
      principal: alice,
      action: 'sqs:CreateQueue',
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:alice-queue`,
      identityPolicies: [ownQueues],
    },
    decision: 'ImplicitDeny',
  },
  {
    name: '${aws:userid}: the user id fills the variable',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::bucket/AIDAALICE/x',
      identityPolicies: [byUserId],
    },
    decision: 'Allow',
  },
  {
    name: "${aws:userid, 'anonymous'}: the default stands in for an absent key",
    request: {
      principal: bob,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::bucket/anonymous/x',
      identityPolicies: [byUserId],
    },
    decision: 'Allow',
  },
  {
    name: '2008-10-17 documents read ${…} literally',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::mybucket/${aws:username}/x',
      identityPolicies: [oldVersion],
    },
    decision: 'Allow',
  },
  {
    name: '2008-10-17 documents do not substitute',
    request: {
      principal: alice,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::mybucket/alice/x',
      identityPolicies: [oldVersion],
    },
    decision: 'ImplicitDeny',
  },
];

describe('policy elements: AWS documented examples', () => {
  runTable(TABLE);

  it('derives the principal keys: a caller cannot pass its own aws:username', () => {
    const d = evaluate({
      principal: bob,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::mybucket/alice/x',
      context: { 'aws:username': 'alice' },
      identityPolicies: [homeDirectory],
    });
    assert.equal(d.decision, 'ImplicitDeny');
  });
});
