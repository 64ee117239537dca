import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  IdempotentParameterMismatchException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });

/**
 * BatchWriteItem, BatchGetItem, TransactWriteItems and TransactGetItems through
 * `@aws-sdk/client-dynamodb` and the DocumentClient against a real `baton up`: batch limits and
 * the UnprocessedKeys shape, all-or-nothing transactions with CancellationReasons in request
 * order, and ClientRequestToken idempotency.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
describe('DynamoDB batches and transactions with @aws-sdk/client-dynamodb against a real baton up', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;

  before(async () => {
    s = await startServerProcess();
    ddb = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    doc = DynamoDBDocumentClient.from(ddb);
    for (const [TableName, range] of [
      ['accounts', false],
      ['ledger', true],
      ['blobs', false],
    ] as const)
      await ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [
            { AttributeName: 'id', AttributeType: 'S' },
            ...(range ? [{ AttributeName: 'seq', AttributeType: 'N' as const }] : []),
          ],
          KeySchema: [
            { AttributeName: 'id', KeyType: 'HASH' },
            ...(range ? [{ AttributeName: 'seq', KeyType: 'RANGE' as const }] : []),
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
  });
  after(async () => {
    ddb.destroy();
    await s.stop();
  });

  it('writes 25 items in a batch, across tables, and reads 100 back', async () => {
    const puts = Array.from({ length: 20 }, (_, i) => ({
      PutRequest: { Item: { id: `a${i}`, balance: i } },
    }));
    const ledger = Array.from({ length: 5 }, (_, i) => ({
      PutRequest: { Item: { id: 'l', seq: i, note: `n${i}` } },
    }));
    const w = await doc.send(new BatchWriteCommand({ RequestItems: { accounts: puts, ledger } }));
    assert.deepEqual(w.UnprocessedItems, {});
    // 26 writes are refused (AWS echoes the table's list, then names the constraint), in one
    // table or across two, as are two writes of one key.
    const extra = Array.from({ length: 6 }, (_, i) => ({ PutRequest: { Item: { id: `x${i}` } } }));
    await assert.rejects(
      doc.send(new BatchWriteCommand({ RequestItems: { accounts: [...puts, ...extra] } })),
      {
        name: 'ValidationException',
        message:
          /^1 validation error detected: Value '\{accounts=\[.+\]\}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]$/s,
      },
    );
    await assert.rejects(
      doc.send(new BatchWriteCommand({ RequestItems: { accounts: [...puts, extra[0]!], ledger } })),
      { name: 'ValidationException', message: 'Too many items requested for the BatchWriteItem call' },
    );
    await assert.rejects(
      doc.send(
        new BatchWriteCommand({
          RequestItems: {
            accounts: [{ PutRequest: { Item: { id: 'a1' } } }, { DeleteRequest: { Key: { id: 'a1' } } }],
          },
        }),
      ),
      { name: 'ValidationException', message: 'Provided list of item keys contains duplicates' },
    );
    // Deletes and puts mixed.
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          accounts: [
            { DeleteRequest: { Key: { id: 'a0' } } },
            { DeleteRequest: { Key: { id: 'never-there' } } },
            { PutRequest: { Item: { id: 'a1', balance: 100 } } },
          ],
        },
      }),
    );
    const more = Array.from({ length: 80 }, (_, i) => ({
      PutRequest: { Item: { id: `b${i}`, balance: 0 } },
    }));
    for (let i = 0; i < more.length; i += 25)
      await doc.send(new BatchWriteCommand({ RequestItems: { accounts: more.slice(i, i + 25) } }));

    const keys = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `a${i}` })),
      ...more.map((p) => ({ id: p.PutRequest.Item.id })),
    ];
    const got = await doc.send(
      new BatchGetCommand({
        RequestItems: {
          accounts: {
            Keys: keys,
            ProjectionExpression: 'id, #b',
            ExpressionAttributeNames: { '#b': 'balance' },
          },
        },
      }),
    );
    assert.deepEqual(got.UnprocessedKeys, {});
    const items = got.Responses?.accounts ?? [];
    // a0 was deleted: 99 of the 100 keys are there.
    assert.equal(items.length, 99);
    assert.equal(items.find((i) => i.id === 'a1')?.balance, 100);
    assert.ok(items.every((i) => Object.keys(i).sort().join() === 'balance,id'));
    // 101 keys: in one table, the member constraint; across tables, AWS's "Too many items".
    await assert.rejects(
      doc.send(
        new BatchGetCommand({ RequestItems: { accounts: { Keys: [...keys, { id: 'one-too-many' }] } } }),
      ),
      {
        name: 'ValidationException',
        message:
          "1 validation error detected: Value at 'RequestItems.accounts.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100",
      },
    );
    await assert.rejects(
      doc.send(
        new BatchGetCommand({
          RequestItems: { accounts: { Keys: keys }, ledger: { Keys: [{ id: 'l', seq: 1 }] } },
        }),
      ),
      { name: 'ValidationException', message: 'Too many items requested for the BatchGetItem call' },
    );
    await assert.rejects(
      doc.send(new BatchGetCommand({ RequestItems: { accounts: { Keys: [{ id: 'a1' }, { id: 'a1' }] } } })),
      { name: 'ValidationException', message: 'Provided list of item keys contains duplicates' },
    );
    await assert.rejects(
      doc.send(new BatchGetCommand({ RequestItems: { nope: { Keys: [{ id: 'a1' }] } } })),
      {
        name: 'ResourceNotFoundException',
      },
    );
    const two = await ddb.send(
      new BatchGetItemCommand({
        RequestItems: {
          accounts: { Keys: [{ id: S('a2') }], ConsistentRead: true },
          ledger: {
            Keys: [
              { id: S('l'), seq: N(3) },
              { id: S('l'), seq: N(99) },
            ],
          },
        },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    assert.deepEqual(two.Responses?.accounts, [{ id: S('a2'), balance: N(2) }]);
    assert.deepEqual(two.Responses?.ledger, [{ id: S('l'), seq: N(3), note: S('n3') }]);
    assert.deepEqual(two.UnprocessedKeys, {});
    assert.deepEqual(two.ConsumedCapacity?.map((c) => c.TableName).sort(), ['accounts', 'ledger']);
  });

  it('answers a batch get beyond 16 MB in part, with the rest as UnprocessedKeys', async () => {
    const filler = 'z'.repeat(390 * 1024);
    for (let i = 0; i < 50; i += 25)
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            blobs: Array.from({ length: 25 }, (_, j) => ({
              PutRequest: { Item: { id: S(`big${i + j}`), f: S(filler) } },
            })),
          },
        }),
      );
    const Keys = Array.from({ length: 50 }, (_, i) => ({ id: S(`big${i}`) }));
    const first = await ddb.send(
      new BatchGetItemCommand({
        RequestItems: { blobs: { Keys, ProjectionExpression: 'id, f', ConsistentRead: true } },
      }),
    );
    const got = first.Responses?.blobs ?? [];
    const left = first.UnprocessedKeys?.blobs;
    assert.ok(got.length > 0 && got.length < 50, `answered ${got.length}`);
    // The unprocessed part is a ready-to-send request: its keys plus the request's other members.
    assert.ok(left);
    assert.equal(left.Keys?.length, 50 - got.length);
    assert.equal(left.ProjectionExpression, 'id, f');
    assert.equal(left.ConsistentRead, true);
    const second = await ddb.send(new BatchGetItemCommand({ RequestItems: { blobs: left } }));
    assert.deepEqual(second.UnprocessedKeys, {});
    const ids = new Set([...got, ...(second.Responses?.blobs ?? [])].map((i) => i.id!.S));
    assert.equal(ids.size, 50);
  });

  it('commits a transaction all or nothing, with CancellationReasons in request order', async () => {
    await doc.send(new PutCommand({ TableName: 'accounts', Item: { id: 'alice', balance: 100 } }));
    await doc.send(new PutCommand({ TableName: 'accounts', Item: { id: 'bob', balance: 10 } }));
    const transfer = (amount: number, extra: Record<string, unknown>[] = []) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: 'accounts',
                Key: { id: 'alice' },
                UpdateExpression: 'SET balance = balance - :a',
                ConditionExpression: 'balance >= :a',
                ExpressionAttributeValues: { ':a': amount },
              },
            },
            {
              Update: {
                TableName: 'accounts',
                Key: { id: 'bob' },
                UpdateExpression: 'SET balance = balance + :a',
                ExpressionAttributeValues: { ':a': amount },
              },
            },
            {
              Put: {
                TableName: 'ledger',
                Item: { id: 'transfers', seq: amount, amount },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            },
            ...extra,
          ],
        }),
      );
    await transfer(30);
    const balances = async () => {
      const r = await doc.send(
        new BatchGetCommand({ RequestItems: { accounts: { Keys: [{ id: 'alice' }, { id: 'bob' }] } } }),
      );
      return Object.fromEntries((r.Responses?.accounts ?? []).map((i) => [i.id, i.balance]));
    };
    assert.deepEqual(await balances(), { alice: 70, bob: 40 });

    // Too much: the first condition fails; nothing is written, and each item has its reason.
    await assert.rejects(transfer(500), (e: unknown) => {
      assert.ok(e instanceof TransactionCanceledException);
      assert.deepEqual(
        e.CancellationReasons?.map((r) => r.Code),
        ['ConditionalCheckFailed', 'None', 'None'],
      );
      assert.equal(e.CancellationReasons?.[0]?.Message, 'The conditional request failed');
      assert.equal(
        e.message,
        'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]',
      );
      return true;
    });
    // Two failures, at the third and fourth items, the last returning the item as it is.
    await assert.rejects(
      transfer(30, [
        {
          ConditionCheck: {
            TableName: 'accounts',
            Key: { id: 'bob' },
            ConditionExpression: 'balance > :big',
            ExpressionAttributeValues: { ':big': 1000 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]).catch((e) => {
        throw e;
      }),
      {
        name: 'ValidationException',
        message: 'Transaction request cannot include multiple operations on one item',
      },
    );
    await assert.rejects(
      transfer(30, [
        {
          ConditionCheck: {
            TableName: 'ledger',
            Key: { id: 'transfers', seq: 500 },
            ConditionExpression: 'attribute_exists(id)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Delete: {
            TableName: 'accounts',
            Key: { id: 'a5' },
            ConditionExpression: 'balance = :x',
            ExpressionAttributeValues: { ':x': -1 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]),
      (e: unknown) => {
        assert.ok(e instanceof TransactionCanceledException);
        assert.deepEqual(
          e.CancellationReasons?.map((r) => r.Code),
          ['None', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'ConditionalCheckFailed'],
        );
        // An absent item has no Item to return; a present one comes back as AttributeValues.
        assert.equal(e.CancellationReasons?.[3]?.Item, undefined);
        assert.deepEqual(e.CancellationReasons?.[4]?.Item, { id: S('a5'), balance: N(5) });
        return true;
      },
    );
    assert.deepEqual(await balances(), { alice: 70, bob: 40 });
    const ledger = await doc.send(
      new ScanCommand({
        TableName: 'ledger',
        FilterExpression: 'id = :t',
        ExpressionAttributeValues: { ':t': 'transfers' },
      }),
    );
    assert.equal(ledger.Count, 1);

    // A write that breaks a rule at run time cancels with ValidationError.
    await assert.rejects(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 'accounts', Item: { id: 'carol', balance: 1 } } },
            {
              Update: {
                TableName: 'accounts',
                Key: { id: 'alice' },
                // `id` is a string: only evaluation finds that out.
                UpdateExpression: 'SET balance = id + :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof TransactionCanceledException, String(e));
        assert.deepEqual(
          e.CancellationReasons?.map((r) => r.Code),
          ['None', 'ValidationError'],
        );
        return true;
      },
    );
    assert.equal(
      (await doc.send(new GetCommand({ TableName: 'accounts', Key: { id: 'carol' } }))).Item,
      undefined,
    );

    const tg = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: 'accounts', Key: { id: 'bob' } } },
          { Get: { TableName: 'accounts', Key: { id: 'nobody' } } },
          { Get: { TableName: 'ledger', Key: { id: 'transfers', seq: 30 }, ProjectionExpression: 'amount' } },
        ],
      }),
    );
    assert.deepEqual(tg.Responses, [{ Item: { id: 'bob', balance: 40 } }, {}, { Item: { amount: 30 } }]);
    await assert.rejects(
      doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'nope', Key: { id: 'x' } } }] })),
      { name: 'ResourceNotFoundException' },
    );
  });

  it('makes a transaction idempotent with ClientRequestToken', async () => {
    const request = (by: number, token: string): TransactWriteItemsCommandInput => ({
      ClientRequestToken: token,
      TransactItems: [
        {
          Update: {
            TableName: 'accounts',
            Key: { id: S('counter') },
            UpdateExpression: 'ADD hits :n',
            ExpressionAttributeValues: { ':n': N(by) },
          },
        },
        {
          Put: {
            TableName: 'ledger',
            Item: { id: S('once'), seq: N(1) },
            ConditionExpression: 'attribute_not_exists(id)',
          },
        },
      ],
    });
    await ddb.send(new TransactWriteItemsCommand(request(1, 'token-1')));
    // The same request again: answered as before, written once, even though the condition would
    // now fail.
    await ddb.send(new TransactWriteItemsCommand(request(1, 'token-1')));
    const hits = await doc.send(new GetCommand({ TableName: 'accounts', Key: { id: 'counter' } }));
    assert.equal(hits.Item?.hits, 1);
    await assert.rejects(ddb.send(new TransactWriteItemsCommand(request(2, 'token-1'))), (e: unknown) => {
      assert.ok(e instanceof IdempotentParameterMismatchException);
      return true;
    });
    // Without a token (or with another) it is a new transaction, and its condition fails.
    await assert.rejects(ddb.send(new TransactWriteItemsCommand(request(1, 'token-2'))), {
      name: 'TransactionCanceledException',
    });
    // The SDK fills a token in when none is given, so its own retries are idempotent.
    const auto = await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'ledger', Item: { id: S('auto'), seq: N(1) } } }],
      }),
    );
    assert.equal(auto.$metadata.httpStatusCode, 200);
  });
});
