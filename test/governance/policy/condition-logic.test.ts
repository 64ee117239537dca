// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` and the like are IAM policy variables, written in plain strings on purpose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compilePolicy,
  evaluate,
  type RequestContext,
  roleSessionPrincipal,
} from '../../../src/governance/policy/index.ts';
import { alice, type ConditionRow, runConditions } from './fixtures.ts';

/**
 * How conditions combine, row by row (a Condition block, a request context, whether it holds):
 * - AND across operators and keys, OR across values, NOR under negated operators
 *   (reference_policies_condition-logic-multiple-context-keys-or-values.html)
 * - ...IfExists and Null (reference_policies_elements_condition_operators.html)
 * - ForAllValues / ForAnyValue, with empty and absent sets (reference_policies_multi-value-conditions.html,
 *   reference_policies_condition_examples-multi-valued-context-keys.html)
 * - the principal keys derived from the caller (reference_policies_variables.html#principaltable)
 */

const TABLE: ConditionRow[] = [
  // AND and OR
  {
    name: 'several keys under one operator are ANDed: both match',
    condition: {
      StringEquals: {
        'aws:PrincipalTag/department': ['finance', 'hr', 'legal'],
        'aws:PrincipalTag/role': ['audit', 'security'],
      },
    },
    context: { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'security' },
    holds: true,
  },
  {
    name: 'several keys under one operator are ANDed: one key missing',
    condition: {
      StringEquals: {
        'aws:PrincipalTag/department': ['finance', 'hr', 'legal'],
        'aws:PrincipalTag/role': ['audit', 'security'],
      },
    },
    context: { 'aws:PrincipalTag/department': 'hr' },
    holds: false,
  },
  {
    name: 'several operators are ANDed: StringEquals and ArnLike',
    condition: {
      StringEquals: { 'aws:PrincipalTag/department': 'finance' },
      ArnLike: {
        'aws:PrincipalArn': ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/*'],
      },
    },
    context: { 'aws:PrincipalTag/department': 'finance' },
    holds: true,
  },
  {
    name: 'several operators are ANDed: the ARN does not match',
    condition: {
      StringEquals: { 'aws:PrincipalTag/department': 'finance' },
      ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/*'] },
    },
    context: { 'aws:PrincipalTag/department': 'finance' },
    holds: false,
  },
  // IfExists
  {
    name: 'StringLikeIfExists: an absent key passes',
    condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } },
    context: {},
    holds: true,
  },
  {
    name: 'StringLikeIfExists: a present key is tested',
    condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } },
    context: { 'ec2:InstanceType': 't2.micro' },
    holds: true,
  },
  {
    name: 'StringLikeIfExists: a present key that fails',
    condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } },
    context: { 'ec2:InstanceType': 'c5.large' },
    holds: false,
  },
  {
    name: 'StringLike without IfExists: the absent key fails (THISPOLICYDOESNOTWORK)',
    condition: { StringLike: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } },
    context: {},
    holds: false,
  },
  {
    name: 'StringNotEqualsIfExists: an absent key passes',
    condition: { StringNotEqualsIfExists: { 'aws:ResourceTag/environment': 'production' } },
    context: {},
    holds: true,
  },
  // Null
  {
    name: 'Null true: the key is absent (long-term credentials)',
    condition: { Null: { 'aws:TokenIssueTime': 'true' } },
    context: {},
    holds: true,
  },
  {
    name: 'Null true: the key is present (temporary credentials)',
    condition: { Null: { 'aws:TokenIssueTime': 'true' } },
    context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' },
    holds: false,
  },
  {
    name: 'Null false: the key is present',
    condition: { Null: { 'aws:TokenIssueTime': 'false' } },
    context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' },
    holds: true,
  },
  {
    name: 'Null true: an empty list counts as absent',
    condition: { Null: { 'aws:TagKeys': 'true' } },
    context: { 'aws:TagKeys': [] },
    holds: true,
  },
  // Set qualifiers: reference_policies_multi-value-conditions.html
  {
    name: 'ForAllValues:StringLike: every requested attribute is listed',
    condition: {
      'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] },
    },
    context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message'] },
    holds: true,
  },
  {
    name: 'ForAllValues:StringLike: UserName is not listed',
    condition: {
      'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] },
    },
    context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] },
    holds: false,
  },
  {
    name: 'ForAllValues: an empty set is true',
    condition: {
      'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] },
    },
    context: { 'dynamodb:requestedAttributes': [] },
    holds: true,
  },
  {
    name: 'ForAllValues: an absent key is true',
    condition: {
      'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] },
    },
    context: {},
    holds: true,
  },
  {
    name: 'ForAllValues with Null false: the absent key no longer passes',
    condition: {
      Null: { 'aws:TagKeys': 'false' },
      'ForAllValues:StringLike': { 'aws:TagKeys': ['key1*', 'key2*', 'key3*'] },
    },
    context: {},
    holds: false,
  },
  {
    name: 'ForAnyValue:StringLike: PostDateTime is among the requested attributes',
    condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } },
    context: { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] },
    holds: true,
  },
  {
    name: 'ForAnyValue:StringLike: UserName alone matches none',
    condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } },
    context: { 'dynamodb:requestedAttributes': ['UserName'] },
    holds: false,
  },
  {
    name: 'ForAnyValue: an empty set is false',
    condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } },
    context: { 'dynamodb:requestedAttributes': [] },
    holds: false,
  },
  {
    name: 'ForAnyValue: an absent key is false',
    condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } },
    context: {},
    holds: false,
  },
  {
    name: 'ForAnyValue...IfExists: an absent key is true',
    condition: { 'ForAnyValue:StringLikeIfExists': { 'dynamodb:requestedAttributes': ['ID'] } },
    context: {},
    holds: true,
  },
  {
    name: 'ForAnyValue: a single-valued key is a set of one',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment', 'webserver'] } },
    context: { 'aws:TagKeys': 'webserver' },
    holds: true,
  },
  // reference_policies_condition_examples-multi-valued-context-keys.html: DenyRestrictedTags
  {
    name: 'ForAllValues:StringNotLike key1*: key1:legal does not match',
    condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } },
    context: { 'aws:TagKeys': ['key1:legal'] },
    holds: false,
  },
  {
    name: 'ForAllValues:StringNotLike key1*: key1:hr and key1:personnel do not match',
    condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } },
    context: { 'aws:TagKeys': ['key1:hr', 'key1:personnel'] },
    holds: false,
  },
  {
    name: 'ForAllValues:StringNotLike key1*: key2:audit matches',
    condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } },
    context: { 'aws:TagKeys': ['key2:audit'] },
    holds: true,
  },
  {
    name: 'ForAllValues:StringNotLike key1*: no aws:TagKeys matches',
    condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } },
    context: {},
    holds: true,
  },
  {
    name: 'ForAnyValue:StringNotEquals: the key must exist',
    condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } },
    context: {},
    holds: false,
  },
  {
    name: 'ForAnyValue:StringNotEquals: every value is listed',
    condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } },
    context: { 'aws:TagKeys': ['DataClass', 'Owner'] },
    holds: false,
  },
  {
    name: 'ForAnyValue:StringNotEquals: one value is not listed',
    condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } },
    context: { 'aws:TagKeys': ['DataClass', 'Project'] },
    holds: true,
  },
  {
    name: 'a multivalued key under a plain negated operator: no value may match',
    condition: { StringNotEquals: { 'aws:TagKeys': ['secret'] } },
    context: { 'aws:TagKeys': ['public', 'secret'] },
    holds: false,
  },
  {
    name: 'a multivalued key under a plain positive operator: one value matching is enough',
    condition: { StringEquals: { 'aws:TagKeys': ['secret'] } },
    context: { 'aws:TagKeys': ['public', 'secret'] },
    holds: true,
  },
  // Principal keys derived from the caller
  {
    name: 'aws:PrincipalType of an IAM user',
    condition: {
      StringEquals: {
        'aws:PrincipalType': 'User',
        'aws:username': 'alice',
        'aws:PrincipalAccount': '123456789012',
      },
    },
    context: {},
    holds: true,
  },
  {
    name: '${aws:PrincipalArn} as a variable: a tag naming the caller’s role',
    condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalArn}' } },
    context: { 'aws:ResourceTag/owner': 'arn:aws:iam::123456789012:role/worker' },
    principal: roleSessionPrincipal('123456789012', 'worker', 'fn-1'),
    holds: true,
  },
  {
    name: '${aws:PrincipalArn} as a variable: another role',
    condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalArn}' } },
    context: { 'aws:ResourceTag/owner': 'arn:aws:iam::123456789012:role/other' },
    principal: roleSessionPrincipal('123456789012', 'worker', 'fn-1'),
    holds: false,
  },
  {
    name: 'aws:PrincipalArn of a role session is the role',
    condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/worker' } },
    context: {},
    principal: roleSessionPrincipal('123456789012', 'worker', 'fn-1', 'AROAX'),
    holds: true,
  },
  {
    name: 'aws:userid of a role session is role-id:session',
    condition: { StringEquals: { 'aws:userid': 'AROAX:fn-1', 'aws:PrincipalType': 'AssumedRole' } },
    context: {},
    principal: roleSessionPrincipal('123456789012', 'worker', 'fn-1', 'AROAX'),
    holds: true,
  },
];

describe('condition logic', () => {
  runConditions(TABLE);

  it('a negated operator in a Deny still denies when the key is missing (StringNotEqualsIfExists aside)', () => {
    const deny = compilePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
          },
        ],
      },
      { kind: 'identity', name: 'p' },
    );
    const at = (context: RequestContext) =>
      evaluate({
        principal: alice,
        action: 'sqs:ListQueues',
        resource: '*',
        context,
        identityPolicies: [deny],
      }).decision;
    assert.equal(at({ 'aws:RequestedRegion': 'us-east-1' }), 'Allow');
    assert.equal(at({ 'aws:RequestedRegion': 'eu-west-1' }), 'ExplicitDeny');
    assert.equal(at({}), 'ExplicitDeny');
  });
});
