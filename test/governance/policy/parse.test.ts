import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkInlinePolicySize,
  checkManagedPolicySize,
  checkTrustPolicySize,
  compilePolicy,
  isPolicyError,
  type PolicyKind,
  parsePolicy,
  policySize,
} from '../../../src/governance/policy/index.ts';

/**
 * Parsing and validation: the texts IAM returns (`MalformedPolicyDocument`) for the common
 * mistakes, as PutUserPolicy answers them (troubleshoot_policies.html; the texts were checked
 * against live IAM by the Versity gateway's IAM suite and CloudFormation reports such as
 * aws-cloudformation/cfn-lint#3751), and the size quotas of reference_iam-quotas.html.
 */

const V = '2012-10-17';
const stmt = (s: Record<string, unknown>) => JSON.stringify({ Version: V, Statement: [s] });
const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

interface Row {
  name: string;
  doc: string;
  message: string;
  kind?: PolicyKind;
}

const SYNTAX = 'Syntax errors in policy.';

const ERRORS: Row[] = [
  { name: 'invalid JSON', doc: '{not valid json', message: SYNTAX },
  { name: 'an empty object', doc: '{}', message: SYNTAX },
  { name: 'a JSON array', doc: '[]', message: SYNTAX },
  {
    name: 'an unknown Version',
    doc: JSON.stringify({ Version: '2020-01-01', Statement: [allow] }),
    message: SYNTAX,
  },
  { name: 'no Statement', doc: JSON.stringify({ Version: V }), message: SYNTAX },
  { name: 'a null Statement', doc: JSON.stringify({ Version: V, Statement: null }), message: SYNTAX },
  { name: 'an empty Statement array', doc: JSON.stringify({ Version: V, Statement: [] }), message: SYNTAX },
  {
    name: 'a Statement that is a string',
    doc: JSON.stringify({ Version: V, Statement: 'hello' }),
    message: SYNTAX,
  },
  {
    name: 'an unknown top-level element',
    doc: JSON.stringify({ Version: V, Statements: [allow] }),
    message: SYNTAX,
  },
  { name: 'a missing Effect', doc: stmt({ Action: 's3:GetObject', Resource: '*' }), message: SYNTAX },
  { name: 'an Effect other than Allow or Deny', doc: stmt({ ...allow, Effect: 'Maybe' }), message: SYNTAX },
  { name: 'a lower-case effect', doc: stmt({ ...allow, Effect: 'allow' }), message: SYNTAX },
  { name: 'an unknown statement element', doc: stmt({ ...allow, Actions: 's3:PutObject' }), message: SYNTAX },
  { name: 'both Action and NotAction', doc: stmt({ ...allow, NotAction: 's3:PutObject' }), message: SYNTAX },
  {
    name: 'both Resource and NotResource',
    doc: stmt({ ...allow, NotResource: 'arn:aws:s3:::b' }),
    message: SYNTAX,
  },
  { name: 'an Action that is a number', doc: stmt({ ...allow, Action: 123 }), message: SYNTAX },
  { name: 'a list holding a number', doc: stmt({ ...allow, Resource: ['*', 1] }), message: SYNTAX },
  {
    name: 'no Action nor NotAction',
    doc: stmt({ Effect: 'Allow', Resource: '*' }),
    message: 'Policy statement must contain actions.',
  },
  {
    name: 'an empty Action list',
    doc: stmt({ ...allow, Action: [] }),
    message: 'Policy statement must contain actions.',
  },
  {
    name: 'no Resource nor NotResource',
    doc: stmt({ Effect: 'Allow', Action: 's3:GetObject' }),
    message: 'Policy statement must contain resources.',
  },
  {
    name: 'an empty Resource list',
    doc: stmt({ ...allow, Resource: [] }),
    message: 'Policy statement must contain resources.',
  },
  {
    name: 'a Principal in an identity-based policy',
    doc: stmt({ ...allow, Principal: '*' }),
    message: 'Policy document should not specify a principal.',
  },
  {
    name: 'a NotPrincipal in an identity-based policy',
    doc: stmt({ ...allow, NotPrincipal: { AWS: '123456789012' } }),
    message: 'Policy document should not specify a principal.',
  },
  {
    name: 'an action without a service',
    doc: stmt({ ...allow, Action: 'GetObject' }),
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'an empty action',
    doc: stmt({ ...allow, Action: '' }),
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'a NotAction without a service',
    doc: stmt({ Effect: 'Allow', NotAction: 'GetObject', Resource: '*' }),
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'an action with two colons',
    doc: stmt({ ...allow, Action: 'sqs:Send:Message' }),
    message: 'Actions/Condition can contain only one colon.',
  },
  { name: 'an empty vendor', doc: stmt({ ...allow, Action: ':GetObject' }), message: 'Vendor  is not valid' },
  {
    name: 'a vendor with a space',
    doc: stmt({ ...allow, Action: 'iam :Get' }),
    message: 'Vendor iam  is not valid',
  },
  {
    name: 'a resource that is not an ARN',
    doc: stmt({ ...allow, Resource: 'invalid' }),
    message: 'Resource invalid must be in ARN format or "*".',
  },
  {
    name: 'a colon but no arn: prefix',
    doc: stmt({ ...allow, Resource: 's3::example-bucket/*' }),
    message: 'Partition "" is not valid for resource "arn::example-bucket/*:*:*:*".',
  },
  {
    name: 'an ARN with too few parts',
    doc: stmt({ ...allow, Resource: 'arn:awss3::example-bucket/*' }),
    message: 'The policy failed legacy parsing',
  },
  {
    name: 'an unknown partition',
    doc: stmt({ ...allow, Resource: 'arn:aws2:s3:::example-bucket/*' }),
    message: 'Partition "aws2" is not valid for resource "arn:aws2:s3:::example-bucket/*".',
  },
  {
    name: 'two statements with one Sid',
    doc: JSON.stringify({
      Version: V,
      Statement: [
        { Sid: 'Dup', ...allow },
        { Sid: 'Dup', ...allow, Action: 's3:PutObject' },
      ],
    }),
    message: 'Statement IDs (SID) in a single policy must be unique.',
  },
  {
    name: 'a Sid with a hyphen in an identity-based policy',
    doc: stmt({ Sid: 'allow-read', ...allow }),
    message:
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  },
  {
    name: 'an unknown condition operator',
    doc: stmt({ ...allow, Condition: { StringEqualz: { 'aws:username': 'a' } } }),
    message: SYNTAX,
  },
  {
    name: 'a condition key right under Condition (no operator)',
    doc: stmt({ ...allow, Condition: { 'servicecatalog:accountLevel': 'self' } }),
    message: SYNTAX,
  },
  {
    name: 'NullIfExists',
    doc: stmt({ ...allow, Condition: { NullIfExists: { 'aws:TokenIssueTime': 'true' } } }),
    message: SYNTAX,
  },
  {
    name: 'a condition key without a service',
    doc: stmt({ ...allow, Condition: { StringEquals: { username: 'a' } } }),
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'an empty list of condition values',
    doc: stmt({ ...allow, Condition: { StringEquals: { 'aws:username': [] } } }),
    message: SYNTAX,
  },
  {
    name: 'an object as a condition value',
    doc: stmt({ ...allow, Condition: { StringEquals: { 'aws:username': {} } } }),
    message: SYNTAX,
  },
  {
    name: 'a number that is not one',
    doc: stmt({ ...allow, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }),
    message: SYNTAX,
  },
  {
    name: 'a date that is not one',
    doc: stmt({ ...allow, Condition: { DateLessThan: { 'aws:CurrentTime': 'soon' } } }),
    message: SYNTAX,
  },
  {
    name: 'an invalid CIDR',
    doc: stmt({ ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }),
    message: SYNTAX,
  },
  {
    name: 'a Null value other than true or false',
    doc: stmt({ ...allow, Condition: { Null: { 'aws:TokenIssueTime': 'yes' } } }),
    message: SYNTAX,
  },
  // Resource-based policies
  {
    name: 'a resource-based statement without a Principal',
    doc: stmt(allow),
    kind: 'resource',
    message: 'Missing required field Principal',
  },
  {
    name: 'both Principal and NotPrincipal',
    doc: stmt({ ...allow, Principal: '*', NotPrincipal: { AWS: '123456789012' } }),
    kind: 'resource',
    message: SYNTAX,
  },
  {
    name: 'a partial wildcard in a principal',
    doc: stmt({ ...allow, Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } }),
    kind: 'resource',
    message: 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"',
  },
  {
    name: 'an AWS principal that is neither an account nor an ARN',
    doc: stmt({ ...allow, Principal: { AWS: 'alice' } }),
    kind: 'resource',
    message: 'Invalid principal in policy: "AWS":"alice"',
  },
  {
    name: 'an unknown principal type',
    doc: stmt({ ...allow, Principal: { User: 'alice' } }),
    kind: 'resource',
    message: 'Invalid principal in policy: "User":"alice"',
  },
];

