/**
 * Resource-based policies through one real `baton up` and the real SDK clients: Lambda's
 * AddPermission / GetPolicy / RemovePermission in AWS's shapes and errors, and the function,
 * queue and topic policies weighed beside a user's identity policies (a same-account grant lets a
 * user without an identity policy in; a resource Deny beats an identity Allow).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetPolicyCommand,
  InvokeCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { ACCOUNT, arn, type Clients, clientsFor } from '../helpers/authorization.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The error an SDK call rejects with: its name, HTTP status and message. */
async function rejectsWith(p: Promise<unknown>, name: string, status: number, message?: string) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

describe('resource-based policies, with the real SDK clients', () => {
  let s: ServerProcess;
  let root: Clients;
  /** Bob has no identity policy; Dana may publish to any topic. */
  const users = {} as Record<'bob' | 'dana', Clients>;

  before(async () => {
    s = await startServerProcess();
    root = clientsFor(s.controlUrl, s.credentials);
    const identity = {
      bob: undefined,
      dana: doc([{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }]),
    };
    for (const [user, policy] of Object.entries(identity) as ['bob' | 'dana', string | undefined][]) {
      await root.iam.send(new CreateUserCommand({ UserName: user }));
      if (policy)
        await root.iam.send(
          new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: policy }),
        );
      const { AccessKey: k } = await root.iam.send(new CreateAccessKeyCommand({ UserName: user }));
      users[user] = clientsFor(s.controlUrl, {
        accessKeyId: k!.AccessKeyId!,
        secretAccessKey: k!.SecretAccessKey!,
      });
    }
    await root.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: `arn:aws:iam::${ACCOUNT}:role/any`,
        Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.mjs': strToU8('export const handler = async (e) => e;') }) },
      }),
    );
    await root.lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
  });
  after(async () => {
    root.destroy();
    for (const c of Object.values(users)) c.destroy();
    await s.stop();
  });

  describe('Lambda AddPermission, GetPolicy and RemovePermission', () => {
    it('adds statements in AWS format and returns the policy with a RevisionId', async () => {
      const added = await root.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'echo',
          StatementId: 'sns',
          Action: 'lambda:InvokeFunction',
          Principal: 'sns.amazonaws.com',
          SourceArn: arn.topic('news'),
          SourceAccount: ACCOUNT,
        }),
      );
      assert.equal(added.$metadata.httpStatusCode, 201);
      const statement = {
        Sid: 'sns',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arn.fn('echo'),
        Condition: {
          StringEquals: { 'AWS:SourceAccount': ACCOUNT },
          ArnLike: { 'AWS:SourceArn': arn.topic('news') },
        },
      };
      assert.deepEqual(JSON.parse(added.Statement!), statement);
      await root.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'echo',
          StatementId: 'account',
          Action: 'lambda:GetFunction',
          Principal: ACCOUNT,
        }),
      );
      const got = await root.lambda.send(new GetPolicyCommand({ FunctionName: 'echo' }));
      assert.match(got.RevisionId!, /^[0-9a-f-]{36}$/);
      assert.deepEqual(JSON.parse(got.Policy!), {
        Version: '2012-10-17',
        Id: 'default',
        Statement: [
          statement,
          {
            Sid: 'account',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: 'lambda:GetFunction',
            Resource: arn.fn('echo'),
          },
        ],
      });
    });

    it('refuses a duplicate StatementId, a stale RevisionId, and a bad Action', async () => {
      const add = (extra: object = {}) =>
        root.lambda.send(
          new AddPermissionCommand({
            FunctionName: 'echo',
            StatementId: 'sns',
            Action: 'lambda:InvokeFunction',
            Principal: 'events.amazonaws.com',
            ...extra,
          }),
        );
      await rejectsWith(
        add(),
        'ResourceConflictException',
        409,
        'The statement id (sns) provided already exists. Please provide a new statement id, or remove the existing statement.',
      );
      await rejectsWith(add({ StatementId: 'x', RevisionId: 'stale' }), 'PreconditionFailedException', 412);
      await rejectsWith(
        add({ StatementId: 'y', Action: 'sqs:SendMessage' }),
        'InvalidParameterValueException',
        400,
      );
      await rejectsWith(add({ FunctionName: 'nope' }), 'ResourceNotFoundException', 404);
    });

    it('keeps a policy per qualifier, and removes statements until none is left', async () => {
      const q = { FunctionName: 'echo', Qualifier: '1' };
      await rejectsWith(
        root.lambda.send(new GetPolicyCommand(q)),
        'ResourceNotFoundException',
        404,
        'The resource you requested does not exist.',
      );
      await root.lambda.send(
        new AddPermissionCommand({ ...q, StatementId: 'v1', Action: 'lambda:*', Principal: '*' }),
      );
      const v1 = JSON.parse((await root.lambda.send(new GetPolicyCommand(q))).Policy!);
      assert.equal(v1.Statement[0].Resource, `${arn.fn('echo')}:1`);
      assert.equal(v1.Statement[0].Principal, '*');
      const removed = await root.lambda.send(new RemovePermissionCommand({ ...q, StatementId: 'v1' }));
      assert.equal(removed.$metadata.httpStatusCode, 204);
      await rejectsWith(root.lambda.send(new GetPolicyCommand(q)), 'ResourceNotFoundException', 404);
      await rejectsWith(
        root.lambda.send(new RemovePermissionCommand({ ...q, StatementId: 'v1' })),
        'ResourceNotFoundException',
        404,
      );
      // The unqualified function's policy is untouched.
      const latest = JSON.parse(
        (await root.lambda.send(new GetPolicyCommand({ FunctionName: 'echo' }))).Policy!,
      );
      assert.deepEqual(
        latest.Statement.map((x: { Sid: string }) => x.Sid),
        ['sns', 'account'],
      );
    });
  });

  describe('resource policies in authorization', () => {
    it('lets a user without an identity policy invoke a function whose policy names them', async () => {
      const invoke = () =>
        users.bob.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: strToU8('{"a":1}') }));
      await rejectsWith(
        invoke(),
        'AccessDeniedException',
        403,
        `User: ${arn.user('bob')} is not authorized to perform: lambda:InvokeFunction on resource: ${arn.fn('echo')} because no identity-based policy allows the lambda:InvokeFunction action`,
      );
      await root.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'echo',
          StatementId: 'bob',
          Action: 'lambda:InvokeFunction',
          Principal: arn.user('bob'),
        }),
      );
      const out = await invoke();
      assert.equal(Buffer.from(out.Payload!).toString(), '{"a":1}');
      // The grant is for the unqualified ARN only: version 1 has its own (empty) policy.
      await rejectsWith(
        users.bob.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '1' })),
        'AccessDeniedException',
        403,
      );
      await root.lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'bob' }));
      await rejectsWith(invoke(), 'AccessDeniedException', 403);
    });

    it('lets a user send to a queue whose policy grants them sqs:SendMessage', async () => {
      const { QueueUrl } = await root.sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }));
      const send = () => users.bob.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hi' }));
      await rejectsWith(send(), 'AccessDenied', 403);
      await root.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl,
          Attributes: {
            Policy: JSON.stringify({
              Version: '2008-10-17',
              Id: 'inbox-policy',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: arn.user('bob') },
                  Action: 'SQS:SendMessage',
                  Resource: arn.queue('inbox'),
                },
              ],
            }),
          },
        }),
      );
      assert.ok((await send()).MessageId);
      // The grant is for SendMessage only.
      await rejectsWith(
        users.bob.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '' } })),
        'AccessDenied',
        403,
      );
    });

    it('lets a topic policy Deny beat an identity Allow', async () => {
      const { TopicArn } = await root.sns.send(new CreateTopicCommand({ Name: 'alerts' }));
      const publish = () => users.dana.sns.send(new PublishCommand({ TopicArn, Message: 'm' }));
      assert.ok((await publish()).MessageId);
      await root.sns.send(
        new SetTopicAttributesCommand({
          TopicArn,
          AttributeName: 'Policy',
          AttributeValue: doc([
            {
              Sid: 'noDana',
              Effect: 'Deny',
              Principal: { AWS: arn.user('dana') },
              Action: 'SNS:Publish',
              Resource: TopicArn,
            },
          ]),
        }),
      );
      await rejectsWith(
        publish(),
        'AuthorizationErrorException',
        403,
        `User: ${arn.user('dana')} is not authorized to perform: SNS:Publish on resource: ${TopicArn} with an explicit deny in a resource-based policy`,
      );
      // The root is bound by a resource Deny only when named; Dana's other topics are untouched.
      assert.ok((await root.sns.send(new PublishCommand({ TopicArn, Message: 'm' }))).MessageId);
    });
  });
});
