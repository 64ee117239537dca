import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { AppGrants } from '../../src/governance/app-policy.ts';
import { type AccessRequest, Authorizer, type Caller } from '../../src/governance/authorizer.ts';
import { FunctionRoles, type FunctionSubject, roleNameOf } from '../../src/governance/function-roles.ts';
import type { Role } from '../../src/governance/iam/records.ts';
import { SessionVendor } from '../../src/governance/sessions.ts';

const ACCOUNT = '000000000000';
const R = `us-east-1:${ACCOUNT}`;

const roleNamed = (name: string): Role => ({
  name,
  id: 'AROAEXAMPLEEXAMPLE1',
  arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  path: '/',
  assumeRolePolicyDocument: '{}',
  maxSessionDuration: 3600,
  createdAt: 0,
});

/** FunctionRoles and an Authorizer wired as compose-iam wires them, over a map of IAM roles. */
function world(grants: Record<string, AppGrants>) {
  const clock = new ManualClock();
  const roles = new FunctionRoles({
    accountId: ACCOUNT,
    region: 'us-east-1',
    sessions: new SessionVendor<FunctionSubject>(clock, 3_600_000),
    appGrants: (app) => grants[app] ?? { queues: [], topics: [], tables: [], buses: [], functions: [] },
  });
  const iamRoles = new Map<string, { role: Role; docs: readonly string[] }>();
  const iam = { role: (name: string) => iamRoles.get(name.toLowerCase())?.role };
  const authorizer = new Authorizer({
    accountId: ACCOUNT,
    principalOf: (id) => roles.callerOf(id, iam),
    policiesOf: (holder) =>
      roles.policiesOf(holder) ??
      (holder.kind === 'role' ? (iamRoles.get(holder.role.name.toLowerCase())?.docs ?? []) : []),
    now: () => clock.now(),
  });
  const session = (subject: FunctionSubject) => roles.issue(subject, 3000).accessKeyId;
  const allowed = (key: string, action: string, resource: string) => {
    const request: AccessRequest = { action, resource };
    return authorizer.decide(roles.callerOf(key, iam) as Caller, request).decision === 'Allow';
  };
  return { clock, roles, iam, iamRoles, authorizer, session, allowed };
}

const SHOP: AppGrants = {
  queues: ['orders'],
  topics: ['order-events'],
  tables: ['carts'],
  buses: ['shop-bus'],
  functions: ['checkout', 'mailer'],
};

