/**
 * Authorization on every API surface, through one real `baton up` and the real SDK clients: a
 * table of (principal, operation) → allowed, or denied with the service's own error and AWS's
 * message. Alice holds narrow Allows, Carol broad Allows cut by explicit Denys and Allows under
 * Conditions (`aws:SourceIp`, `StringLike` on `sns:Endpoint`), the root holds no policy and may do
 * everything. Policies: `test/helpers/authorization.ts`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import {
  ALICE_POLICY,
  arn,
  CAROL_POLICY,
  type Clients,
  clientsFor,
  type Who,
  world,
} from '../helpers/authorization.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { MESSAGING_ROWS } from './authorization/messaging-rows.ts';
import { PLATFORM_ROWS } from './authorization/platform-rows.ts';

const ROWS = [...MESSAGING_ROWS, ...PLATFORM_ROWS];

describe('authorization on every API surface, with the real SDK clients', () => {
  let s: ServerProcess;
  const clients = {} as Record<Who, Clients>;

  before(async () => {
    s = await startServerProcess();
    world.controlUrl = s.controlUrl;
    const root = clientsFor(s.controlUrl, s.credentials);
    clients.root = root;
    for (const [user, policy] of [
      ['alice', ALICE_POLICY],
      ['carol', CAROL_POLICY],
    ] as const) {
      await root.iam.send(new CreateUserCommand({ UserName: user }));
      await root.iam.send(
        new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: policy }),
      );
      const { AccessKey: k } = await root.iam.send(new CreateAccessKeyCommand({ UserName: user }));
      clients[user] = clientsFor(s.controlUrl, {
        accessKeyId: k!.AccessKeyId!,
        secretAccessKey: k!.SecretAccessKey!,
      });
    }
    for (const q of ['jobs', 'other', 'audit-log'])
      await root.sqs.send(new CreateQueueCommand({ QueueName: q }));
    for (const t of ['news', 'other-topic']) await root.sns.send(new CreateTopicCommand({ Name: t }));
    await root.scheduler.send(
      new CreateScheduleCommand({
        Name: 's1',
        ScheduleExpression: 'rate(1 day)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: arn.queue('jobs'), RoleArn: 'arn:aws:iam::000000000000:role/any' },
      }),
    );
    const table = await root.dynamodb.send(
      new CreateTableCommand({
        TableName: 'items',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'o', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byO',
            KeySchema: [{ AttributeName: 'o', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    world.streamArn = table.TableDescription!.LatestStreamArn!;
    await root.dynamodb.send(
      new CreateTableCommand({
        TableName: 'other',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const code = zipSync({ 'index.mjs': strToU8('export const handler = async (e) => e;') });
    await root.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/any',
        Handler: 'index.handler',
        Code: { ZipFile: code },
      }),
    );
    const { Version } = await root.lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    await root.lambda.send(
      new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: Version! }),
    );
    for (const ns of ['alice', 'bob'])
      assert.equal((await root.admin('PUT', `cache/${ns}/k`, '{"value":"v"}')).status, 204);
  });
  after(async () => {
    for (const c of Object.values(clients)) c.destroy();
    await s.stop();
  });

  for (const row of ROWS) {
    it(`${row.who}: ${row.what} → ${row.deny ? `denied (${row.deny.name} ${row.deny.status})` : 'allowed'}`, async () => {
      if (!row.deny) {
        await row.run(clients[row.who]);
        return;
      }
      const { name, status, message } = row.deny;
      await assert.rejects(
        row.run(clients[row.who]),
        (e: Error & { $metadata?: { httpStatusCode?: number }; status?: number }) => {
          assert.equal(e.name, name, e.message);
          assert.equal(e.$metadata?.httpStatusCode ?? e.status, status);
          if (name === 'HttpError')
            assert.ok(e.message.includes(message), `${e.message}\n  lacks ${message}`);
          else assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});
