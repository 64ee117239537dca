import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

/**
 * Items through the DocumentClient (`@aws-sdk/lib-dynamodb`) against a real `baton up`: the
 * single-table design patterns, conditional writes as optimistic locking, every ReturnValues,
 * UpdateExpression actions on nested paths, and every attribute type, with numbers kept exact.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-modeling-nosql-B.html
 */
describe('DynamoDB items with @aws-sdk/lib-dynamodb against a real baton up', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  /** A DocumentClient that hands numbers back as NumberValue (exact strings). */
  let exact: DynamoDBDocumentClient;
  let exactBase: DynamoDBClient;
  const TableName = 'app';

  before(async () => {
    s = await startServerProcess();
    ddb = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    // A DocumentClient shares its client's config, so the exact one wraps a client of its own.
    exactBase = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    exact = DynamoDBDocumentClient.from(exactBase, { unmarshallOptions: { wrapNumbers: true } });
    await ddb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
          { AttributeName: 'flagged', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'flagged',
            KeySchema: [{ AttributeName: 'flagged', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    ddb.destroy();
    exactBase.destroy();
    await s.stop();
  });

  it('serves the single-table design: item collections, begins_with, GSI overloading, sparse indexes', async () => {
    const put = (Item: Record<string, unknown>) => doc.send(new PutCommand({ TableName, Item }));
    await put({
      pk: 'USER#1',
      sk: 'PROFILE',
      name: 'Ann',
      gsi1pk: 'EMAIL#ann@example.com',
      gsi1sk: 'USER#1',
    });
    await put({
      pk: 'USER#2',
      sk: 'PROFILE',
      name: 'Bob',
      gsi1pk: 'EMAIL#bob@example.com',
      gsi1sk: 'USER#2',
    });
    const orders = [
      ['USER#1', '2024-03-01#17', 'open', 30],
      ['USER#1', '2024-01-15#03', 'shipped', 12.5],
      ['USER#1', '2024-02-20#09', 'open', 99],
      ['USER#2', '2024-02-01#11', 'open', 5],
    ] as const;
    for (const [user, id, status, total] of orders)
      await put({
        pk: user,
        sk: `ORDER#${id}`,
        total,
        gsi1pk: `STATUS#${status}`,
        gsi1sk: `${id}#${user}`,
        ...(total > 50 ? { flagged: 'big' } : {}),
      });
    await put({ pk: 'USER#1', sk: 'ADDRESS#home', city: 'Oslo' });

    // The whole item collection, in sort key order.
    const all = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :u',
        ExpressionAttributeValues: { ':u': 'USER#1' },
      }),
    );
    assert.deepEqual(
      all.Items?.map((i) => i.sk),
      ['ADDRESS#home', 'ORDER#2024-01-15#03', 'ORDER#2024-02-20#09', 'ORDER#2024-03-01#17', 'PROFILE'],
    );
    // Orders only, newest first; the latest one alone.
    const newest = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :u AND begins_with(sk, :o)',
        ExpressionAttributeValues: { ':u': 'USER#1', ':o': 'ORDER#' },
        ScanIndexForward: false,
      }),
    );
    assert.deepEqual(
      newest.Items?.map((i) => i.total),
      [30, 99, 12.5],
    );
    const latest = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :u AND begins_with(sk, :o)',
        ExpressionAttributeValues: { ':u': 'USER#1', ':o': 'ORDER#' },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    assert.equal(latest.Items?.[0]?.sk, 'ORDER#2024-03-01#17');
    assert.deepEqual(latest.LastEvaluatedKey, { pk: 'USER#1', sk: 'ORDER#2024-03-01#17' });
    // A date range within the collection.
    const feb = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :u AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':u': 'USER#1', ':a': 'ORDER#2024-02', ':b': 'ORDER#2024-03' },
      }),
    );
    assert.deepEqual(
      feb.Items?.map((i) => i.sk),
      ['ORDER#2024-02-20#09'],
    );

    // One GSI, two access patterns: users by email, orders by status.
    const byEmail = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :e',
        ExpressionAttributeValues: { ':e': 'EMAIL#bob@example.com' },
      }),
    );
    assert.deepEqual(
      byEmail.Items?.map((i) => i.name),
      ['Bob'],
    );
    const open = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :s AND gsi1sk >= :d',
        ExpressionAttributeValues: { ':s': 'STATUS#open', ':d': '2024-02' },
      }),
    );
    assert.deepEqual(
      open.Items?.map((i) => i.gsi1sk),
      ['2024-02-01#11#USER#2', '2024-02-20#09#USER#1', '2024-03-01#17#USER#1'],
    );
    // A GSI page resumes from a key holding the table key and the index key.
    const first = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :s',
        ExpressionAttributeValues: { ':s': 'STATUS#open' },
        Limit: 2,
      }),
    );
    assert.deepEqual(Object.keys(first.LastEvaluatedKey ?? {}).sort(), ['gsi1pk', 'gsi1sk', 'pk', 'sk']);
    const rest = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :s',
        ExpressionAttributeValues: { ':s': 'STATUS#open' },
        ExclusiveStartKey: first.LastEvaluatedKey,
      }),
    );
    assert.deepEqual(
      [...(first.Items ?? []), ...(rest.Items ?? [])].map((i) => i.sk),
      ['ORDER#2024-02-01#11', 'ORDER#2024-02-20#09', 'ORDER#2024-03-01#17'],
    );
    assert.equal(rest.LastEvaluatedKey, undefined);

    // The sparse index holds only flagged items, with keys only.
    const flagged = await doc.send(new ScanCommand({ TableName, IndexName: 'flagged' }));
    assert.deepEqual(flagged.Items, [{ pk: 'USER#1', sk: 'ORDER#2024-02-20#09', flagged: 'big' }]);
    // Removing the attribute takes the item out of the index.
    await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'USER#1', sk: 'ORDER#2024-02-20#09' },
        UpdateExpression: 'REMOVE flagged',
      }),
    );
    assert.equal((await doc.send(new ScanCommand({ TableName, IndexName: 'flagged' }))).Count, 0);
  });

  it('uses conditional writes for optimistic locking', async () => {
    const Key = { pk: 'DOC#1', sk: 'META' };
    await doc.send(
      new PutCommand({
        TableName,
        Item: { ...Key, body: 'v1', version: 1 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await assert.rejects(
      doc.send(
        new PutCommand({
          TableName,
          Item: { ...Key, body: 'dup' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof ConditionalCheckFailedException);
        assert.equal(e.message, 'The conditional request failed');
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.equal(e.Item, undefined);
        return true;
      },
    );
    const bump = (expected: number, body: string, extra: object = {}) =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'SET body = :b, version = version + :one',
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':b': body, ':one': 1, ':v': expected },
          ReturnValues: 'ALL_NEW',
          ...extra,
        }),
      );
    assert.deepEqual((await bump(1, 'v2')).Attributes, { ...Key, body: 'v2', version: 2 });
    // A writer holding the stale version loses, and can be shown the item as it is.
    await assert.rejects(
      bump(1, 'stale', { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      (e: unknown) => {
        assert.ok(e instanceof ConditionalCheckFailedException);
        assert.deepEqual(e.Item, {
          pk: { S: 'DOC#1' },
          sk: { S: 'META' },
          body: { S: 'v2' },
          version: { N: '2' },
        });
        return true;
      },
    );
    await assert.rejects(bump(1, 'stale', { ReturnValuesOnConditionCheckFailure: 'NONE' }), (e: unknown) => {
      assert.ok(e instanceof ConditionalCheckFailedException);
      assert.equal(e.Item, undefined);
      return true;
    });
    assert.equal((await doc.send(new GetCommand({ TableName, Key }))).Item?.body, 'v2');
    // The condition on an absent item sees no attributes; the update does not create it.
    await assert.rejects(
      doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk: 'DOC#404', sk: 'META' },
          UpdateExpression: 'SET body = :b',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':b': 'x' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      (e: unknown) => e instanceof ConditionalCheckFailedException && e.Item === undefined,
    );
    assert.equal(
      (await doc.send(new GetCommand({ TableName, Key: { pk: 'DOC#404', sk: 'META' } }))).Item,
      undefined,
    );
    // Conditional delete.
    await assert.rejects(
      doc.send(
        new DeleteCommand({
          TableName,
          Key,
          ConditionExpression: 'version > :v',
          ExpressionAttributeValues: { ':v': 5 },
        }),
      ),
      { name: 'ConditionalCheckFailedException' },
    );
    const deleted = await doc.send(
      new DeleteCommand({
        TableName,
        Key,
        ConditionExpression: 'version = :v AND contains(body, :s)',
        ExpressionAttributeValues: { ':v': 2, ':s': 'v' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.deepEqual(deleted.Attributes, { ...Key, body: 'v2', version: 2 });
  });

  it('lets exactly one of many racing writers win a version, and counts every ADD', async () => {
    const Key = { pk: 'RACE', sk: '1' };
    await doc.send(new PutCommand({ TableName, Item: { ...Key, version: 0, hits: 0 } }));
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key,
            UpdateExpression: 'SET version = :next, owner_id = :me',
            ConditionExpression: 'version = :seen',
            ExpressionAttributeValues: { ':seen': 0, ':next': 1, ':me': i },
          }),
        ),
      ),
    );
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
    for (const a of attempts)
      if (a.status === 'rejected') assert.ok(a.reason instanceof ConditionalCheckFailedException);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key,
            UpdateExpression: 'ADD hits :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      ),
    );
    const after = (await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item!;
    assert.equal(after.version, 1);
    assert.equal(after.hits, 50);
  });

  it('answers every ReturnValues', async () => {
    const Key = { pk: 'RV', sk: '1' };
    const p0 = await doc.send(
      new PutCommand({ TableName, Item: { ...Key, a: 1, b: 'x' }, ReturnValues: 'ALL_OLD' }),
    );
    assert.equal(p0.Attributes, undefined);
    const p1 = await doc.send(
      new PutCommand({
        TableName,
        Item: { ...Key, a: 2, b: 'y', m: { n: [1, 2, { c: 'z' }] } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.deepEqual(p1.Attributes, { ...Key, a: 1, b: 'x' });
    const p2 = await doc.send(
      new PutCommand({ TableName, Item: { ...Key, a: 2, b: 'y', m: { n: [1, 2, { c: 'z' }] } } }),
    );
    assert.equal(p2.Attributes, undefined);
    await assert.rejects(doc.send(new PutCommand({ TableName, Item: Key, ReturnValues: 'ALL_NEW' })), {
      name: 'ValidationException',
      message: 'ReturnValues can only be ALL_OLD or NONE',
    });

    const update = (
      ReturnValues: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW',
      c: string,
    ) =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'SET m.n[2].c = :c, a = a + :one ADD added :one',
          ExpressionAttributeValues: { ':c': c, ':one': 1 },
          ReturnValues,
        }),
      );
    assert.equal((await update('NONE', 'c1')).Attributes, undefined);
    assert.deepEqual((await update('ALL_OLD', 'c2')).Attributes, {
      ...Key,
      a: 3,
      b: 'y',
      added: 1,
      m: { n: [1, 2, { c: 'c1' }] },
    });
    // UPDATED_*: only the touched paths, nested as they sit in the item.
    assert.deepEqual((await update('UPDATED_OLD', 'c3')).Attributes, {
      a: 4,
      added: 2,
      m: { n: [{ c: 'c2' }] },
    });
    assert.deepEqual((await update('UPDATED_NEW', 'c4')).Attributes, {
      a: 6,
      added: 4,
      m: { n: [{ c: 'c4' }] },
    });
    assert.deepEqual((await update('ALL_NEW', 'c5')).Attributes, {
      ...Key,
      a: 7,
      b: 'y',
      added: 5,
      m: { n: [1, 2, { c: 'c5' }] },
    });
    // A list element removed, or appended past the end, changes the list: the whole list returns.
    await doc.send(new PutCommand({ TableName, Item: { pk: 'RV', sk: 'L', l: ['a', 'b', 'c'] } }));
    const removedOld = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'RV', sk: 'L' },
        UpdateExpression: 'REMOVE l[0]',
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    assert.deepEqual(removedOld.Attributes, { l: ['a', 'b', 'c'] });
    const appended = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'RV', sk: 'L' },
        UpdateExpression: 'SET l[9] = :v',
        ExpressionAttributeValues: { ':v': 'z' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(appended.Attributes, { l: ['b', 'c', 'z'] });
    const inPlace = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'RV', sk: 'L' },
        UpdateExpression: 'SET l[1] = :v',
        ExpressionAttributeValues: { ':v': 'y' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(inPlace.Attributes, { l: ['y'] });
    // REMOVE sets nothing new: UPDATED_NEW has no Attributes.
    const removedNew = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'RV', sk: 'L' },
        UpdateExpression: 'REMOVE l',
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.equal(removedNew.Attributes, undefined);
    // UPDATED_OLD of an attribute that did not exist: nothing to return.
    const fresh = await doc.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: 'SET brand_new = :v',
        ExpressionAttributeValues: { ':v': true },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    assert.equal(fresh.Attributes, undefined);
    // An update of an absent item creates it (an upsert); ALL_OLD is then empty.
    const upsert = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'RV', sk: '2' },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': 1 },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.equal(upsert.Attributes, undefined);
    const del = await doc.send(
      new DeleteCommand({ TableName, Key: { pk: 'RV', sk: '2' }, ReturnValues: 'ALL_OLD' }),
    );
    assert.deepEqual(del.Attributes, { pk: 'RV', sk: '2', n: 1 });
    const none = await doc.send(
      new DeleteCommand({ TableName, Key: { pk: 'RV', sk: '2' }, ReturnValues: 'ALL_OLD' }),
    );
    assert.equal(none.Attributes, undefined);
  });

  it('applies SET, REMOVE, ADD and DELETE on nested paths, list_append and if_not_exists', async () => {
    const Key = { pk: 'UPD', sk: '1' };
    await doc.send(
      new PutCommand({
        TableName,
        Item: {
          ...Key,
          a: { b: [{ c: 0 }, { c: 1 }, { c: 2, d: 'x' }] },
          list: ['p', 'q', 'r', 's'],
          tags: new Set(['red', 'green']),
          nums: new Set([1, 2, 3]),
          count: 10,
        },
      }),
    );
    const up = (UpdateExpression: string, values?: Record<string, unknown>, names?: Record<string, string>) =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression,
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
    let item = (await up('SET a.b[2].c = :v, a.b[2].e = :e', { ':v': 42, ':e': [] })).Attributes!;
    assert.deepEqual(item.a.b[2], { c: 42, d: 'x', e: [] });
    item = (
      await up(
        'SET #l = list_append(#l, :more), head = list_append(:first, #l)',
        { ':more': ['t'], ':first': ['o'] },
        { '#l': 'list' },
      )
    ).Attributes!;
    assert.deepEqual(item.list, ['p', 'q', 'r', 's', 't']);
    assert.deepEqual(item.head, ['o', 'p', 'q', 'r', 's']);
    item = (
      await up(
        'SET visits = if_not_exists(visits, :zero) + :one, #c = if_not_exists(#c, :zero) - :one',
        { ':zero': 0, ':one': 1 },
        { '#c': 'count' },
      )
    ).Attributes!;
    assert.equal(item.visits, 1);
    assert.equal(item.count, 9);
    // REMOVE list elements by their original indexes, and a nested map key.
    item = (await up('REMOVE #l[0], #l[2], a.b[2].d, head', undefined, { '#l': 'list' })).Attributes!;
    assert.deepEqual(item.list, ['q', 's', 't']);
    assert.equal(item.head, undefined);
    assert.deepEqual(item.a.b[2], { c: 42, e: [] });
    // SET past the end of a list appends.
    item = (await up('SET #l[10] = :v', { ':v': 'z' }, { '#l': 'list' })).Attributes!;
    assert.deepEqual(item.list, ['q', 's', 't', 'z']);
    // ADD to numbers and sets; DELETE from sets (the last member takes the attribute away).
    item = (
      await up('ADD tags :t, nums :n, newcount :five', {
        ':t': new Set(['blue', 'red']),
        ':n': new Set([4]),
        ':five': 5,
      })
    ).Attributes!;
    assert.deepEqual([...item.tags].sort(), ['blue', 'green', 'red']);
    assert.deepEqual([...item.nums].sort(), [1, 2, 3, 4]);
    assert.equal(item.newcount, 5);
    item = (
      await up('DELETE tags :t, nums :n', { ':t': new Set(['red', 'green', 'blue']), ':n': new Set([1, 9]) })
    ).Attributes!;
    assert.equal(item.tags, undefined);
    assert.deepEqual([...item.nums].sort(), [2, 3, 4]);
    // All four clauses in one expression, any order.
    item = (
      await up('DELETE nums :two REMOVE visits ADD newcount :one SET a.b[0].c = :s', {
        ':two': new Set([2]),
        ':one': 1,
        ':s': 'zero',
      })
    ).Attributes!;
    assert.deepEqual([...item.nums].sort(), [3, 4]);
    assert.equal(item.visits, undefined);
    assert.equal(item.newcount, 6);
    assert.equal(item.a.b[0].c, 'zero');

    const refused = (expr: string, values: Record<string, unknown> | undefined, message: string | RegExp) =>
      assert.rejects(
        up(expr, values, expr.includes('#l') ? { '#l': 'list' } : undefined),
        { name: 'ValidationException', message },
        expr,
      );
    await refused(
      'SET absent.x = :v',
      { ':v': 1 },
      'The document path provided in the update expression is invalid for update',
    );
    await refused(
      'SET nope = nope + :v',
      { ':v': 1 },
      'The provided expression refers to an attribute that does not exist in the item',
    );
    await refused(
      'SET n2 = a + :v',
      { ':v': 1 },
      'An operand in the update expression has an incorrect data type',
    );
    await refused('ADD a :v', { ':v': 1 }, 'An operand in the update expression has an incorrect data type');
    await refused(
      'SET pk = :v',
      { ':v': 'x' },
      /Cannot update attribute pk. This attribute is part of the key/,
    );
    await refused('SET a = :v REMOVE a', { ':v': 1 }, /Two document paths overlap with each other/);
    await refused(
      'SET #l = list_append(#l, :v)',
      { ':v': 'x' },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S',
    );
  });

  it('keeps numbers exact (38 digits), and round-trips sets, binary, NULL, BOOL, maps and lists', async () => {
    const big = '12345678901234567890123456789012345678';
    const tiny = '0.00000000000000000000000000000000000000000000000000000000000000001';
    await exact.send(
      new PutCommand({
        TableName,
        Item: { pk: 'NUM', sk: '1', big: NumberValue.from(big), tiny: NumberValue.from(tiny), f: 0.1 },
      }),
    );
    const got = await exact.send(new GetCommand({ TableName, Key: { pk: 'NUM', sk: '1' } }));
    assert.ok(got.Item?.big instanceof NumberValue);
    assert.equal(got.Item.big.toString(), big);
    assert.equal(got.Item.tiny.toString(), tiny);
    // Arithmetic stays exact at full precision.
    const sum = await exact.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'NUM', sk: '1' },
        UpdateExpression: 'SET big = big + :one, f = f + :f ADD tiny :tiny',
        ExpressionAttributeValues: {
          ':one': 1,
          ':f': NumberValue.from('0.2'),
          ':tiny': NumberValue.from(tiny),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.equal(sum.Attributes?.big.toString(), '12345678901234567890123456789012345679');
    assert.equal(sum.Attributes?.f.toString(), '0.3');
    assert.equal(sum.Attributes?.tiny.toString(), tiny.replace(/1$/, '2'));
    // Through the low-level client: N strings are canonicalised but never rounded.
    await ddb.send(
      new PutItemCommand({
        TableName,
        Item: {
          pk: { S: 'NUM' },
          sk: { S: '2' },
          e: { N: '1.5E+3' },
          z: { N: '-0.000' },
          lead: { N: '007.50' },
          neg: { N: '-99999999999999999999999999999999999999' },
          huge: { N: '9.9999999999999999999999999999999999999E+125' },
        },
      }),
    );
    const raw = (await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'NUM' }, sk: { S: '2' } } })))
      .Item!;
    assert.equal(raw.e?.N, '1500');
    assert.equal(raw.z?.N, '0');
    assert.equal(raw.lead?.N, '7.5');
    assert.equal(raw.neg?.N, '-99999999999999999999999999999999999999');
    assert.equal(raw.huge?.N, `99999999999999999999999999999999999999${'0'.repeat(88)}`);
    await assert.rejects(
      ddb.send(
        new UpdateItemCommand({
          TableName,
          Key: { pk: { S: 'NUM' }, sk: { S: '2' } },
          UpdateExpression: 'SET huge = huge + huge',
        }),
      ),
      {
        name: 'ValidationException',
        message: 'Number overflow. Attempting to store a number with magnitude larger than supported range',
      },
    );
    await assert.rejects(
      ddb.send(
        new PutItemCommand({
          TableName,
          Item: { pk: { S: 'NUM' }, sk: { S: '3' }, n: { N: '123456789012345678901234567890123456789' } },
        }),
      ),
      {
        name: 'ValidationException',
        message: 'Attempting to store more than 38 significant digits in a Number',
      },
    );

    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const item = {
      pk: 'TYPES',
      sk: '1',
      s: 'héllo ✓ 😀',
      n: -12.75,
      b: bytes,
      ss: new Set(['a', 'b']),
      ns: new Set([1, 2.5, -3]),
      bs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
      nul: null,
      t: true,
      f: false,
      m: { deep: { deeper: { elems: [1, 'two', null, false, { x: new Uint8Array([9]) }] } }, empty: {} },
      l: [[], [[1]], {}],
      emptyString: '',
    };
    await doc.send(new PutCommand({ TableName, Item: item }));
    const back = (
      await doc.send(new GetCommand({ TableName, Key: { pk: 'TYPES', sk: '1' }, ConsistentRead: true }))
    ).Item!;
    assert.deepEqual(back, item);
    const typed = (
      await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'TYPES' }, sk: { S: '1' } } }))
    ).Item!;
    assert.deepEqual(typed.nul, { NULL: true });
    assert.deepEqual(typed.f, { BOOL: false });
    assert.deepEqual(typed.ss?.SS?.sort(), ['a', 'b']);
    assert.deepEqual(typed.ns?.NS?.sort(), ['-3', '1', '2.5']);
    // Conditions over types, sizes and sets.
    const check = async (
      ConditionExpression: string,
      ExpressionAttributeValues?: Record<string, unknown>,
    ) => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: { pk: 'TYPES', sk: '1' },
            UpdateExpression: 'SET touched = :true',
            ConditionExpression,
            ExpressionAttributeValues: { ':true': true, ...ExpressionAttributeValues },
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    };
    assert.equal(await check('attribute_type(nul, :t)', { ':t': 'NULL' }), true);
    assert.equal(await check('attribute_type(ns, :t)', { ':t': 'NS' }), true);
    assert.equal(await check('attribute_type(ns, :t)', { ':t': 'SS' }), false);
    assert.equal(await check('size(b) = :five', { ':five': 5 }), true);
    assert.equal(await check('size(s) = :n', { ':n': 15 }), true);
    assert.equal(await check('size(m.deep.deeper.elems) = :five', { ':five': 5 }), true);
    assert.equal(await check('contains(ss, :a) AND contains(ns, :n)', { ':a': 'a', ':n': 2.5 }), true);
    assert.equal(await check('m.deep.deeper.elems[4].x = :b', { ':b': new Uint8Array([9]) }), true);
    assert.equal(await check('n BETWEEN :lo AND :hi', { ':lo': -13, ':hi': -12.5 }), true);
    assert.equal(await check('s IN (:x, :y)', { ':x': 'no', ':y': 'héllo ✓ 😀' }), true);
    assert.equal(await check('NOT (t = :f) AND (f = :f OR nothing = :f)', { ':f': false }), true);
    assert.equal(await check('nothing <> :f', { ':f': false }), true);
    assert.equal(await check('nothing < :n', { ':n': 1 }), false);
  });
});
