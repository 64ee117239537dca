import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  ScanCommand as DocScanCommand,
  DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

type Item = Record<string, AttributeValue>;
const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });

/**
 * Query and Scan through `@aws-sdk/client-dynamodb` and the DocumentClient's paginators against
 * a real `baton up`: every key condition, both directions, Limit and the 1 MB page limit with
 * LastEvaluatedKey paging, filters (Count vs ScannedCount), projections, Select COUNT, indexes,
 * and parallel scans that cover every item exactly once.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
describe('DynamoDB Query and Scan with @aws-sdk/client-dynamodb against a real baton up', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;

  /** Writes items 25 at a time. */
  async function load(TableName: string, items: Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      const out = await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      assert.deepEqual(out.UnprocessedItems, {});
    }
  }

  /** Every page of a query or scan, following LastEvaluatedKey by hand. */
  async function pages(
    kind: 'query' | 'scan',
    input: QueryCommandInput | ScanCommandInput,
  ): Promise<{ items: Item[]; pages: number; count: number; scanned: number }> {
    const items: Item[] = [];
    let start: Item | undefined;
    let n = 0;
    let count = 0;
    let scanned = 0;
    do {
      const req = { ...input, ...(start ? { ExclusiveStartKey: start } : {}) };
      const out = await ddb.send(
        kind === 'query' ? new QueryCommand(req as QueryCommandInput) : new ScanCommand(req),
      );
      items.push(...(out.Items ?? []));
      count += out.Count ?? 0;
      scanned += out.ScannedCount ?? 0;
      start = out.LastEvaluatedKey;
      n++;
      assert.ok(n < 1000, 'paging does not end');
    } while (start);
    return { items, pages: n, count, scanned };
  }

  before(async () => {
    s = await startServerProcess();
    ddb = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    doc = DynamoDBDocumentClient.from(ddb);
    const create = (TableName: string, sk: 'S' | 'N' | undefined, extra: object = {}) =>
      ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            ...(sk ? [{ AttributeName: 'sk', AttributeType: sk }] : []),
            ...((extra as { defs?: [] }).defs ?? []),
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            ...(sk ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
          ],
          BillingMode: 'PAY_PER_REQUEST',
          ...((extra as { gsis?: object }).gsis
            ? { GlobalSecondaryIndexes: (extra as { gsis: [] }).gsis }
            : {}),
        }),
      );
    await create('series', 'N', {
      defs: [{ AttributeName: 'kind', AttributeType: 'S' }],
      gsis: [
        {
          IndexName: 'by-kind',
          KeySchema: [
            { AttributeName: 'kind', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    await create('words', 'S');
    await create('flat', undefined);
    await create('big', 'N');
    // series: partition `p` holds sk 0..249; partitions q0..q9 hold 5 each.
    const series: Item[] = [];
    for (let i = 0; i < 250; i++)
      series.push({
        pk: S('p'),
        sk: N(i),
        kind: S(i % 2 === 0 ? 'even' : 'odd'),
        v: N(i % 10),
        m: { M: { a: N(i), b: S(`b${i}`) } },
      });
    for (let q = 0; q < 10; q++)
      for (let i = 0; i < 5; i++) series.push({ pk: S(`q${q}`), sk: N(i), kind: S('q') });
    await load('series', series);
    await load(
      'words',
      ['apple', 'apricot', 'banana', 'blueberry', 'cherry', 'Apple', 'äpfel', 'zebra', 'a', 'ap'].map(
        (w) => ({
          pk: S('w'),
          sk: S(w),
        }),
      ),
    );
    const flat: Item[] = [];
    for (let i = 0; i < 500; i++) flat.push({ pk: S(`item-${i}`), n: N(i), odd: { BOOL: i % 2 === 1 } });
    await load('flat', flat);
  });
  after(async () => {
    ddb.destroy();
    await s.stop();
  });

  it('applies every key condition operator, in both directions', async () => {
    const q = async (cond: string, values: Item, forward = true) =>
      (
        await ddb.send(
          new QueryCommand({
            TableName: 'series',
            KeyConditionExpression: cond,
            ExpressionAttributeValues: { ':p': S('p'), ...values },
            ScanIndexForward: forward,
          }),
        )
      ).Items!.map((i) => Number(i.sk!.N));
    assert.deepEqual(await q('pk = :p AND sk = :v', { ':v': N(7) }), [7]);
    assert.deepEqual(await q('pk = :p AND sk < :v', { ':v': N(3) }), [0, 1, 2]);
    assert.deepEqual(await q('pk = :p AND sk <= :v', { ':v': N(3) }), [0, 1, 2, 3]);
    assert.deepEqual(await q('pk = :p AND sk > :v', { ':v': N(246) }), [247, 248, 249]);
    assert.deepEqual(await q('pk = :p AND sk >= :v', { ':v': N(246) }, false), [249, 248, 247, 246]);
    assert.deepEqual(
      await q('sk BETWEEN :a AND :b AND pk = :p', { ':a': N(10), ':b': N(13) }),
      [10, 11, 12, 13],
    );
    assert.deepEqual(await q(':v > sk AND pk = :p', { ':v': N(2) }, false), [1, 0]);
    assert.deepEqual(await q('(pk = :p) AND (sk BETWEEN :a AND :a)', { ':a': N(5) }), [5]);
    assert.equal((await q('pk = :p', {})).length, 250);

    const w = async (cond: string, values: Item, forward = true) =>
      (
        await ddb.send(
          new QueryCommand({
            TableName: 'words',
            KeyConditionExpression: `pk = :w AND ${cond}`,
            ExpressionAttributeValues: { ':w': S('w'), ...values },
            ScanIndexForward: forward,
          }),
        )
      ).Items!.map((i) => i.sk!.S);
    // Strings order by UTF-8 bytes: upper case before lower, non-ASCII last.
    assert.deepEqual(await w('sk >= :a', { ':a': S('A') }), [
      'Apple',
      'a',
      'ap',
      'apple',
      'apricot',
      'banana',
      'blueberry',
      'cherry',
      'zebra',
      'äpfel',
    ]);
    assert.deepEqual(await w('begins_with(sk, :p)', { ':p': S('ap') }), ['ap', 'apple', 'apricot']);
    assert.deepEqual(await w('begins_with(sk, :p)', { ':p': S('ap') }, false), ['apricot', 'apple', 'ap']);
    assert.deepEqual(await w('begins_with(sk, :p)', { ':p': S('ä') }), ['äpfel']);
    assert.deepEqual(await w('sk BETWEEN :a AND :b', { ':a': S('b'), ':b': S('c') }), [
      'banana',
      'blueberry',
    ]);
    assert.deepEqual(await w('sk < :a', { ':a': S('a') }), ['Apple']);
  });

  it('pages with Limit and LastEvaluatedKey, by hand and with the paginators', async () => {
    const byHand = await pages('query', {
      TableName: 'series',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': S('p') },
      Limit: 7,
    });
    assert.deepEqual(
      byHand.items.map((i) => Number(i.sk!.N)),
      Array.from({ length: 250 }, (_, i) => i),
    );
    assert.equal(byHand.pages, 36);
    // Backwards, with a sort key condition, across pages.
    const back = await pages('query', {
      TableName: 'series',
      KeyConditionExpression: 'pk = :p AND sk < :v',
      ExpressionAttributeValues: { ':p': S('p'), ':v': N(100) },
      ScanIndexForward: false,
      Limit: 9,
    });
    assert.deepEqual(
      back.items.map((i) => Number(i.sk!.N)),
      Array.from({ length: 100 }, (_, i) => 99 - i),
    );
    // A page that ends exactly at the last item still says LastEvaluatedKey; the next is empty.
    const exact = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('q3') },
        Limit: 5,
      }),
    );
    assert.deepEqual(exact.LastEvaluatedKey, { pk: S('q3'), sk: N(4) });
    const empty = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('q3') },
        ExclusiveStartKey: exact.LastEvaluatedKey,
      }),
    );
    assert.equal(empty.Count, 0);
    assert.deepEqual(empty.Items, []);
    assert.equal(empty.LastEvaluatedKey, undefined);

    let seen = 0;
    let pageCount = 0;
    for await (const page of paginateQuery(
      { client: doc, pageSize: 40 },
      {
        TableName: 'series',
        IndexName: 'by-kind',
        KeyConditionExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'odd' },
      },
    )) {
      for (const item of page.Items ?? []) {
        assert.equal(item.sk, 2 * seen + 1);
        seen++;
      }
      pageCount++;
    }
    assert.equal(seen, 125);
    assert.equal(pageCount, 4);
    const keys = new Set<string>();
    for await (const page of paginateScan({ client: doc, pageSize: 33 }, { TableName: 'flat' }))
      for (const item of page.Items ?? []) keys.add(item.pk);
    assert.equal(keys.size, 500);
    const scanned = await pages('scan', { TableName: 'series', Limit: 17 });
    assert.equal(scanned.items.length, 300);
    assert.equal(new Set(scanned.items.map((i) => `${i.pk!.S}/${i.sk!.N}`)).size, 300);
  });

  it('filters after reading (Count vs ScannedCount), projects, and counts', async () => {
    const filtered = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p AND sk < :hi',
        FilterExpression: 'v = :three OR m.b = :b',
        ExpressionAttributeValues: { ':p': S('p'), ':hi': N(50), ':three': N(3), ':b': S('b40') },
      }),
    );
    assert.equal(filtered.ScannedCount, 50);
    assert.equal(filtered.Count, 6);
    assert.deepEqual(
      filtered.Items?.map((i) => i.sk?.N),
      ['3', '13', '23', '33', '40', '43'],
    );
    // Limit bounds the items read, not the items returned.
    const limited = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p',
        FilterExpression: 'v = :three',
        ExpressionAttributeValues: { ':p': S('p'), ':three': N(3) },
        Limit: 10,
      }),
    );
    assert.equal(limited.ScannedCount, 10);
    assert.equal(limited.Count, 1);
    assert.deepEqual(limited.LastEvaluatedKey, { pk: S('p'), sk: N(9) });
    const all = await pages('scan', {
      TableName: 'flat',
      FilterExpression: 'odd = :t AND n >= :min',
      ExpressionAttributeValues: { ':t': { BOOL: true }, ':min': N(100) },
      Limit: 64,
    });
    assert.equal(all.scanned, 500);
    assert.equal(all.count, 200);
    assert.equal(all.items.length, 200);

    const projected = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p AND sk = :s',
        ProjectionExpression: 'm.b, #k, missing_attr',
        ExpressionAttributeNames: { '#k': 'kind' },
        ExpressionAttributeValues: { ':p': S('p'), ':s': N(12) },
      }),
    );
    assert.deepEqual(projected.Items, [{ m: { M: { b: S('b12') } }, kind: S('even') }]);

    const counted = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p',
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':p': S('p'), ':k': S('even') },
        Select: 'COUNT',
      }),
    );
    assert.equal(counted.Items, undefined);
    assert.equal(counted.Count, 125);
    assert.equal(counted.ScannedCount, 250);
    const scanCount = await ddb.send(new ScanCommand({ TableName: 'flat', Select: 'COUNT' }));
    assert.equal(scanCount.Count, 500);
    await assert.rejects(
      ddb.send(new ScanCommand({ TableName: 'flat', Select: 'COUNT', ProjectionExpression: 'n' })),
      {
        name: 'ValidationException',
        message: 'Cannot specify the ProjectionExpression when choosing to get COUNT',
      },
    );
    // A scan of an index sees only the items in it.
    const idx = await ddb.send(
      new ScanCommand({
        TableName: 'series',
        IndexName: 'by-kind',
        FilterExpression: 'kind = :q',
        ExpressionAttributeValues: { ':q': S('q') },
      }),
    );
    assert.equal(idx.Count, 50);
    const capacity = await ddb.send(
      new QueryCommand({
        TableName: 'series',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('q1') },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    assert.equal(capacity.ConsumedCapacity?.TableName, 'series');
    assert.ok((capacity.ConsumedCapacity?.CapacityUnits ?? 0) > 0);
  });

  it('stops a page at 1 MB read and pages through everything', async () => {
    const filler = 'x'.repeat(100 * 1024);
    const items: Item[] = [];
    for (let i = 0; i < 35; i++) items.push({ pk: S('big'), sk: N(i), filler: S(filler) });
    for (let i = 0; i < 7; i++) items.push({ pk: S(`other-${i}`), sk: N(0), filler: S(filler) });
    // 100 KB each: a batch of 25 is 2.5 MB, under BatchWriteItem's 16 MB.
    await load('big', items);
    const q = await pages('query', {
      TableName: 'big',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': S('big') },
    });
    assert.deepEqual(
      q.items.map((i) => Number(i.sk!.N)),
      Array.from({ length: 35 }, (_, i) => i),
    );
    // 35 items of 100 KB are 3.4 MB: at least four pages, each about 1 MB (ten or eleven items).
    assert.ok(q.pages >= 4 && q.pages <= 5, `pages: ${q.pages}`);
    const first = await ddb.send(
      new QueryCommand({
        TableName: 'big',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('big') },
      }),
    );
    assert.ok(first.Count! >= 10 && first.Count! <= 11, `first page: ${first.Count}`);
    assert.ok(first.LastEvaluatedKey);
    // The 1 MB counts what was read, before the filter: a filter matching nothing still pages.
    const none = await ddb.send(
      new QueryCommand({
        TableName: 'big',
        KeyConditionExpression: 'pk = :p',
        FilterExpression: 'attribute_exists(nothing)',
        ExpressionAttributeValues: { ':p': S('big') },
      }),
    );
    assert.equal(none.Count, 0);
    assert.equal(none.ScannedCount, first.Count);
    assert.deepEqual(none.LastEvaluatedKey, first.LastEvaluatedKey);
    const sc = await pages('scan', { TableName: 'big', ProjectionExpression: 'pk, sk' });
    assert.equal(sc.items.length, 42);
    // The item that crosses 1 MB still belongs to its page (dynalite does the same): 11 a page.
    assert.ok(sc.pages >= 4, `scan pages: ${sc.pages}`);
    const counted = await pages('scan', { TableName: 'big', Select: 'COUNT' });
    assert.equal(counted.count, 42);
    assert.ok(counted.pages >= 4);
  });

  it('splits a parallel scan into segments that cover every item exactly once', async () => {
    for (const total of [1, 3, 4, 16]) {
      const seen = new Map<string, number>();
      const perSegment = await Promise.all(
        Array.from({ length: total }, (_, segment) =>
          pages('scan', { TableName: 'flat', Segment: segment, TotalSegments: total, Limit: 50 }),
        ),
      );
      for (const p of perSegment)
        for (const item of p.items) seen.set(item.pk!.S!, (seen.get(item.pk!.S!) ?? 0) + 1);
      assert.equal(seen.size, 500, `TotalSegments ${total}`);
      assert.ok(
        [...seen.values()].every((c) => c === 1),
        `TotalSegments ${total}: an item twice`,
      );
      if (total > 1)
        assert.ok(perSegment.filter((p) => p.items.length > 0).length > 1, 'one segment holds all');
    }
    // Segments with the DocumentClient paginator, with a filter.
    let odd = 0;
    for (let segment = 0; segment < 4; segment++)
      for await (const page of paginateScan(
        { client: doc, pageSize: 100 },
        {
          TableName: 'flat',
          Segment: segment,
          TotalSegments: 4,
          FilterExpression: 'odd = :t',
          ExpressionAttributeValues: { ':t': true },
        },
      ))
        odd += page.Count ?? 0;
    assert.equal(odd, 250);
    const one = await doc.send(new DocScanCommand({ TableName: 'flat', Segment: 0, TotalSegments: 1000 }));
    assert.ok((one.Count ?? 0) < 10);
    await assert.rejects(ddb.send(new ScanCommand({ TableName: 'flat', Segment: 4, TotalSegments: 4 })), {
      name: 'ValidationException',
      message:
        'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4',
    });
    await assert.rejects(ddb.send(new ScanCommand({ TableName: 'flat', Segment: 0 })), {
      name: 'ValidationException',
      message: /TotalSegments parameter is required/,
    });
  });
});
