import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

describe('tables and table events from the manifest', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  let lambda: LambdaClient;
  before(async () => {
    s = await startServerProcess();
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    ddb = new DynamoDBClient(opts);
    lambda = new LambdaClient(opts);
  });
  after(async () => {
    ddb.destroy();
    lambda.destroy();
    await s.stop();
  });

  /** The function's `CHANGED …` log lines, once there are at least `n`. */
  const changes = async (n: number): Promise<string[]> => {
    for (let i = 0; ; i++) {
      const logs = (await (await s.admin('functions/changes/logs')).json()) as {
        events: { message: string }[];
      };
      const lines = logs.events.flatMap((e) => [...e.message.matchAll(/CHANGED (.*)$/gm)].map((m) => m[1]!));
      if (lines.length >= n) return lines;
      assert.ok(i < 200, `the function saw ${n} changes (saw: ${lines.join('; ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const mappings = async () =>
    (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'changes' })))
      .EventSourceMappings ?? [];
  const describeOrders = async () =>
    (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!;

  it('creates tables with a stream into a function, and keeps them in line on redeploy', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'baton-tbapp-')), 'tbapp');
    cpSync(join(FIXTURES, 'table-app'), app, { recursive: true });
    const manifest = join(app, 'baton.yaml');
    const original = readFileSync(manifest, 'utf8');
    const deploy = () => runCli(['deploy', app], s.cliEnv);

    const first = await deploy();
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /table orders \(created\)\n {2}table customers \(created\)\n {2}table event orders → changes \(created\)/,
    );
    const orders = await describeOrders();
    assert.equal(orders.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(
      orders.KeySchema?.map((k) => [k.AttributeName, k.KeyType]),
      [
        ['pk', 'HASH'],
        ['sk', 'RANGE'],
      ],
    );
    assert.deepEqual(
      orders.GlobalSecondaryIndexes?.map((i) => i.IndexName),
      ['byCustomer'],
    );
    assert.deepEqual(
      orders.LocalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]),
      [['byStatus', 'KEYS_ONLY']],
    );
    assert.deepEqual(orders.StreamSpecification, {
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    assert.deepEqual(ttl.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    const [mapping, ...others] = await mappings();
    assert.equal(others.length, 0);
    assert.equal(mapping?.EventSourceArn, orders.LatestStreamArn);
    assert.equal(mapping?.BatchSize, 10);
    assert.equal(mapping?.StartingPosition, 'TRIM_HORIZON');
    assert.equal(
      mapping?.DestinationConfig?.OnFailure?.Destination,
      'arn:aws:sqs:us-east-1:000000000000:changes-failed',
    );

    await ddb.send(
      new PutItemCommand({
        TableName: 'orders',
        Item: { pk: { S: 'o1' }, sk: { N: '1' }, status: { S: 'new' } },
      }),
    );
    await ddb.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { pk: { S: 'o1' }, sk: { N: '1' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'paid' } },
      }),
    );
    assert.deepEqual(await changes(2), ['INSERT o1 new -', 'MODIFY o1 paid new']);

    const again = await deploy();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /table orders \(unchanged\)\n {2}table customers \(unchanged\)/);
    assert.doesNotMatch(again.stdout, /table event/, 'an unchanged mapping is left alone');

    // A remade and an added index, a new TTL attribute, and a new batch size.
    writeFileSync(
      manifest,
      original
        .replace(
          'byCustomer: { key: { customer: S, createdAt: N } }',
          'byCustomer: { key: { customer: S }, projection: KEYS_ONLY }\n      withTotals: { key: { customer: S }, projection: [total] }',
        )
        .replace('ttl: expiresAt', 'ttl: until')
        .replace('batchSize: 10', 'batchSize: 20'),
    );
    const third = await deploy();
    assert.equal(third.code, 0, third.stderr);
    assert.match(
      third.stdout,
      /table orders \(updated: index byCustomer remade, index withTotals added, ttl until\)\n {2}table customers \(unchanged\)\n {2}table event orders → changes \(updated\)/,
    );
    const updated = await describeOrders();
    assert.deepEqual(
      updated.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]).sort(),
      [
        ['byCustomer', 'KEYS_ONLY'],
        ['withTotals', 'INCLUDE'],
      ],
    );
    assert.equal(updated.LatestStreamArn, orders.LatestStreamArn, 'the stream stays');
    const ttl2 = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    assert.deepEqual(ttl2.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'until' });
    assert.deepEqual(
      (await mappings()).map((m) => [m.UUID, m.BatchSize]),
      [[mapping?.UUID, 20]],
    );

    // A new view type is a new stream: the mapping moves to it.
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('NEW_AND_OLD_IMAGES', 'NEW_IMAGE'));
    const fourth = await deploy();
    assert.equal(fourth.code, 0, fourth.stderr);
    assert.match(
      fourth.stdout,
      /table orders \(updated: stream NEW_IMAGE\)\n {2}table customers \(unchanged\)\n {2}table event orders → changes \(moved to the new stream\)/,
    );
    const moved = await describeOrders();
    assert.notEqual(moved.LatestStreamArn, orders.LatestStreamArn);
    assert.deepEqual(
      (await mappings()).map((m) => m.EventSourceArn),
      [moved.LatestStreamArn],
    );
    await ddb.send(
      new PutItemCommand({
        TableName: 'orders',
        Item: { pk: { S: 'o2' }, sk: { N: '1' }, status: { S: 'new' } },
      }),
    );
    assert.deepEqual((await changes(3)).slice(2), ['INSERT o2 new -']);

    // Dropping the event deletes the mapping; dropping a table keeps it.
    writeFileSync(
      manifest,
      'app: tbapp\ntables:\n  orders:\n    key: { pk: S, sk: N }\n    indexes:\n      byStatus: { key: { pk: S, status: S }, local: true, projection: KEYS_ONLY }\nfunctions:\n  changes:\n    handler: changes.handler\n',
    );
    const fifth = await deploy();
    assert.equal(fifth.code, 0, fifth.stderr);
    assert.match(
      fifth.stdout,
      /table orders \(updated: index byCustomer removed, index withTotals removed, stream off, ttl off\)/,
    );
    assert.match(fifth.stdout, /table customers \(kept: no longer in the manifest/);
    assert.match(fifth.stdout, /table event orders → changes \(deleted\)/);
    assert.deepEqual(await mappings(), []);
    const customers = await ddb.send(new DescribeTableCommand({ TableName: 'customers' }));
    assert.equal(customers.Table?.TableStatus, 'ACTIVE');
  });

  it('refuses what a table cannot change, and events on tables without a stream, naming the path', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'baton-tbbad-')), 'tbbad');
    cpSync(join(FIXTURES, 'table-app'), app, { recursive: true });
    const manifest = join(app, 'baton.yaml');
    const write = (text: string) => writeFileSync(manifest, text);
    const fn = 'functions:\n  checker:\n    handler: changes.handler\n';
    const invoices = (key: string, more = '') =>
      `app: tbbad\ntables:\n  invoices:\n    key: ${key}\n${more}${fn}`;
    write(invoices('{ id: S, at: N }'));
    const made = await runCli(['deploy', app], s.cliEnv);
    assert.equal(made.code, 0, made.stderr);

    write(invoices('{ id: S }'));
    const rekeyed = await runCli(['deploy', app], s.cliEnv);
    assert.notEqual(rekeyed.code, 0);
    assert.match(
      rekeyed.stderr,
      /tables\.invoices\.key: table invoices exists with the key \{ id: S, at: N \}/,
    );

    write(
      invoices(
        '{ id: S, at: N }',
        '    indexes:\n      byState: { key: { id: S, state: S }, local: true }\n',
      ),
    );
    const local = await runCli(['deploy', app], s.cliEnv);
    assert.notEqual(local.code, 0);
    assert.match(
      local.stderr,
      /tables\.invoices\.indexes\.byState: local indexes are made with the table only/,
    );

    write(`${invoices('{ id: S, at: N }')}    events:\n      - table: invoices\n`);
    const noStream = await runCli(['deploy', app], s.cliEnv);
    assert.notEqual(noStream.code, 0);
    assert.match(noStream.stderr, /functions\.checker\.events\[0\]\.table: table invoices has no stream/);

    await ddb.send(
      new CreateTableCommand({
        TableName: 'plain',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (const [table, message] of [
      ['plain', /functions\.checker\.events\[0\]\.table: table plain has no stream/],
      ['ghost', /functions\.checker\.events\[0\]\.table: no table ghost \(declare it under tables:\)/],
    ] as const) {
      write(`app: tbbad\n${fn}    events:\n      - table: ${table}\n`);
      const r = await runCli(['deploy', app], s.cliEnv);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
    }
    write(`app: other\ntables:\n  invoices:\n    key: { id: S, at: N }\nfunctions: {}\n`);
    const taken = await runCli(['deploy', app], s.cliEnv);
    assert.match(taken.stderr, /tables\.invoices: the table belongs to app "tbbad"/);
  });
});
