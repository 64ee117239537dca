/**
 * `iam:PassRole`, as AWS asks for it beside the operation that hands a role to a service: Lambda's
 * CreateFunction and UpdateFunctionConfiguration (`Role`), Scheduler's CreateSchedule (the
 * target's `RoleArn`), EventBridge's PutTargets (a target's `RoleArn`) and a manifest deploy
 * through the admin API (its functions' `role`). One real `baton up`, the real SDK clients, and
 * users whose policies allow the operations themselves but differ in PassRole: none (dev), on the
 * roles for the right `iam:PassedToService` (passer), on the role with no condition (plain), and
 * on every role but for another service (ec2), and on every role but without the operations
 * (passonly). The root holds no policy and passes any role.
 * Guards `src/aws/access.ts` (`passRole`) and its callers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import {
  ACCOUNT,
  arn,
  type Clients,
  type Credentials,
  clientsFor,
  deniedMessage as denied,
  REGION,
} from '../helpers/authorization.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const role = (path: string) => `arn:aws:iam::${ACCOUNT}:role/${path}`;
/** `exec` has a path: a manifest naming it `exec` passes `role/svc/exec`. */
const EXEC = role('svc/exec');
const SCHED = role('sched');
const EV = role('ev');
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** What every user may do: the operations themselves, never iam:PassRole. */
const OPERATIONS = [
  {
    Effect: 'Allow',
    Action: [
      'lambda:CreateFunction',
      'lambda:UpdateFunctionConfiguration',
      'lambda:GetFunctionConfiguration',
    ],
    Resource: 'arn:aws:lambda:*:*:function:*',
  },
  {
    Effect: 'Allow',
    Action: ['scheduler:CreateSchedule', 'events:PutTargets', 'baton:DeployApp'],
    Resource: '*',
  },
];
const passTo = (resource: string, service?: string) => ({
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: resource,
  ...(service ? { Condition: { StringEquals: { 'iam:PassedToService': service } } } : {}),
});
const POLICIES = {
  dev: doc(OPERATIONS),
  passer: doc([
    ...OPERATIONS,
    passTo(EXEC, 'lambda.amazonaws.com'),
    passTo(SCHED, 'scheduler.amazonaws.com'),
    passTo(EV, 'events.amazonaws.com'),
  ]),
  plain: doc([...OPERATIONS, passTo(EXEC)]),
  ec2: doc([...OPERATIONS, passTo('*', 'ec2.amazonaws.com')]),
  /** PassRole on everything, the operations themselves on nothing. */
  passonly: doc([passTo('*')]),
};
type User = keyof typeof POLICIES;

const CODE = zipSync({ 'index.mjs': strToU8('export const handler = async (e) => e;') });

