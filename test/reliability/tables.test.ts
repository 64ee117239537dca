import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A table write and its stream record commit in one transaction. Proven against `baton up` as a
 * real process killed with SIGKILL in the middle of a stream of writes and restarted on the same
 * data directory: every acknowledged write is there, and so is its stream record.
 */
describe('tables keep acknowledged writes and their stream records across kill -9', () => {
  const servers: ServerProcess[] = [];
  const destroyables: { destroy(): void }[] = [];
  after(async () => {
    for (const d of destroyables) d.destroy();
    for (const s of servers) await s.stop().catch(() => undefined);
  });
  const clients = (s: ServerProcess) => {
    const cfg = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    const c = { ddb: new DynamoDBClient(cfg), streams: new DynamoDBStreamsClient(cfg) };
    destroyables.push(c.ddb, c.streams);
    return c;
  };

  it('loses no acknowledged put or update, nor the stream record of either', async (t) => {
    const a = await startServerProcess();
    servers.push(a);
    const { ddb } = clients(a);
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: 'ledger',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const streamArn = created.TableDescription!.LatestStreamArn!;
    /** Acknowledged writes: item key → the `n` it was last acknowledged with. */
    const acked = new Map<string, number>();
    let killed = false;
    let cut = 0;
    const writer = async (k: number) => {
      for (let i = 0; ; i++) {
        const pk = `w${k}-${i % 50}`;
        try {
          if (i < 50)
            await ddb.send(
              new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: pk }, n: { N: '1' } } }),
            );
          else
            await ddb.send(
              new UpdateItemCommand({
                TableName: 'ledger',
                Key: { pk: { S: pk } },
                UpdateExpression: 'ADD n :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              }),
            );
          acked.set(pk, Math.floor(i / 50) + 1);
        } catch (e) {
          if (!killed) throw e;
          cut++;
          return;
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, k) => writer(k));
    const t0 = Date.now();
    while ([...acked.values()].reduce((x, y) => x + y, 0) < 600 && Date.now() - t0 < 3000) await sleep(10);
    killed = true;
    const exited = new Promise((r) => a.proc.once('exit', r));
    a.proc.kill('SIGKILL');
    await exited;
    await Promise.all(writers);

    const b = await startServerProcess({ dataDir: a.dataDir });
    servers.push(b);
    const c = clients(b);
    const items = new Map<string, number>();
    let start: Record<string, never> | undefined;
    do {
      const page = await c.ddb.send(new ScanCommand({ TableName: 'ledger', ExclusiveStartKey: start }));
      for (const it of page.Items ?? []) items.set(it.pk!.S!, Number(it.n!.N));
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    // A write cut by the kill may have committed without its answer: at least what was acknowledged.
    for (const [pk, n] of acked)
      assert.ok((items.get(pk) ?? 0) >= n, `${pk}: acknowledged n=${n}, found ${items.get(pk)}`);

    const desc = await c.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let it = (
      await c.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: desc.StreamDescription!.Shards![0]!.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    const newest = new Map<string, number>();
    let records = 0;
    for (;;) {
      const page = await c.streams.send(new GetRecordsCommand({ ShardIterator: it }));
      if ((page.Records ?? []).length === 0) break;
      for (const r of page.Records!) {
        records++;
        newest.set(r.dynamodb!.Keys!.pk!.S!, Number(r.dynamodb!.NewImage!.n!.N));
      }
      it = page.NextShardIterator;
    }
    t.diagnostic(`${acked.size} keys acknowledged, ${records} stream records, ${cut} writes cut by the kill`);
    // Each write left one record: the stream's last image of every item is the item as stored.
    assert.deepEqual(
      [...items].filter(([pk, n]) => newest.get(pk) !== n),
      [],
      'every stored write has its stream record',
    );
  });
});
