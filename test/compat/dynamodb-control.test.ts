import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AttributeDefinition,
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  paginateListTables,
  QueryCommand,
  type QueryCommandInput,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const S = (s: string) => ({ S: s });
const N = (n: string) => ({ N: n });
const def = (name: string, type: 'S' | 'N' | 'B'): AttributeDefinition => ({
  AttributeName: name,
  AttributeType: type,
});

/**
 * DynamoDB's control plane through `@aws-sdk/client-dynamodb` against a real `baton up`: table
 * life cycle with the SDK's waiters, key schemas of every key type, secondary indexes and their
 * projections, ListTables pagination, UpdateTable adding and removing a GSI, TTL and tags, and
 * the errors AWS gives for each misuse.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
describe('DynamoDB control plane with @aws-sdk/client-dynamodb against a real baton up', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  const waiter = () => ({ client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 });

  before(async () => {
    s = await startServerProcess();
    ddb = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    ddb.destroy();
    await s.stop();
  });

  it('creates tables of every key shape and billing mode; the waiters see them come and go', async () => {
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: 'users',
        AttributeDefinitions: [def('id', 'S')],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const t = created.TableDescription!;
    assert.equal(t.TableName, 'users');
    assert.equal(t.TableArn, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/users`);
    assert.ok(['CREATING', 'ACTIVE'].includes(t.TableStatus!));
    assert.ok(t.CreationDateTime instanceof Date);
    assert.ok(Math.abs(t.CreationDateTime.getTime() - Date.now()) < 60_000);
    assert.equal(t.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(t.ProvisionedThroughput?.ReadCapacityUnits, 0);

    const ready = await waitUntilTableExists(waiter(), { TableName: 'users' });
    assert.equal(ready.state, 'SUCCESS');
    const d = (await ddb.send(new DescribeTableCommand({ TableName: 'users' }))).Table!;
    assert.equal(d.TableStatus, 'ACTIVE');
    assert.deepEqual(d.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
    assert.deepEqual(d.AttributeDefinitions, [def('id', 'S')]);
    assert.equal(d.ItemCount, 0);
    assert.equal(d.TableSizeBytes, 0);
    assert.equal(typeof d.TableId, 'string');

    // Hash + range with a number sort key, provisioned.
    await ddb.send(
      new CreateTableCommand({
        TableName: 'readings',
        AttributeDefinitions: [def('sensor', 'S'), def('at', 'N')],
        KeySchema: [
          { AttributeName: 'sensor', KeyType: 'HASH' },
          { AttributeName: 'at', KeyType: 'RANGE' },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
      }),
    );
    await waitUntilTableExists(waiter(), { TableName: 'readings' });
    const r = (await ddb.send(new DescribeTableCommand({ TableName: 'readings' }))).Table!;
    assert.equal(r.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.equal(r.ProvisionedThroughput?.WriteCapacityUnits, 7);
    assert.deepEqual(r.KeySchema, [
      { AttributeName: 'sensor', KeyType: 'HASH' },
      { AttributeName: 'at', KeyType: 'RANGE' },
    ]);
    // Number sort keys order numerically, not as text.
    const big = '12345678901234567890123456789012345678';
    const bigger = '12345678901234567890123456789012345679';
    for (const at of ['10', '9', '-1.5', '100', '0.25', bigger, big, '-1E-130', '1E+125'])
      await ddb.send(new PutItemCommand({ TableName: 'readings', Item: { sensor: S('a'), at: N(at) } }));
    const q = await ddb.send(
      new QueryCommand({
        TableName: 'readings',
        KeyConditionExpression: 'sensor = :s',
        ExpressionAttributeValues: { ':s': S('a') },
      }),
    );
    assert.deepEqual(
      q.Items?.map((i) => i.at?.N),
      ['-1.5', `-0.${'0'.repeat(129)}1`, '0.25', '9', '10', '100', big, bigger, `1${'0'.repeat(125)}`],
    );

    // Binary hash and range keys order by unsigned bytes.
    await ddb.send(
      new CreateTableCommand({
        TableName: 'blobs',
        AttributeDefinitions: [def('h', 'B'), def('r', 'B')],
        KeySchema: [
          { AttributeName: 'h', KeyType: 'HASH' },
          { AttributeName: 'r', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const h = new Uint8Array([0, 1, 2]);
    for (const bytes of [[0xff], [0x01, 0x00], [0x80], [0x01]])
      await ddb.send(
        new PutItemCommand({ TableName: 'blobs', Item: { h: { B: h }, r: { B: new Uint8Array(bytes) } } }),
      );
    const b = await ddb.send(
      new QueryCommand({
        TableName: 'blobs',
        KeyConditionExpression: 'h = :h AND r > :r',
        ExpressionAttributeValues: { ':h': { B: h }, ':r': { B: new Uint8Array([0x01]) } },
      }),
    );
    assert.deepEqual(
      b.Items?.map((i) => [...i.r!.B!]),
      [[0x01, 0x00], [0x80], [0xff]],
    );
    assert.ok(b.Items![0]!.h!.B instanceof Uint8Array);

    // DeleteTable answers DELETING; the waiter then sees the table gone.
    const del = await ddb.send(new DeleteTableCommand({ TableName: 'blobs' }));
    assert.equal(del.TableDescription?.TableName, 'blobs');
    assert.equal(del.TableDescription?.TableStatus, 'DELETING');
    const gone = await waitUntilTableNotExists(waiter(), { TableName: 'blobs' });
    assert.equal(gone.state, 'SUCCESS');
    await assert.rejects(ddb.send(new DescribeTableCommand({ TableName: 'blobs' })), {
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found: Table: blobs not found',
    });
    await assert.rejects(ddb.send(new DeleteTableCommand({ TableName: 'blobs' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(
      ddb.send(new PutItemCommand({ TableName: 'blobs', Item: { h: { B: h }, r: { B: h } } })),
      { name: 'ResourceNotFoundException' },
    );
  });

  it('describes global and local secondary indexes with their projections, and queries them', async () => {
    const out = await ddb.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: [def('pk', 'S'), def('sk', 'S'), def('status', 'S'), def('total', 'N')],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'by-status',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'total', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customer'] },
          },
          {
            IndexName: 'status-keys',
            KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'by-total',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'total', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'by-status-local',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'status', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const t = out.TableDescription!;
    const byStatus = t.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'by-status');
    assert.deepEqual(byStatus?.Projection, { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customer'] });
    assert.equal(byStatus?.IndexArn, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/index/by-status`);
    assert.deepEqual(t.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'status-keys')?.Projection, {
      ProjectionType: 'KEYS_ONLY',
    });
    assert.deepEqual(t.LocalSecondaryIndexes?.[0]?.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'total', KeyType: 'RANGE' },
    ]);
    await waitUntilTableExists(waiter(), { TableName: 'orders' });
    const d = (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!;
    assert.ok(d.GlobalSecondaryIndexes?.every((g) => g.IndexStatus === 'ACTIVE'));
    assert.equal(d.AttributeDefinitions?.length, 4);

    const items: Record<string, AttributeValue>[] = [
      { pk: S('C#1'), sk: S('O#1'), status: S('open'), total: N('30'), customer: S('ann'), note: S('x') },
      { pk: S('C#1'), sk: S('O#2'), status: S('open'), total: N('5'), customer: S('ann'), note: S('y') },
      { pk: S('C#2'), sk: S('O#3'), status: S('shipped'), total: N('12'), customer: S('bob') },
      // Not in by-status or status-keys (no status), nor by-total (no total): sparse.
      { pk: S('C#1'), sk: S('PROFILE'), name: S('Ann') },
    ];
    for (const Item of items) await ddb.send(new PutItemCommand({ TableName: 'orders', Item }));

    const gsi = await ddb.send(
      new QueryCommand({
        TableName: 'orders',
        IndexName: 'by-status',
        KeyConditionExpression: '#s = :s AND #t > :t',
        ExpressionAttributeNames: { '#s': 'status', '#t': 'total' },
        ExpressionAttributeValues: { ':s': S('open'), ':t': N('1') },
      }),
    );
    // INCLUDE: the table key, the index key and `customer`; never `note`.
    assert.deepEqual(gsi.Items, [
      { pk: S('C#1'), sk: S('O#2'), status: S('open'), total: N('5'), customer: S('ann') },
      { pk: S('C#1'), sk: S('O#1'), status: S('open'), total: N('30'), customer: S('ann') },
    ]);
    const keys = await ddb.send(
      new QueryCommand({
        TableName: 'orders',
        IndexName: 'status-keys',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': S('shipped') },
      }),
    );
    assert.deepEqual(keys.Items, [{ pk: S('C#2'), sk: S('O#3'), status: S('shipped') }]);
    // A hash-only index pages through items that share its key, one at a time.
    const seen: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(
        new QueryCommand({
          TableName: 'orders',
          IndexName: 'status-keys',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': S('open') },
          Limit: 1,
          ExclusiveStartKey: start,
        }),
      );
      seen.push(...(page.Items ?? []).map((i) => i.sk!.S!));
      start = page.LastEvaluatedKey;
    } while (start);
    assert.deepEqual(seen.sort(), ['O#1', 'O#2']);
    await assert.rejects(
      ddb.send(
        new QueryCommand({
          TableName: 'orders',
          IndexName: 'status-keys',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': S('open') },
          Select: 'ALL_ATTRIBUTES',
        }),
      ),
      { name: 'ValidationException', message: /projection type is not ALL/ },
    );
    const lsi = await ddb.send(
      new QueryCommand({
        TableName: 'orders',
        IndexName: 'by-total',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('C#1') },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    );
    assert.deepEqual(
      lsi.Items?.map((i) => i.sk?.S),
      ['O#1', 'O#2'],
    );
    assert.equal(lsi.Items?.[0]?.note?.S, 'x');
    // A KEYS_ONLY local index fetches other attributes from the table when they are asked for.
    const local = (extra: Partial<QueryCommandInput>, values: Record<string, AttributeValue> = {}) =>
      ddb.send(
        new QueryCommand({
          TableName: 'orders',
          IndexName: 'by-status-local',
          KeyConditionExpression: 'pk = :p AND #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':p': S('C#1'), ':s': S('open'), ...values },
          ...extra,
        }),
      );
    const keysOnly = await local({});
    assert.deepEqual(keysOnly.Items?.[0], { pk: S('C#1'), sk: S('O#1'), status: S('open') });
    const whole = await local({ Select: 'ALL_ATTRIBUTES' });
    assert.equal(whole.Items?.[0]?.note?.S, 'x');
    const some = await local({ ProjectionExpression: 'sk, note' });
    assert.deepEqual(some.Items, [
      { sk: S('O#1'), note: S('x') },
      { sk: S('O#2'), note: S('y') },
    ]);
    const filtered = await local({ FilterExpression: 'note = :n' }, { ':n': S('y') });
    assert.deepEqual(
      filtered.Items?.map((i) => i.sk?.S),
      ['O#2'],
    );
    await assert.rejects(
      ddb.send(
        new QueryCommand({
          TableName: 'orders',
          IndexName: 'by-status',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': S('open') },
          ConsistentRead: true,
        }),
      ),
      {
        name: 'ValidationException',
        message: 'Consistent reads are not supported on global secondary indexes',
      },
    );
    await assert.rejects(
      ddb.send(
        new QueryCommand({
          TableName: 'orders',
          IndexName: 'nope',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': S('C#1') },
        }),
      ),
      { name: 'ValidationException', message: 'The table does not have the specified index: nope' },
    );
    // An index key of the wrong type is refused on write.
    await assert.rejects(
      ddb.send(
        new PutItemCommand({ TableName: 'orders', Item: { pk: S('C#9'), sk: S('O#9'), total: S('many') } }),
      ),
      {
        name: 'ValidationException',
        message:
          /^One or more parameter values were invalid: Type mismatch for Index Key total Expected: N Actual: S IndexName: by-(total|status)$/,
      },
    );
  });

  it('adds a GSI to a table with items (backfilled, queryable) and deletes it again', async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: 'people',
        AttributeDefinitions: [def('id', 'S')],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let i = 0; i < 30; i++)
      await ddb.send(
        new PutItemCommand({
          TableName: 'people',
          Item: { id: S(`p${i}`), city: S(i % 3 === 0 ? 'oslo' : 'rome'), age: N(String(20 + i)) },
        }),
      );
    const up = await ddb.send(
      new UpdateTableCommand({
        TableName: 'people',
        AttributeDefinitions: [def('id', 'S'), def('city', 'S'), def('age', 'N')],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: 'by-city',
              KeySchema: [
                { AttributeName: 'city', KeyType: 'HASH' },
                { AttributeName: 'age', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    assert.equal(up.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexName, 'by-city');
    await waitUntilTableExists(waiter(), { TableName: 'people' });
    const d = (await ddb.send(new DescribeTableCommand({ TableName: 'people' }))).Table!;
    assert.equal(d.GlobalSecondaryIndexes?.[0]?.IndexStatus, 'ACTIVE');
    assert.equal(d.ItemCount, 30);
    const oslo = await ddb.send(
      new QueryCommand({
        TableName: 'people',
        IndexName: 'by-city',
        KeyConditionExpression: 'city = :c AND age BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':c': S('oslo'), ':lo': N('20'), ':hi': N('35') },
      }),
    );
    assert.deepEqual(
      oslo.Items?.map((i) => i.age?.N),
      ['20', '23', '26', '29', '32', '35'],
    );
    // New writes reach the index too.
    await ddb.send(
      new PutItemCommand({ TableName: 'people', Item: { id: S('new'), city: S('oslo'), age: N('21') } }),
    );
    const again = await ddb.send(
      new QueryCommand({
        TableName: 'people',
        IndexName: 'by-city',
        KeyConditionExpression: 'city = :c AND age < :a',
        ExpressionAttributeValues: { ':c': S('oslo'), ':a': N('23') },
      }),
    );
    assert.deepEqual(
      again.Items?.map((i) => i.id?.S),
      ['p0', 'new'],
    );
    await assert.rejects(
      ddb.send(
        new UpdateTableCommand({
          TableName: 'people',
          AttributeDefinitions: [def('city', 'S')],
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: 'by-city',
                KeySchema: [{ AttributeName: 'city', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'ALL' },
              },
            },
          ],
        }),
      ),
      { name: 'ValidationException', message: /already exists: by-city/ },
    );

    const removed = await ddb.send(
      new UpdateTableCommand({
        TableName: 'people',
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-city' } }],
      }),
    );
    assert.ok(removed.TableDescription);
    await waitUntilTableExists(waiter(), { TableName: 'people' });
    const after = (await ddb.send(new DescribeTableCommand({ TableName: 'people' }))).Table!;
    assert.equal(after.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(after.AttributeDefinitions, [def('id', 'S')]);
    await assert.rejects(
      ddb.send(
        new QueryCommand({
          TableName: 'people',
          IndexName: 'by-city',
          KeyConditionExpression: 'city = :c',
          ExpressionAttributeValues: { ':c': S('oslo') },
        }),
      ),
      { name: 'ValidationException', message: 'The table does not have the specified index: by-city' },
    );
    await assert.rejects(
      ddb.send(
        new UpdateTableCommand({
          TableName: 'people',
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-city' } }],
        }),
      ),
      { name: 'ResourceNotFoundException' },
    );
    // Switching billing modes.
    const prov = await ddb.send(
      new UpdateTableCommand({
        TableName: 'people',
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
      }),
    );
    assert.equal(prov.TableDescription?.BillingModeSummary?.BillingMode, 'PROVISIONED');
    assert.equal(prov.TableDescription?.ProvisionedThroughput?.WriteCapacityUnits, 4);
  });

  it('pages ListTables with Limit and ExclusiveStartTableName, and with the paginator', async () => {
    const names = ['lt-a', 'lt-b', 'lt-c', 'lt-d', 'lt-e'];
    for (const TableName of names)
      await ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [def('k', 'S')],
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    const p1 = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: 'lt-', Limit: 2 }));
    assert.deepEqual(p1.TableNames, ['lt-a', 'lt-b']);
    assert.equal(p1.LastEvaluatedTableName, 'lt-b');
    const p2 = await ddb.send(
      new ListTablesCommand({ ExclusiveStartTableName: p1.LastEvaluatedTableName, Limit: 2 }),
    );
    assert.deepEqual(p2.TableNames, ['lt-c', 'lt-d']);
    const p3 = await ddb.send(
      new ListTablesCommand({ ExclusiveStartTableName: p2.LastEvaluatedTableName, Limit: 3 }),
    );
    assert.equal(p3.TableNames?.[0], 'lt-e');
    const all: string[] = [];
    for await (const page of paginateListTables({ client: ddb, pageSize: 2 }, {}))
      all.push(...(page.TableNames ?? []));
    assert.deepEqual(all, [...all].sort());
    for (const n of [...names, 'orders', 'people', 'readings', 'users']) assert.ok(all.includes(n), n);
    assert.equal(new Set(all).size, all.length);
    // The last page of an exact fit carries no LastEvaluatedTableName.
    const tail = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: 'lt-d', Limit: 1 }));
    assert.deepEqual(tail.TableNames, ['lt-e']);
    await assert.rejects(ddb.send(new ListTablesCommand({ Limit: 101 })), {
      name: 'ValidationException',
      message: /at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100/,
    });
  });

  it('turns TTL on and off, and tags tables', async () => {
    const ttl0 = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'users' }));
    assert.deepEqual(ttl0.TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' });
    const on = await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'users',
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
      }),
    );
    assert.deepEqual(on.TimeToLiveSpecification, { AttributeName: 'expires', Enabled: true });
    const ttl1 = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'users' }));
    assert.deepEqual(ttl1.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    await assert.rejects(
      ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: 'users',
          TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
        }),
      ),
      { name: 'ValidationException', message: 'TimeToLive is already enabled' },
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'users',
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: false },
      }),
    );
    const ttl2 = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'users' }));
    assert.equal(ttl2.TimeToLiveDescription?.TimeToLiveStatus, 'DISABLED');
    await assert.rejects(ddb.send(new DescribeTimeToLiveCommand({ TableName: 'nope' })), {
      name: 'ResourceNotFoundException',
    });

    const arn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/users`;
    await ddb.send(
      new TagResourceCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    assert.deepEqual(
      tags.Tags?.sort((a, b) => a.Key!.localeCompare(b.Key!)),
      [
        { Key: 'env', Value: 'dev' },
        { Key: 'team', Value: 'core' },
      ],
    );
    await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['env'] }));
    const left = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    assert.deepEqual(left.Tags, [{ Key: 'team', Value: 'core' }]);
    await assert.rejects(
      ddb.send(
        new ListTagsOfResourceCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/nope` }),
      ),
      { name: 'ResourceNotFoundException' },
    );
  });

  it('refuses duplicate tables and bad definitions with AWS errors', async () => {
    const base: CreateTableCommandInput = {
      TableName: 'bad',
      AttributeDefinitions: [def('id', 'S')],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    await assert.rejects(ddb.send(new CreateTableCommand({ ...base, TableName: 'users' })), {
      name: 'ResourceInUseException',
      message: 'Table already exists: users',
    });
    const refused = async (input: Partial<CreateTableCommandInput>, message: string | RegExp) =>
      assert.rejects(
        ddb.send(new CreateTableCommand({ ...base, ...input } as CreateTableCommandInput)),
        { name: 'ValidationException', message },
        JSON.stringify(input),
      );
    await refused(
      { AttributeDefinitions: [def('other', 'S')] },
      /^One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions/,
    );
    await refused(
      { AttributeDefinitions: [def('id', 'S'), def('extra', 'N')] },
      'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
    );
    await refused(
      { KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] },
      /The first KeySchemaElement is not a HASH key type/,
    );
    await refused(
      { BillingMode: 'PROVISIONED' },
      /ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED/,
    );
    await refused({ TableName: 'x' }, /Member must have length greater than or equal to 3/);
    await refused({ TableName: 'bad name!' }, /Member must satisfy regular expression pattern/);
    await refused(
      {
        LocalSecondaryIndexes: [
          {
            IndexName: 'lsi',
            KeySchema: [
              { AttributeName: 'id', KeyType: 'HASH' },
              { AttributeName: 'id', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
      /Both the Hash Key and the Range Key element in the KeySchema have the same name|does not have a range key/,
    );
    await refused(
      {
        AttributeDefinitions: [def('id', 'S'), def('g', 'S')],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi',
            KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE' },
          },
        ],
      },
      /NonKeyAttributes/,
    );
    // Nothing was created by the refused calls; the server still serves.
    const list = await ddb.send(new ListTablesCommand({}));
    assert.ok(!list.TableNames?.includes('bad'));
  });
});
