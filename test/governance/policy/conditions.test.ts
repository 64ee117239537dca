// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` and the like are IAM policy variables, written in plain strings on purpose.
import { describe } from 'node:test';
import { roleSessionPrincipal } from '../../../src/governance/policy/index.ts';
import { type ConditionRow, runConditions } from './fixtures.ts';

/**
 * Condition operators by type (string, numeric, date, Bool, IP address, ARN), row by row: a
 * Condition block, a request context, and whether the condition holds. Rows come from AWS's
 * examples where AWS gives one (reference_policies_elements_condition_operators.html).
 * Combining conditions, IfExists, Null and the set qualifiers are in `condition-logic.test.ts`.
 */

const TABLE: ConditionRow[] = [
  // String
  {
    name: 'StringEquals: the principal tag matches',
    condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } },
    context: { 'aws:PrincipalTag/job-category': 'iamuser-admin' },
    holds: true,
  },
  {
    name: 'StringEquals: an absent key does not match',
    condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } },
    context: {},
    holds: false,
  },
  {
    name: 'StringEquals: case-sensitive',
    condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } },
    context: { 'aws:PrincipalTag/job-category': 'IAMUSER-ADMIN' },
    holds: false,
  },
  {
    name: 'StringEqualsIgnoreCase: ignores case',
    condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } },
    context: { 'aws:PrincipalTag/job-category': 'IAMUser-Admin' },
    holds: true,
  },
  {
    name: 'StringNotEqualsIgnoreCase: ignores case',
    condition: { StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-EAST-1' } },
    context: { 'aws:RequestedRegion': 'us-east-1' },
    holds: false,
  },
  {
    name: 'condition keys are case-insensitive',
    condition: { StringEquals: { 'AWS:requestedregion': 'eu-west-1' } },
    context: { 'aws:RequestedRegion': 'eu-west-1' },
    holds: true,
  },
  {
    name: 'StringLike: * and ? anywhere',
    condition: { StringLike: { 's3:prefix': ['home/?lice/*'] } },
    context: { 's3:prefix': 'home/alice/docs/x' },
    holds: true,
  },
  {
    name: 'StringLike: the empty-string value matches an empty prefix',
    condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } },
    context: { 's3:prefix': '' },
    holds: true,
  },
  {
    name: 'StringLike: with a policy variable',
    condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } },
    context: { 's3:prefix': 'home/alice/' },
    holds: true,
  },
  {
    name: 'StringLike: a policy variable that cannot be resolved voids the condition',
    condition: { StringLike: { 's3:prefix': ['home/', 'home/${aws:username}/'] } },
    context: { 's3:prefix': 'home/' },
    principal: roleSessionPrincipal('123456789012', 'worker', 's'),
    holds: false,
  },
  {
    name: 'StringNotLike: a value outside the pattern',
    condition: { StringNotLike: { 's3:prefix': 'private/*' } },
    context: { 's3:prefix': 'public/x' },
    holds: true,
  },
  {
    name: 'StringNotLike: an absent key is true (negated operators)',
    condition: { StringNotLike: { 's3:prefix': 'private/*' } },
    context: {},
    holds: true,
  },
  {
    name: 'StringNotEquals with several values is NOR: equal to one of them fails',
    condition: { StringNotEquals: { 'aws:PrincipalTag/role': ['audit', 'security'] } },
    context: { 'aws:PrincipalTag/role': 'audit' },
    holds: false,
  },
  {
    name: 'StringNotEquals with several values is NOR: none of them holds',
    condition: { StringNotEquals: { 'aws:PrincipalTag/role': ['audit', 'security'] } },
    context: { 'aws:PrincipalTag/role': 'dev' },
    holds: true,
  },
  // Numeric
  {
    name: 'NumericLessThanEquals: 10 keys is within "10"',
    condition: { NumericLessThanEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': '10' },
    holds: true,
  },
  {
    name: 'NumericLessThanEquals: 11 is not',
    condition: { NumericLessThanEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 11 },
    holds: false,
  },
  {
    name: 'NumericLessThanEquals: an absent key fails',
    condition: { NumericLessThanEquals: { 's3:max-keys': '10' } },
    context: {},
    holds: false,
  },
  {
    name: 'NumericLessThan / GreaterThan: decimals',
    condition: { NumericLessThan: { 'sqs:DelaySeconds': 1.5 }, NumericGreaterThan: { 'sqs:Size': '0.25' } },
    context: { 'sqs:DelaySeconds': '1.25', 'sqs:Size': 0.5 },
    holds: true,
  },
  {
    name: 'NumericGreaterThanEquals: equal passes',
    condition: { NumericGreaterThanEquals: { 'lambda:Memory': 128 } },
    context: { 'lambda:Memory': 128 },
    holds: true,
  },
  {
    name: 'NumericEquals: a value that is not a number never matches',
    condition: { NumericEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 'ten' },
    holds: false,
  },
  {
    name: 'NumericNotEquals: an absent key is true',
    condition: { NumericNotEquals: { 's3:max-keys': '10' } },
    context: {},
    holds: true,
  },
  {
    name: 'NumericNotEquals with several values is NOR',
    condition: { NumericNotEquals: { 's3:max-keys': ['10', '20'] } },
    context: { 's3:max-keys': 20 },
    holds: false,
  },
  // Date
  {
    name: 'DateGreaterThan: credentials issued after 2020',
    condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } },
    context: { 'aws:TokenIssueTime': '2020-06-01T12:00:00Z' },
    holds: true,
  },
  {
    name: 'DateGreaterThan: the key is absent without temporary credentials',
    condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } },
    context: {},
    holds: false,
  },
  {
    name: 'DateLessThan: aws:CurrentTime before a date',
    condition: { DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } },
    context: { 'aws:CurrentTime': '2026-11-26T12:00:00Z' },
    holds: true,
  },
  {
    name: 'DateLessThanEquals: epoch seconds in the policy, ISO time in the request',
    condition: { DateLessThanEquals: { 'aws:CurrentTime': '1577836800' } },
    context: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
    holds: true,
  },
  {
    name: 'DateGreaterThanEquals: aws:EpochTime as a number of seconds',
    condition: { DateGreaterThanEquals: { 'aws:EpochTime': '2020-01-01T00:00:00Z' } },
    context: { 'aws:EpochTime': 1577836800 },
    holds: true,
  },
  {
    name: 'DateEquals: a date-only value is midnight UTC',
    condition: { DateEquals: { 'aws:CurrentTime': '2020-01-01' } },
    context: { 'aws:CurrentTime': '2020-01-01T00:00:00.000Z' },
    holds: true,
  },
  {
    name: 'DateNotEquals: a different instant',
    condition: { DateNotEquals: { 'aws:CurrentTime': '2020-01-01' } },
    context: { 'aws:CurrentTime': '2020-01-02' },
    holds: true,
  },
  // Bool
  {
    name: 'Bool: aws:SecureTransport false matches a plain-HTTP request',
    condition: { Bool: { 'aws:SecureTransport': 'false' } },
    context: { 'aws:SecureTransport': false },
    holds: true,
  },
  {
    name: 'Bool: does not match HTTPS',
    condition: { Bool: { 'aws:SecureTransport': 'false' } },
    context: { 'aws:SecureTransport': 'true' },
    holds: false,
  },
  {
    name: 'Bool: a JSON boolean in the policy',
    condition: { Bool: { 'aws:SecureTransport': true } },
    context: { 'aws:SecureTransport': 'TRUE' },
    holds: true,
  },
  {
    name: 'Bool: an absent key fails',
    condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    context: {},
    holds: false,
  },
  {
    name: 'BoolIfExists: an absent key passes',
    condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    context: {},
    holds: true,
  },
  // IP addresses
  {
    name: 'IpAddress: inside 203.0.113.0/24',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '203.0.113.255' },
    holds: true,
  },
  {
    name: 'IpAddress: outside it',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '203.0.114.1' },
    holds: false,
  },
  {
    name: 'IpAddress: IPv4 and IPv6 ranges together, an IPv6 client',
    condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } },
    context: { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' },
    holds: true,
  },
  {
    name: 'IpAddress: outside the IPv6 range',
    condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } },
    context: { 'aws:SourceIp': '2001:db8:1234:5679::1' },
    holds: false,
  },
  {
    name: 'IpAddress: an IPv4-mapped IPv6 client is tested as IPv4',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '::ffff:203.0.113.9' },
    holds: true,
  },
  {
    name: 'IpAddress: an address without a prefix is /32',
    condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1' } },
    context: { 'aws:SourceIp': '127.0.0.2' },
    holds: false,
  },
  {
    name: 'IpAddress: 0.0.0.0/0 covers every IPv4 address',
    condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
    context: { 'aws:SourceIp': '8.8.8.8' },
    holds: true,
  },
  {
    name: 'NotIpAddress: outside the range',
    condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '10.0.0.0/8'] } },
    context: { 'aws:SourceIp': '203.0.113.1' },
    holds: true,
  },
  {
    name: 'NotIpAddress: inside one of the ranges',
    condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '10.0.0.0/8'] } },
    context: { 'aws:SourceIp': '10.1.2.3' },
    holds: false,
  },
  {
    name: 'NotIpAddress: an absent key is true',
    condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    context: {},
    holds: true,
  },
  // ARN
  {
    name: 'ArnEquals: the SNS topic',
    condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } },
    context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' },
    holds: true,
  },
  {
    name: 'ArnLike: StringLike would match across colons, ArnLike does not',
    condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } },
    context: {
      'aws:SourceArn':
        'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt',
    },
    holds: false,
  },
  {
    name: 'StringLike: the same pattern matches that value',
    condition: { StringLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } },
    context: {
      'aws:SourceArn':
        'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt',
    },
    holds: true,
  },
  {
    name: 'ArnLike: wildcards per segment',
    condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:123456789012:rule/*' } },
    context: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/bus/nightly' },
    holds: true,
  },
  {
    name: 'ArnNotLike: an absent key is true',
    condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } },
    context: {},
    holds: true,
  },
  {
    name: 'ArnNotEquals: a different topic',
    condition: { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } },
    context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:other' },
    holds: true,
  },
  {
    name: 'ArnLike with a policy variable: aws:PrincipalArn is derived',
    condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sqs:*:*:${aws:username}-*' } },
    context: { 'aws:SourceArn': 'arn:aws:sqs:us-east-1:123456789012:alice-jobs' },
    holds: true,
  },
];

describe('condition operators', () => runConditions(TABLE));