describe('function roles: who a session is, and what it may do', () => {
  it('reads role names from names and from ARNs of its own account only', () => {
    assert.equal(roleNameOf('worker', ACCOUNT), 'worker');
    assert.equal(roleNameOf(`arn:aws:iam::${ACCOUNT}:role/worker`, ACCOUNT), 'worker');
    assert.equal(roleNameOf(`arn:aws:iam::${ACCOUNT}:role/team/a/worker`, ACCOUNT), 'worker');
    assert.equal(roleNameOf('arn:aws:iam::123456789012:role/worker', ACCOUNT), undefined);
    assert.equal(roleNameOf(undefined, ACCOUNT), undefined);
  });

  it("gives a function with an IAM role that role's policies, as assumed-role/<role>/<function>", () => {
    const w = world({ shop: SHOP });
    w.iamRoles.set('worker', {
      role: roleNamed('worker'),
      docs: [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:${R}:jobs` }],
        }),
      ],
    });
    const key = w.session({ name: 'checkout', app: 'shop', role: `arn:aws:iam::${ACCOUNT}:role/worker` });
    const caller = w.roles.callerOf(key, w.iam)!;
    assert.equal(caller.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/worker/checkout`);
    assert.equal(caller.principal.type, 'AssumedRole');
    assert.equal(w.roles.callerOf(key, w.iam), caller, 'the caller is cached per session');
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:jobs`), true);
    assert.equal(w.allowed(key, 'sqs:DeleteMessage', `arn:aws:sqs:${R}:jobs`), false);
    assert.equal(
      w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:orders`),
      false,
      "a real role's policies replace the app's defaults",
    );
  });

  it("grants a roleless app function its own app's resources and nothing else", () => {
    const w = world({ shop: SHOP, other: { ...SHOP, queues: ['theirs'], functions: ['x'] } });
    const key = w.session({ name: 'checkout', app: 'shop' });
    assert.equal(
      w.roles.callerOf(key, w.iam)!.principal.arn,
      `arn:aws:sts::${ACCOUNT}:assumed-role/baton-default/checkout`,
    );
    const table = `arn:aws:dynamodb:${R}:table/carts`;
    for (const [action, resource, want] of [
      ['sqs:SendMessage', `arn:aws:sqs:${R}:orders`, true],
      ['sqs:PurgeQueue', `arn:aws:sqs:${R}:orders`, true],
      ['sqs:SendMessage', `arn:aws:sqs:${R}:theirs`, false],
      ['sqs:CreateQueue', `arn:aws:sqs:${R}:new`, false],
      ['sns:Publish', `arn:aws:sns:${R}:order-events`, true],
      ['sns:Publish', `arn:aws:sns:${R}:other-events`, false],
      ['dynamodb:PutItem', table, true],
      ['dynamodb:Query', `${table}/index/byCustomer`, true],
      ['dynamodb:GetRecords', `${table}/stream/2024-01-01T00:00:00.000`, true],
      ['dynamodb:PutItem', `arn:aws:dynamodb:${R}:table/cartsX`, false],
      ['events:PutEvents', `arn:aws:events:${R}:event-bus/shop-bus`, true],
      ['events:PutRule', `arn:aws:events:${R}:rule/shop-bus/r`, false],
      ['events:PutEvents', `arn:aws:events:${R}:event-bus/default`, false],
      ['lambda:InvokeFunction', `arn:aws:lambda:${R}:function:mailer`, true],
      ['lambda:InvokeFunction', `arn:aws:lambda:${R}:function:mailer:live`, true],
      ['lambda:UpdateFunctionCode', `arn:aws:lambda:${R}:function:mailer`, false],
      ['lambda:InvokeFunction', `arn:aws:lambda:${R}:function:x`, false],
      ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/eve`, false],
    ] as const)
      assert.equal(w.allowed(key, action, resource), want, `${action} ${resource}`);
  });

  it('treats a role that Baton lacks as none, and follows the IAM role once it exists', () => {
    const w = world({ shop: SHOP });
    const placeholder = `arn:aws:iam::${ACCOUNT}:role/r`;
    const key = w.session({ name: 'checkout', app: 'shop', role: placeholder });
    assert.equal(
      w.roles.callerOf(key, w.iam)!.principal.arn,
      `arn:aws:sts::${ACCOUNT}:assumed-role/r/checkout`,
    );
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:orders`), true);
    w.iamRoles.set('r', { role: roleNamed('r'), docs: [] });
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:orders`), false, 'now the role decides');
  });

  it('gives nothing to a function without an app or a role', () => {
    const w = world({ shop: SHOP });
    const key = w.session({ name: 'loner', app: null });
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:orders`), false);
    assert.equal(w.allowed(key, 'lambda:InvokeFunction', `arn:aws:lambda:${R}:function:loner`), false);
  });

  it("recomputes an app's policy only when told the registry changed", () => {
    const grants = { shop: { ...SHOP } };
    const w = world(grants);
    const key = w.session({ name: 'checkout', app: 'shop' });
    const holder = w.roles.callerOf(key, w.iam)!.holder;
    const docs = w.roles.policiesOf(holder);
    assert.equal(w.roles.policiesOf(holder), docs, 'the same array: compiled once');
    grants.shop = { ...SHOP, queues: ['orders', 'returns'] };
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:returns`), false);
    w.roles.invalidate();
    assert.notEqual(w.roles.policiesOf(holder), docs);
    assert.equal(w.allowed(key, 'sqs:SendMessage', `arn:aws:sqs:${R}:returns`), true);
  });

  it('knows only live session keys', () => {
    const w = world({});
    assert.equal(w.roles.callerOf('AKIAEXAMPLEEXAMPLE12', w.iam), undefined);
    assert.equal(w.roles.secretFor('AKIAEXAMPLEEXAMPLE12'), undefined);
    const key = w.session({ name: 'f', app: null });
    assert.ok(w.roles.secretFor(key));
    w.roles.revoke(key);
    assert.equal(w.roles.callerOf(key, w.iam), undefined);
    assert.equal(w.roles.secretFor(key), undefined);
  });
});
