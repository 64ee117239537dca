import { describe } from 'node:test';
import { servicePrincipal } from '../../../src/governance/policy/index.ts';
import {
  ACCOUNT,
  alice,
  bob,
  carlos,
  carlosPolicy,
  everything,
  identity,
  queue,
  queueFor,
  type Row,
  reports,
  resourcePolicy,
  root,
  runTable,
  session,
} from './fixtures.ts';

/**
 * AWS's documented examples of the evaluation logic within one account, each row a request and
 * the decision AWS describes for it. Sources (IAM User Guide):
 * - reference_policies_evaluation-logic.html: Carlos and his buckets; explicit and implicit
 *   denies; resource-based policies and principal types within one account; the root user
 * - reference_policies_elements_condition_operators.html#Conditions_ARN: the SNS-to-SQS queue policy
 * The policy elements' own examples (NotAction, NotResource, variables) are in `elements.test.ts`.
 */

const carlosBucket = resourcePolicy('bucket:carlossalazar', {
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carlossalazar` },
      Action: 's3:*',
      Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
    },
  ],
});
const grantsReports = identity('grants-reports', {
  Statement: { Effect: 'Allow', Action: 'iam:GenerateCredentialReport', Resource: '*' },
});
const snsToQueue = resourcePolicy('queue:q', {
  Statement: {
    Effect: 'Allow',
    Principal: { AWS: ACCOUNT },
    Action: 'SQS:SendMessage',
    Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
    Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:topic` } },
  },
});