describe('parsing: MalformedPolicyDocument', () => {
  for (const row of ERRORS) {
    it(row.name, () => {
      assert.throws(
        () => parsePolicy(row.doc, row.kind ?? 'identity'),
        (e: unknown) => isPolicyError(e, 'MalformedPolicyDocument') && e.message === row.message,
        `expected ${JSON.stringify(row.message)}`,
      );
    });
  }

  it('compilePolicy validates the same way', () => {
    assert.throws(() => compilePolicy(stmt({ ...allow, Principal: '*' }), { kind: 'identity', name: 'p' }), {
      code: 'MalformedPolicyDocument',
      message: 'Policy document should not specify a principal.',
    });
  });
});

describe('parsing: what IAM accepts', () => {
  it('takes Statement as one object or a list, and strings or lists everywhere', () => {
    const one = parsePolicy(JSON.stringify({ Version: V, Statement: allow }), 'identity');
    const list = parsePolicy(
      JSON.stringify({ Version: V, Statement: [{ ...allow, Action: ['s3:GetObject'], Resource: ['*'] }] }),
      'identity',
    );
    assert.deepEqual(one, list);
    assert.deepEqual(one.statements[0], {
      effect: 'Allow',
      action: ['s3:GetObject'],
      resource: ['*'],
      condition: [],
    });
  });

  it('reads a missing Version as 2008-10-17, and keeps Id', () => {
    const d = parsePolicy({ Id: 'q-policy', Statement: allow }, 'identity');
    assert.equal(d.version, '2008-10-17');
    assert.equal(d.id, 'q-policy');
  });

  it('normalises condition values to strings', () => {
    const d = parsePolicy(
      stmt({
        ...allow,
        Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': [10, '20'] } },
      }),
      'identity',
    );
    assert.deepEqual(d.statements[0]!.condition, [
      { operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] },
      { operator: 'NumericLessThan', key: 's3:max-keys', values: ['10', '20'] },
    ]);
  });

  it('accepts every documented operator, with IfExists and set qualifiers', () => {
    const ops = [
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
      'DateEquals',
      'DateNotEquals',
      'DateLessThan',
      'DateLessThanEquals',
      'DateGreaterThan',
      'DateGreaterThanEquals',
      'Bool',
      'BinaryEquals',
      'IpAddress',
      'NotIpAddress',
      'ArnEquals',
      'ArnLike',
      'ArnNotEquals',
      'ArnNotLike',
    ];
    const value = (op: string) =>
      op.startsWith('Numeric')
        ? '1'
        : op.startsWith('Date')
          ? '2020-01-01T00:00:00Z'
          : op.includes('IpAddress')
            ? '10.0.0.0/8'
            : 'x';
    for (const op of ops)
      for (const name of [op, `${op}IfExists`, `ForAllValues:${op}`, `ForAnyValue:${op}IfExists`])
        assert.doesNotThrow(
          () => parsePolicy(stmt({ ...allow, Condition: { [name]: { 'aws:k': value(op) } } }), 'identity'),
          name,
        );
    assert.doesNotThrow(() =>
      parsePolicy(stmt({ ...allow, Condition: { Null: { 'aws:k': 'true' } } }), 'identity'),
    );
  });

  it('lets resource-based Sids hold - and _ (SQS and Lambda statement ids)', () => {
    assert.doesNotThrow(() =>
      parsePolicy(
        stmt({ Sid: '__default_statement_ID', Principal: { AWS: '123456789012' }, ...allow }),
        'resource',
      ),
    );
    assert.doesNotThrow(() =>
      parsePolicy(
        stmt({ Sid: 'sns-invoke-1', Principal: { Service: 'sns.amazonaws.com' }, ...allow }),
        'resource',
      ),
    );
  });

  it('accepts the documented principal forms', () => {
    for (const p of [
      '*',
      { AWS: '*' },
      { AWS: ['123456789012', 'arn:aws:iam::123456789012:root'] },
      { AWS: 'arn:aws:iam::123456789012:user/division/alice' },
      { AWS: 'arn:aws:iam::123456789012:role/worker' },
      { AWS: 'arn:aws:sts::123456789012:assumed-role/worker/session' },
      { Service: ['sqs.amazonaws.com', 'sns.amazonaws.com'] },
      { Federated: 'cognito-identity.amazonaws.com' },
    ])
      assert.doesNotThrow(() => parsePolicy(stmt({ ...allow, Principal: p }), 'resource'), JSON.stringify(p));
  });

  it('accepts wildcards in every ARN segment and other partitions', () => {
    for (const r of [
      'arn:aws:sqs:*:*:*',
      'arn:*:s3:::b',
      'arn:aws-cn:s3:::b',
      'arn:aws-us-gov:lambda:us-gov-west-1:1:function:f',
    ])
      assert.doesNotThrow(() => parsePolicy(stmt({ ...allow, Resource: r }), 'identity'), r);
  });
});

