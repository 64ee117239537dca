// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` and the like are IAM policy variables, written in plain strings on purpose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, evaluate, userPrincipal } from '../../../src/governance/policy/index.ts';
import { inRange, parseCidr, parseIp } from '../../../src/governance/policy/ip-address.ts';
import { parseTemplate, resolveText } from '../../../src/governance/policy/variables.ts';
import { arnMatcher, globMatcher } from '../../../src/governance/policy/wildcards.ts';

/**
 * Wildcards: `*` and `?` in actions (case-insensitive), in resources (ARN segments, case-sensitive)
 * and in StringLike values; the fast paths (exact, `*`, prefix, suffix) must agree with the
 * regular expressions. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */

type Case = [pattern: string, value: string, matches: boolean];

const GLOB: Case[] = [
  ['*', '', true],
  ['*', 'anything:at/all', true],
  ['abc', 'abc', true],
  ['abc', 'abcd', false],
  ['abc', 'ABC', false],
  ['ab?', 'abc', true],
  ['ab?', 'ab', false],
  ['ab?', 'abcd', false],
  ['a*', 'a', true],
  ['a*', 'ba', false],
  ['*z', 'xyz', true],
  ['*z', 'zy', false],
  ['a*c*e', 'abcde', true],
  ['a*c*e', 'abcd', false],
  ['a.b', 'axb', false],
  ['a+b', 'a+b', true],
  ['(x)', '(x)', true],
  ['home/*', 'home/a\nb', true],
  ['?', 'é', true],
  ['', '', true],
  ['', 'x', false],
];

const ARN: Case[] = [
  ['arn:aws:sqs:us-east-1:000000000000:q', 'arn:aws:sqs:us-east-1:000000000000:q', true],
  ['arn:aws:sqs:us-east-1:000000000000:q', 'arn:aws:sqs:us-east-1:000000000000:Q', false],
  ['arn:aws:sqs:*:*:*', 'arn:aws:sqs:eu-west-1:000000000000:orders', true],
  ['arn:aws:sqs:*:*:*', 'arn:aws:sns:eu-west-1:000000000000:orders', false],
  ['arn:aws:lambda:*:*:function:f', 'arn:aws:lambda:us-east-1:0:function:f', true],
  ['arn:aws:lambda:*:*:function:f', 'arn:aws:lambda:us-east-1:0:function:f:1', false],
  ['arn:aws:lambda:*:*:function:f:*', 'arn:aws:lambda:us-east-1:0:function:f:prod', true],
  ['arn:aws:lambda:*:*:function:*', 'arn:aws:lambda:us-east-1:0:function:f:1', true],
  ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c', true],
  ['arn:aws:s3:::*log*', 'arn:aws:s3:::carlossalazar-logs', true],
  ['arn:aws:s3:::*log*', 'arn:aws:s3:::carlossalazar', false],
  ['arn:aws:*:us-east-1:*:*', 'arn:aws:dynamodb:us-east-1:0:table/t', true],
  // A wildcard before the fifth colon stays inside its segment.
  [
    'arn:aws:someservice:*:111122223333:finance/*',
    'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/x',
    false,
  ],
  [
    'arn:aws:someservice:*:111122223333:finance/*',
    'arn:aws:someservice:us-east-2:111122223333:finance/x',
    true,
  ],
  ['arn:aws:sqs:us-east-?:*:q', 'arn:aws:sqs:us-east-2:0:q', true],
  ['arn:aws:sqs:us-east-?:*:q', 'arn:aws:sqs:us-east-12:0:q', false],
  ['*:000000000000:q', 'arn:aws:sqs:us-east-1:000000000000:q', true],
  ['arn:aws:events:*:*:rule/*', 'arn:aws:events:us-east-1:0:rule/bus/r', true],
  ['*', 'not-an-arn', true],
  ['arn:aws:sqs:us-east-1:0:*', '*', false],
];