const TABLE: Row[] = [
  // reference_policies_evaluation-logic.html#policies_evaluation_example
  {
    name: 'Carlos saves to carlossalazar-logs: DenyS3Logs wins over both Allows',
    request: {
      principal: carlos,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::carlossalazar-logs/file',
      identityPolicies: [carlosPolicy],
      resourcePolicy: carlosBucket,
    },
    decision: 'ExplicitDeny',
    sid: 'DenyS3Logs',
  },
  {
    name: 'Carlos saves to carlossalazar: both policies allow',
    request: {
      principal: carlos,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::carlossalazar/file',
      identityPolicies: [carlosPolicy],
      resourcePolicy: carlosBucket,
    },
    decision: 'Allow',
    sid: 'AllowS3Self',
  },
  {
    name: 'one of the two allowing is enough: the bucket policy alone',
    request: {
      principal: carlos,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::carlossalazar/file',
      identityPolicies: [],
      resourcePolicy: carlosBucket,
    },
    decision: 'Allow',
  },
  {
    name: 'AllowS3ListRead: listing buckets (arn:aws:s3:::* covers every bucket)',
    request: {
      principal: carlos,
      action: 's3:ListAllMyBuckets',
      resource: 'arn:aws:s3:::any',
      identityPolicies: [carlosPolicy],
    },
    decision: 'Allow',
    sid: 'AllowS3ListRead',
  },
  // reference_policies_evaluation-logic.html#AccessPolicyLanguage_Interplay
  {
    name: 'AllowGetList allows iam:GetUser',
    request: { principal: alice, action: 'iam:GetUser', resource: '*', identityPolicies: [reports] },
    decision: 'Allow',
    sid: 'AllowGetList',
  },
  {
    name: 'iam:CreatePolicy is implicitly denied',
    request: { principal: alice, action: 'iam:CreatePolicy', resource: '*', identityPolicies: [reports] },
    decision: 'ImplicitDeny',
  },
  {
    name: 'DenyReports explicitly denies iam:GetOrganizationsAccessReport',
    request: {
      principal: alice,
      action: 'iam:GetOrganizationsAccessReport',
      resource: '*',
      identityPolicies: [reports],
    },
    decision: 'ExplicitDeny',
    sid: 'DenyReports',
  },
  {
    name: 'another policy granting iam:GenerateCredentialReport cannot beat DenyReports',
    request: {
      principal: alice,
      action: 'iam:GenerateCredentialReport',
      resource: '*',
      identityPolicies: [grantsReports, reports],
    },
    decision: 'ExplicitDeny',
    sid: 'DenyReports',
  },
  {
    name: 'actions compare without regard to case',
    request: { principal: alice, action: 'IAM:getuser', resource: '*', identityPolicies: [reports] },
    decision: 'Allow',
  },
  // Resource-based policies within one account (reference_policies_evaluation-logic.html, step 3)
  {
    name: 'a queue policy naming the user grants without any identity policy',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: alice.arn }),
    },
    decision: 'Allow',
    sid: 'Q',
  },
  {
    name: 'a queue policy naming another user grants nothing',
    request: {
      principal: bob,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: alice.arn }),
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'a queue policy naming the role grants to its sessions',
    request: {
      principal: session,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: `arn:aws:iam::${ACCOUNT}:role/worker` }),
    },
    decision: 'Allow',
  },
  {
    name: 'a queue policy naming the session grants to it',
    request: {
      principal: session,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: session.arn }),
    },
    decision: 'Allow',
  },
  {
    name: 'a queue policy naming the account delegates: a user still needs an identity Allow',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: ACCOUNT }),
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'a queue policy naming the account by its root ARN delegates the same way',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'Principal "*" grants to anyone',
    request: {
      principal: bob,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor('*'),
    },
    decision: 'Allow',
  },
  {
    name: 'a Deny in the queue policy beats an identity Allow',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything],
      resourcePolicy: queueFor('*', 'Deny'),
    },
    decision: 'ExplicitDeny',
    sid: 'Q',
  },
  {
    name: 'a Deny naming the account binds its users',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything],
      resourcePolicy: queueFor({ AWS: ACCOUNT }, 'Deny'),
    },
    decision: 'ExplicitDeny',
  },
  {
    name: 'NotPrincipal: a Deny for everyone but alice spares alice',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything],
      resourcePolicy: resourcePolicy('queue:q', {
        Statement: { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'sqs:*', Resource: queue },
      }),
    },
    decision: 'Allow',
  },
  {
    name: 'NotPrincipal: and denies bob',
    request: {
      principal: bob,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [everything],
      resourcePolicy: resourcePolicy('queue:q', {
        Statement: { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'sqs:*', Resource: queue },
      }),
    },
    decision: 'ExplicitDeny',
  },
  // The SNS-to-SQS queue policy (reference_policies_elements_condition_operators.html#Conditions_ARN)
  {
    name: 'SNS delivering for the named topic may send',
    request: {
      principal: servicePrincipal('sns.amazonaws.com', ACCOUNT),
      action: 'sqs:SendMessage',
      resource: queue,
      context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:topic` },
      identityPolicies: [],
      resourcePolicy: snsToQueue,
    },
    decision: 'Allow',
  },
  {
    name: 'SNS delivering for another topic may not',
    request: {
      principal: servicePrincipal('sns.amazonaws.com', ACCOUNT),
      action: 'sqs:SendMessage',
      resource: queue,
      context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:other` },
      identityPolicies: [],
      resourcePolicy: snsToQueue,
    },
    decision: 'ImplicitDeny',
  },
  {
    name: 'a user calling directly has no aws:SourceArn: the condition fails',
    request: {
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: snsToQueue,
    },
    decision: 'ImplicitDeny',
  },
  {
    name: '{"Service": …} names a service principal',
    request: {
      principal: servicePrincipal('events.amazonaws.com', ACCOUNT),
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ Service: 'events.amazonaws.com' }),
    },
    decision: 'Allow',
  },
  {
    name: '{"Service": …} does not name another service',
    request: {
      principal: servicePrincipal('sns.amazonaws.com', ACCOUNT),
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor({ Service: 'events.amazonaws.com' }),
    },
    decision: 'ImplicitDeny',
  },
  // The root user (reference_policies_evaluation-logic.html#policy-eval-denyallow)
  {
    name: 'root is allowed with no policy at all',
    request: {
      principal: root,
      action: 'lambda:DeleteFunction',
      resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
      identityPolicies: [],
    },
    decision: 'Allow',
  },
  {
    name: 'identity policies are not consulted for root',
    request: {
      principal: root,
      action: 'iam:GetOrganizationsAccessReport',
      resource: '*',
      identityPolicies: [reports],
    },
    decision: 'Allow',
  },
  {
    name: 'a resource-based Deny binds root too',
    request: {
      principal: root,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor('*', 'Deny'),
    },
    decision: 'ExplicitDeny',
  },
  {
    name: 'isRoot overrides the principal type',
    request: {
      principal: alice,
      isRoot: true,
      action: 'iam:CreateUser',
      resource: '*',
      identityPolicies: [],
    },
    decision: 'Allow',
  },
  {
    name: 'no policy: everyone else is implicitly denied',
    request: {
      principal: session,
      action: 'lambda:InvokeFunction',
      resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
      identityPolicies: [],
    },
    decision: 'ImplicitDeny',
  },
];

describe('policy evaluation: AWS documented examples', () => runTable(TABLE));