describe('size quotas', () => {
  it('counts every character but white space', () => {
    assert.equal(policySize('{ "a" :\n\t"b c" }\r\n'), 10);
  });

  it('refuses a user whose inline policies exceed 2,048 characters', () => {
    const big = JSON.stringify({ Version: V, Statement: [{ Sid: 'x'.repeat(2000), ...allow }] });
    assert.throws(() => checkInlinePolicySize('user', 'alice', [big]), {
      code: 'LimitExceeded',
      message: 'Maximum policy size of 2048 bytes exceeded for user alice',
    });
  });

  it('adds up all of a holder’s inline policies', () => {
    const doc = JSON.stringify({ Version: V, Statement: [{ Sid: 'x'.repeat(900), ...allow }] });
    assert.doesNotThrow(() => checkInlinePolicySize('user', 'alice', [doc]));
    assert.throws(() => checkInlinePolicySize('user', 'alice', [doc, doc, doc]), { code: 'LimitExceeded' });
  });

  it('allows roles 10,240 and groups 5,120', () => {
    const doc = (n: number) => 'x'.repeat(n);
    assert.doesNotThrow(() => checkInlinePolicySize('role', 'worker', [doc(10240)]));
    assert.throws(() => checkInlinePolicySize('role', 'worker', [doc(10241)]), {
      message: 'Maximum policy size of 10240 bytes exceeded for role worker',
    });
    assert.doesNotThrow(() => checkInlinePolicySize('group', 'ops', [doc(5120)]));
    assert.throws(() => checkInlinePolicySize('group', 'ops', [doc(5121)]), { code: 'LimitExceeded' });
  });

  it('does not count indentation against the quota', () => {
    const pretty = JSON.stringify({ Version: V, Statement: [{ Sid: 'x'.repeat(1900), ...allow }] }, null, 40);
    assert.ok(pretty.length > 2048);
    assert.doesNotThrow(() => checkInlinePolicySize('user', 'alice', [pretty]));
  });

  it('limits managed policies to 6,144 and trust policies to 2,048', () => {
    assert.throws(() => checkManagedPolicySize('x'.repeat(6145)), {
      message: 'Cannot exceed quota for PolicySize: 6144',
    });
    assert.throws(() => checkTrustPolicySize('x'.repeat(2049)), {
      message: 'Cannot exceed quota for ACLSizePerRole: 2048',
    });
  });
});