describe('wildcards', () => {
  for (const [p, v, m] of GLOB)
    it(`glob ${JSON.stringify(p)} ${m ? 'matches' : 'does not match'} ${JSON.stringify(v)}`, () => {
      assert.equal(globMatcher(p)(v), m);
    });
  for (const [p, v, m] of ARN)
    it(`ARN ${p} ${m ? 'matches' : 'does not match'} ${v}`, () => {
      assert.equal(arnMatcher(p)(v), m);
    });

  it('actions match without regard to case, resources with it', () => {
    const policy = compilePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['SQS:send*', 'lambda:Invoke?unction', 'iam:*AccessKey*'],
            Resource: 'arn:aws:*:*:*:Thing*',
          },
        ],
      },
      { kind: 'identity', name: 'p' },
    );
    const at = (action: string, resource = 'arn:aws:sqs:us-east-1:0:ThingOne') =>
      evaluate({ principal: userPrincipal('0', 'a'), action, resource, identityPolicies: [policy] }).decision;
    assert.equal(at('sqs:SendMessage'), 'Allow');
    assert.equal(at('sqs:SENDMESSAGEBATCH'), 'Allow');
    assert.equal(at('sqs:ReceiveMessage'), 'ImplicitDeny');
    assert.equal(at('lambda:InvokeFunction'), 'Allow');
    assert.equal(at('lambda:InvokeAsync'), 'ImplicitDeny');
    assert.equal(at('iam:CreateAccessKey'), 'Allow');
    assert.equal(at('iam:ListAccessKeys'), 'Allow');
    assert.equal(at('iam:CreateUser'), 'ImplicitDeny');
    assert.equal(at('sqs:SendMessage', 'arn:aws:sqs:us-east-1:0:thingone'), 'ImplicitDeny');
  });

  it('a service wildcard in an action reaches every service', () => {
    const policy = compilePolicy(
      { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*:Get*', Resource: '*' } },
      { kind: 'identity', name: 'p' },
    );
    const at = (action: string) =>
      evaluate({ principal: userPrincipal('0', 'a'), action, resource: '*', identityPolicies: [policy] })
        .decision;
    assert.equal(at('dynamodb:GetItem'), 'Allow');
    assert.equal(at('sqs:GetQueueUrl'), 'Allow');
    assert.equal(at('sqs:SendMessage'), 'ImplicitDeny');
  });
});

describe('policy variables', () => {
  const keys = { lookup: (k: string) => ({ 'aws:username': 'alice', 'aws:tagkeys': ['a', 'b'] })[k] };

  it('substitutes, with defaults and the special characters', () => {
    const t = (s: string) => resolveText(parseTemplate(s)!, keys);
    assert.equal(t('home/${aws:username}/'), 'home/alice/');
    assert.equal(t('${AWS:UserName}'), 'alice', 'keys are case-insensitive');
    assert.equal(t("${aws:userid, 'anonymous'}"), 'anonymous');
    assert.equal(t('${*}${?}${$}'), '*?$');
    assert.equal(t('${aws:userid}'), undefined, 'absent and no default');
    assert.equal(t('${aws:TagKeys}'), undefined, 'a multivalued key is no variable');
    assert.equal(parseTemplate('no variables'), undefined);
    assert.equal(parseTemplate('half ${open'), undefined, 'an unclosed ${ is text');
  });

  it('treats a substituted value and ${*} as literal text in patterns', () => {
    const policy = compilePolicy(
      {
        Version: '2012-10-17',
        Statement: {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/${*}/${aws:username}',
        },
      },
      { kind: 'identity', name: 'p' },
    );
    const at = (resource: string) =>
      evaluate({
        principal: userPrincipal('0', 'alice'),
        action: 's3:GetObject',
        resource,
        identityPolicies: [policy],
      }).decision;
    assert.equal(at('arn:aws:s3:::b/*/alice'), 'Allow');
    assert.equal(at('arn:aws:s3:::b/x/alice'), 'ImplicitDeny');
  });
});

describe('IP addresses', () => {
  it('parses IPv4, IPv6 and IPv4-mapped IPv6', () => {
    assert.deepEqual(parseIp('10.0.0.1'), { v6: false, words: [0x0a000001] });
    assert.deepEqual(parseIp('::ffff:10.0.0.1'), { v6: false, words: [0x0a000001] });
    assert.deepEqual(parseIp('::ffff:a00:1'), { v6: false, words: [0x0a000001] });
    assert.deepEqual(parseIp('::1'), { v6: true, words: [0, 0, 0, 1] });
    assert.deepEqual(parseIp('2001:db8::8a2e:370:7334'), {
      v6: true,
      words: [0x20010db8, 0, 0x8a2e, 0x03707334],
    });
    for (const bad of [
      '10.0.0',
      '10.0.0.256',
      '1.2.3.4.5',
      '01234.1.1.1',
      '::1::',
      '2001:db8:::1',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
      '',
    ])
      assert.equal(parseIp(bad), undefined, bad);
  });

  it('tests ranges, including /0 and full-length prefixes', () => {
    const r = (cidr: string, ip: string) => inRange(parseIp(ip)!, parseCidr(cidr)!);
    assert.ok(r('10.0.0.0/8', '10.255.1.2'));
    assert.ok(!r('10.0.0.0/8', '11.0.0.0'));
    assert.ok(r('0.0.0.0/0', '255.255.255.255'));
    assert.ok(r('10.0.0.7/32', '10.0.0.7'));
    assert.ok(!r('10.0.0.7/32', '10.0.0.6'));
    assert.ok(r('2001:db8::/32', '2001:db8:ffff::1'));
    assert.ok(!r('2001:db8::/33', '2001:db8:ffff::1'));
    assert.ok(r('::/0', '::1'));
    assert.ok(!r('10.0.0.0/8', '::1'), 'families do not mix');
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0.0/x'), undefined);
  });
});
