/** The admin API's actions and resources (`src/server/admin-access.ts`), route by route. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessRequest } from '../../src/governance/authorizer.ts';
import {
  type AdminCall,
  adminAccess,
  cacheAccess,
  deployPassRoles,
  METRICS_ACCESS,
} from '../../src/server/admin-access.ts';

const SCOPE = { region: 'us-east-1', account: '000000000000' };
const F = 'arn:aws:lambda:us-east-1:000000000000:function:';
const pairs = (rs: readonly AccessRequest[]) => rs.map((r) => [r.action, r.resource]);
const call = (operation: string, name = '', body: Record<string, unknown> = {}): AdminCall => ({
  operation,
  name,
  body: () => body,
  userArn: (n) => (n === 'ci' ? 'arn:aws:iam::000000000000:user/bots/ci' : undefined),
  keyOwner: (id) => (id === 'AKIACI' ? 'ci' : undefined),
  roleArn: (n) => (n === 'worker' ? 'arn:aws:iam::000000000000:role/svc/worker' : undefined),
});
const R = 'arn:aws:iam::000000000000:role/';

describe('admin API access', () => {
  const cases: [string, AdminCall, string[][]][] = [
    ['invoke', call('InvokeFunction', 'hello'), [['lambda:InvokeFunction', `${F}hello`]]],
    ['invoke a version', call('InvokeFunction', 'hello:2'), [['lambda:InvokeFunction', `${F}hello:2`]]],
    ['list functions', call('ListFunctions'), [['lambda:ListFunctions', '*']]],
    [
      'create',
      call('CreateFunction', '', { name: 'new', code: 'UEs=' }),
      [['lambda:CreateFunction', `${F}new`]],
    ],
    ['get', call('GetFunction', 'hello'), [['lambda:GetFunction', `${F}hello`]]],
    ['delete', call('DeleteFunction', 'hello'), [['lambda:DeleteFunction', `${F}hello`]]],
    [
      'update code only',
      call('UpdateFunction', 'hello', { code: 'UEs=' }),
      [['lambda:UpdateFunctionCode', `${F}hello`]],
    ],
    [
      'update settings only',
      call('UpdateFunction', 'hello', { memory: 256 }),
      [['lambda:UpdateFunctionConfiguration', `${F}hello`]],
    ],
    [
      'update both',
      call('UpdateFunction', 'hello', { code: 'UEs=', timeout: 3 }),
      [
        ['lambda:UpdateFunctionCode', `${F}hello`],
        ['lambda:UpdateFunctionConfiguration', `${F}hello`],
      ],
    ],
    [
      'logs',
      call('GetLogs', 'hello'),
      [['logs:FilterLogEvents', 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/hello:*']],
    ],
    ['deploy', call('Deploy'), [['baton:DeployApp', '*']]],
    [
      'create with a role',
      call('CreateFunction', '', { name: 'new', code: 'UEs=', role: 'worker' }),
      [
        ['lambda:CreateFunction', `${F}new`],
        ['iam:PassRole', `${R}svc/worker`],
      ],
    ],
    [
      'update the role',
      call('UpdateFunction', 'hello', { role: `${R}other` }),
      [
        ['lambda:UpdateFunctionConfiguration', `${F}hello`],
        ['iam:PassRole', `${R}other`],
      ],
    ],
    ['list keys', call('ListAccessKeys'), [['iam:ListAccessKeys', '*']]],
    [
      'create a key of an existing user',
      call('CreateAccessKey', '', { name: 'ci' }),
      [['iam:CreateAccessKey', 'arn:aws:iam::000000000000:user/bots/ci']],
    ],
    [
      'create a key, and its user',
      call('CreateAccessKey', '', { name: 'new' }),
      [
        ['iam:CreateUser', 'arn:aws:iam::000000000000:user/new'],
        ['iam:CreateAccessKey', 'arn:aws:iam::000000000000:user/new'],
      ],
    ],
    [
      'revoke a key',
      call('DeleteAccessKey', 'AKIACI'),
      [['iam:DeleteAccessKey', 'arn:aws:iam::000000000000:user/bots/ci']],
    ],
  ];
  for (const [what, c, expected] of cases)
    it(what, () => assert.deepEqual(pairs(adminAccess(c, SCOPE)), expected));

  it('a body that is no JSON object still maps (the handler rejects it after)', () => {
    const bad: AdminCall = {
      ...call('UpdateFunction', 'f'),
      body: () => {
        throw new Error('not JSON');
      },
    };
    assert.deepEqual(pairs(adminAccess(bad, SCOPE)), [['lambda:UpdateFunctionConfiguration', `${F}f`]]);
  });

  it("a deploy passes each distinct role its manifest's functions name, asked after baton:DeployApp", () => {
    const deploy = {
      ...call('Deploy'),
      manifestRoles: () => ['worker', undefined, `${R}x`, 'worker', 'new-role'],
    };
    assert.deepEqual(
      pairs(adminAccess(deploy, SCOPE)),
      [['baton:DeployApp', '*']],
      'the upload is not read yet',
    );
    assert.deepEqual(pairs(deployPassRoles(deploy, SCOPE)), [
      ['iam:PassRole', `${R}svc/worker`],
      ['iam:PassRole', `${R}x`],
      ['iam:PassRole', `${R}new-role`],
    ]);
    assert.deepEqual(deployPassRoles(call('Deploy'), SCOPE), []);
  });

  it('passes roles to lambda.amazonaws.com', () => {
    const [, pass] = adminAccess(call('CreateFunction', '', { name: 'f', role: 'worker' }), SCOPE);
    assert.deepEqual(pass?.context, { 'iam:PassedToService': 'lambda.amazonaws.com' });
  });

  it('cache routes take baton: actions with the namespace as baton:CacheNamespace; metrics baton:GetMetrics', () => {
    assert.deepEqual(cacheAccess('CacheGet', 'app'), [
      { action: 'baton:CacheGet', resource: '*', context: { 'baton:CacheNamespace': 'app' } },
    ]);
    assert.deepEqual(pairs(cacheAccess('CacheStats', '')), [['baton:CacheStats', '*']]);
    assert.deepEqual(pairs(METRICS_ACCESS), [['baton:GetMetrics', '*']]);
  });
});
