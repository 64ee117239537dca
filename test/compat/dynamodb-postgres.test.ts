import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  adminQuery,
  dropSchema,
  requirePostgres,
  testSchemaName,
  urlWithSchema,
} from '../helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// `baton up` with its tables in PostgreSQL, in a schema of this run's own (dropped at the end).
describe('tables in PostgreSQL (BATON_TABLE_BACKEND=postgres) with @aws-sdk/client-dynamodb', () => {
  const schema = testSchemaName();
  const env = { BATON_TABLE_BACKEND: 'postgres', BATON_POSTGRES_URL: urlWithSchema(schema) };
  const servers: ServerProcess[] = [];
  const clients: { destroy(): void }[] = [];
  const connect = (s: ServerProcess) => {
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    const c = { ddb: new DynamoDBClient(cfg), streams: new DynamoDBStreamsClient(cfg) };
    clients.push(c.ddb, c.streams);
    return c;
  };
  before(async () => {
    await requirePostgres();
    await adminQuery(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.stop();
    await dropSchema(schema);
  });

  it('stores items, runs transactions and keeps stream records in PostgreSQL, across a restart', async () => {
    const a = await startServerProcess({ env });
    servers.push(a);
    const { ddb } = connect(a);
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: 'accounts',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const [pgTables] = await adminQuery(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = '${schema}'`,
    );
    assert.ok(Number(pgTables!.n) > 0, 'the schema holds Baton tables');
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [-5, 1, 10].map((n) => ({
          Put: {
            TableName: 'accounts',
            Item: { pk: { S: 'acct' }, sk: { N: String(n) }, balance: { N: '100' } },
          },
        })),
      }),
    );
    await assert.rejects(
      ddb.send(
        new UpdateItemCommand({
          TableName: 'accounts',
          Key: { pk: { S: 'acct' }, sk: { N: '1' } },
          UpdateExpression: 'SET balance = balance - :x',
          ConditionExpression: 'balance >= :x',
          ExpressionAttributeValues: { ':x': { N: '150' } },
        }),
      ),
      (e: unknown) => e instanceof ConditionalCheckFailedException,
    );
    await a.stop();

    const b = await startServerProcess({ env });
    servers.push(b);
    const c = connect(b);
    const q = await c.ddb.send(
      new QueryCommand({
        TableName: 'accounts',
        KeyConditionExpression: 'pk = :p AND sk > :s',
        ExpressionAttributeValues: { ':p': { S: 'acct' }, ':s': { N: '-10' } },
      }),
    );
    assert.deepEqual(
      q.Items?.map((i) => i.sk?.N),
      ['-5', '1', '10'],
      'numeric sort order, from PostgreSQL',
    );
    const arn = created.TableDescription!.LatestStreamArn!;
    const desc = await c.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const it = await c.streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: desc.StreamDescription!.Shards![0]!.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records = await c.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.deepEqual(
      records.Records?.map((r) => [r.eventName, r.dynamodb?.Keys?.sk?.N]),
      [
        ['INSERT', '-5'],
        ['INSERT', '1'],
        ['INSERT', '10'],
      ],
      'the transaction left one record per item; the failed update none',
    );
  });
});
