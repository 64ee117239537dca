import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// Logs each record; throws on a record whose new image has `poison`, so bisecting isolates it.
const CONSUMER = `
export const handler = async (event) => {
  for (const r of event.Records) console.log('GOT ' + JSON.stringify(r));
  if (event.Records.some((r) => r.dynamodb.NewImage?.poison)) throw new Error('poison');
};`;

const table = (name: string, view: string) =>
  new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: view as 'NEW_AND_OLD_IMAGES' },
  });

describe('DynamoDB Streams: the Streams API, TTL deletions, and streams into functions', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  const until = async <T>(what: string, get: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await get();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    return assert.fail(`timed out waiting for ${what}`);
  };
  /** Every record of a table's stream, from the start. */
  const readAll = async (arn: string): Promise<StreamRecord[]> => {
    const desc = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shard = desc.StreamDescription?.Shards?.[0]?.ShardId;
    let it = (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    const out: StreamRecord[] = [];
    for (;;) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
      out.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) return out;
      it = page.NextShardIterator;
    }
  };
  before(async () => {
    s = await startServerProcess({ env: { BATON_TTL_SWEEP_MS: '100' } });
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    ddb = new DynamoDBClient(opts);
    streams = new DynamoDBStreamsClient(opts);
    lambda = new LambdaClient(opts);
    sqs = new SQSClient(opts);
  });
  after(async () => {
    for (const c of [ddb, streams, lambda, sqs]) c?.destroy();
    await s?.stop();
  });

  it('records INSERT, MODIFY and REMOVE with the images the view type asks for, in order', async () => {
    const created = await ddb.send(table('audit', 'NEW_AND_OLD_IMAGES'));
    const arn = created.TableDescription?.LatestStreamArn;
    assert.match(arn ?? '', /^arn:aws:dynamodb:us-east-1:000000000000:table\/audit\/stream\/\d{4}-/);
    const listed = await streams.send(new ListStreamsCommand({ TableName: 'audit' }));
    assert.deepEqual(
      listed.Streams?.map((x) => x.StreamArn),
      [arn],
    );
    await ddb.send(new PutItemCommand({ TableName: 'audit', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    await ddb.send(
      new UpdateItemCommand({
        TableName: 'audit',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    // A put that changes nothing leaves no record.
    await ddb.send(new PutItemCommand({ TableName: 'audit', Item: { pk: { S: 'a' }, v: { N: '2' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'audit', Key: { pk: { S: 'a' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'audit', Key: { pk: { S: 'missing' } } }));
    const records = await readAll(arn!);
    assert.deepEqual(
      records.map((r) => [r.eventName, r.dynamodb?.OldImage?.v?.N, r.dynamodb?.NewImage?.v?.N]),
      [
        ['INSERT', undefined, '1'],
        ['MODIFY', '1', '2'],
        ['REMOVE', '2', undefined],
      ],
    );
    const seqs = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!, 'sequence numbers increase');
    assert.equal(records[0]!.eventSource, 'aws:dynamodb');
    assert.deepEqual(records[0]!.dynamodb?.Keys, { pk: { S: 'a' } });
    assert.equal(records[0]!.dynamodb?.StreamViewType, 'NEW_AND_OLD_IMAGES');
  });

  it('deletes expired items with TTL and shows them as service deletions', async () => {
    const created = await ddb.send(table('sessions', 'KEYS_ONLY'));
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'sessions',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' },
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    await ddb.send(
      new PutItemCommand({
        TableName: 'sessions',
        Item: { pk: { S: 'old' }, expires: { N: String(now - 60) } },
      }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName: 'sessions',
        Item: { pk: { S: 'new' }, expires: { N: String(now + 3600) } },
      }),
    );
    const arn = created.TableDescription!.LatestStreamArn!;
    const removed = await until('the TTL deletion', async () => {
      const r = (await readAll(arn)).find((x) => x.eventName === 'REMOVE');
      return r;
    });
    assert.deepEqual(removed.dynamodb?.Keys, { pk: { S: 'old' } });
    assert.deepEqual(removed.userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
    const inserts = (await readAll(arn)).filter((x) => x.eventName === 'INSERT');
    assert.equal(inserts.length, 2);
    assert.equal(inserts[0]!.userIdentity, undefined, 'writes by users carry no userIdentity');
  });

  it('drives a function in order; a poison record is bisected out to the on-failure queue', async () => {
    const created = await ddb.send(table('orders', 'NEW_IMAGE'));
    const arn = created.TableDescription!.LatestStreamArn!;
    await sqs.send(new CreateQueueCommand({ QueueName: 'stream-failures' }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'consumer',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.mjs': strToU8(CONSUMER) }) },
      }),
    );
    await assert.rejects(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: arn })),
      { name: 'InvalidParameterValueException' },
      'StartingPosition is required',
    );
    // Written before the mapping exists: TRIM_HORIZON reads them too.
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o1' } } }));
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'consumer',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1,
        DestinationConfig: {
          OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:stream-failures' },
        },
      }),
    );
    assert.equal(mapping.StartingPosition, 'TRIM_HORIZON');
    assert.equal(mapping.BisectBatchOnFunctionError, true);
    for (const pk of ['o2', 'o3'])
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: pk } } }));
    await ddb.send(
      new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'bad' }, poison: { BOOL: true } } }),
    );
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o4' } } }));

    const got = async () => {
      const logs = (await (await s.admin('functions/consumer/logs')).json()) as {
        events: { message: string }[];
      };
      return logs.events.flatMap((e) =>
        [...e.message.matchAll(/GOT (.*)$/gm)].map(
          (m) => JSON.parse(m[1]!) as StreamRecord & { eventSourceARN: string },
        ),
      );
    };
    const failure = await until('the on-failure record', async () => {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: `${s.controlUrl}/000000000000/stream-failures`,
          WaitTimeSeconds: 1,
        }),
      );
      return r.Messages?.[0]?.Body;
    });
    const info = (JSON.parse(failure) as { DDBStreamBatchInfo: Record<string, unknown> }).DDBStreamBatchInfo;
    assert.equal(info.batchSize, 1, 'bisected down to the poison record');
    assert.equal(info.streamArn, arn);
    const ok = await until('o4 processed', async () => {
      const rs = await got();
      return rs.some((r) => r.dynamodb?.Keys?.pk?.S === 'o4') ? rs : undefined;
    });
    const first = new Map<string, number>();
    ok.forEach((r, i) => {
      const pk = r.dynamodb!.Keys!.pk!.S!;
      if (!first.has(pk)) first.set(pk, i);
    });
    assert.deepEqual(
      [...first.keys()],
      ['o1', 'o2', 'o3', 'bad', 'o4'],
      'each record first reached the function in stream order',
    );
    assert.equal(ok[0]!.eventSourceARN, arn);
    assert.deepEqual(ok[0]!.dynamodb?.NewImage, { pk: { S: 'o1' } });
  });
});