describe('iam:PassRole on the roles that calls hand to services', () => {
  let s: ServerProcess;
  let root: Clients;
  const users = {} as Record<User, Clients>;
  const keys = {} as Record<User, Credentials>;

  before(async () => {
    s = await startServerProcess();
    root = clientsFor(s.controlUrl, s.credentials);
    await root.iam.send(
      new CreateRoleCommand({ RoleName: 'exec', Path: '/svc/', AssumeRolePolicyDocument: TRUST }),
    );
    for (const name of ['sched', 'ev'])
      await root.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    for (const [user, policy] of Object.entries(POLICIES) as [User, string][]) {
      await root.iam.send(new CreateUserCommand({ UserName: user }));
      await root.iam.send(
        new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: policy }),
      );
      const { AccessKey: k } = await root.iam.send(new CreateAccessKeyCommand({ UserName: user }));
      keys[user] = { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! };
      users[user] = clientsFor(s.controlUrl, keys[user]);
    }
    await root.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await root.events.send(new PutRuleCommand({ Name: 'r1', ScheduleExpression: 'rate(1 day)' }));
    await root.lambda.send(createFunction('shared'));
  });
  after(async () => {
    for (const c of [root, ...Object.values(users)]) c.destroy();
    await s.stop();
  });

  function createFunction(name: string, Role?: string) {
    return new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role,
      Code: { ZipFile: CODE },
    });
  }
  /** The call fails with the service's AccessDeniedException and AWS's PassRole message. */
  async function deniedPassRole(who: User, call: Promise<unknown>, resource: string, status: number) {
    await assert.rejects(call, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'AccessDeniedException', e.message);
      assert.equal(e.$metadata?.httpStatusCode, status);
      assert.equal(e.message, denied(who, 'iam:PassRole', resource));
      return true;
    });
  }
  const roleOf = async (name: string) =>
    (await root.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Role;

  describe('Lambda', () => {
    it('denies CreateFunction with a Role to a user without iam:PassRole, and creates nothing', async () => {
      await deniedPassRole('dev', users.dev.lambda.send(createFunction('f-dev', EXEC)), EXEC, 403);
      await assert.rejects(root.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f-dev' })), {
        name: 'ResourceNotFoundException',
      });
    });

    it("asks for the operation's own action first", async () => {
      await assert.rejects(users.passonly.lambda.send(createFunction('f-po', EXEC)), {
        name: 'AccessDeniedException',
        message: denied('passonly', 'lambda:CreateFunction', arn.fn('f-po')),
      });
    });

    it('asks for no PassRole when no role is given', async () => {
      await users.dev.lambda.send(createFunction('f-dev-roleless'));
    });

    it('allows it with iam:PassRole on the role, for lambda.amazonaws.com or with no condition', async () => {
      await users.passer.lambda.send(createFunction('f-passer', EXEC));
      assert.equal(await roleOf('f-passer'), EXEC);
      await users.plain.lambda.send(createFunction('f-plain', EXEC));
      assert.equal(await roleOf('f-plain'), EXEC);
    });

    it('denies it when the PassRole statement is for another service', async () => {
      await deniedPassRole('ec2', users.ec2.lambda.send(createFunction('f-ec2', EXEC)), EXEC, 403);
      await deniedPassRole('passer', users.passer.lambda.send(createFunction('f-sched', SCHED)), SCHED, 403);
    });

    it('checks UpdateFunctionConfiguration when it carries a Role, and only then', async () => {
      const update = (who: User, over: { Role?: string; MemorySize?: number }) =>
        users[who].lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shared', ...over }));
      await deniedPassRole('dev', update('dev', { Role: EXEC }), EXEC, 403);
      assert.equal(await roleOf('shared'), role('baton-default'), 'the denied update changed nothing');
      await update('dev', { MemorySize: 256 });
      await update('passer', { Role: EXEC });
      assert.equal(await roleOf('shared'), EXEC);
    });

    it('lets the root pass any role, one that IAM does not have included (as before)', async () => {
      await root.lambda.send(createFunction('f-root', EXEC));
      await root.lambda.send(createFunction('f-ghost', role('ghost')));
      assert.equal(await roleOf('f-ghost'), role('ghost'));
    });
  });

  describe('Scheduler and EventBridge', () => {
    const schedule = (who: User, name: string, RoleArn: string) =>
      users[who].scheduler.send(
        new CreateScheduleCommand({
          Name: name,
          ScheduleExpression: 'rate(1 day)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: arn.queue('jobs'), RoleArn },
        }),
      );
    const putTarget = (who: User, Id: string, RoleArn?: string) =>
      users[who].events.send(
        new PutTargetsCommand({ Rule: 'r1', Targets: [{ Id, Arn: arn.queue('jobs'), RoleArn }] }),
      );

    it("needs PassRole on a schedule target's role, for scheduler.amazonaws.com", async () => {
      await deniedPassRole('dev', schedule('dev', 's-dev', SCHED), SCHED, 403);
      await schedule('passer', 's-passer', SCHED);
      await deniedPassRole('passer', schedule('passer', 's-exec', EXEC), EXEC, 403);
    });

    it("needs PassRole on a rule target's role, for events.amazonaws.com", async () => {
      await deniedPassRole('dev', putTarget('dev', 't-dev', EV), EV, 400);
      await putTarget('dev', 't-roleless');
      await putTarget('passer', 't-passer', EV);
      await deniedPassRole('passer', putTarget('passer', 't-sched', SCHED), SCHED, 400);
    });
  });

  describe('a manifest deploy through the admin API', () => {
    const manifest = (app: string) =>
      `app: ${app}\nfunctions:\n  a:\n    handler: index.handler\n    role: exec\n  b:\n    handler: index.handler\n`;
    const deploy = async (who: User | 'root', app: string) => {
      const zip = zipSync({
        'baton.yaml': strToU8(manifest(app)),
        'index.mjs': strToU8('export const handler = async (e) => e;'),
      });
      const url = new URL(`${s.controlUrl}/admin/v1/deploy?app=${app}`);
      const headers = signRequest(
        'POST',
        url,
        { 'content-type': 'application/zip' },
        zip,
        who === 'root' ? s.credentials : keys[who],
        { region: REGION, service: 'baton', now: Date.now() },
      );
      delete headers.host;
      const res = await fetch(url, { method: 'POST', headers, body: zip });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it("denies a named key that may not pass a function's role, naming the role's ARN (path and all)", async () => {
      const r = await deploy('dev', 'denied');
      assert.equal(r.status, 403);
      assert.equal(r.body.__type, 'AccessDeniedException');
      assert.equal(r.body.message, denied('dev', 'iam:PassRole', EXEC));
      await assert.rejects(root.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'a' })), {
        name: 'ResourceNotFoundException',
      });
    });

    it('asks for baton:DeployApp first', async () => {
      const r = await deploy('passonly', 'po');
      assert.equal(r.status, 403);
      assert.equal(r.body.message, denied('passonly', 'baton:DeployApp', '*'));
    });

    it('deploys for a key with PassRole on it, and for the root', async () => {
      const r = await deploy('passer', 'passed');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.created, ['a', 'b']);
      assert.equal((await deploy('root', 'passed')).status, 200);
    });
  });
});
