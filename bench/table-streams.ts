/**
 * Stream latency: from a DynamoDB write to the handler's start, through a table stream and its
 * event source mapping, with the real `@aws-sdk/client-dynamodb` against `baton up` running as its
 * own process. 240 items are put one at a time, each after the previous one was handled (an idle
 * stream: the latency a lone write sees). The handler logs its start on the machine's monotonic
 * clock (`process.hrtime`, one clock for every process on the machine) with the item's sequence
 * number; the bench reads the lines back from the admin API. Peer, interleaved in the same run: an
 * SQS message to a queue with an event source mapping to the same handler (SQS → Lambda), from
 * the SendMessage call to the handler's start.
 * TS_ITEMS and BENCH_ROUNDS shorten or lengthen it.
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { readLogs, startBatonProcess } from './lib/baton-process.ts';
import { otherLoad } from './lib/proc-cpu.ts';
import { fmt, median, percentile, table } from './lib/stats.ts';

const ITEMS = Number(process.env.TS_ITEMS ?? 240);
const FN = 'stream-bench';
const mono = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const HANDLER =
  'export const handler = async (event) => {\n' +
  '  const t = Number(process.hrtime.bigint()) / 1e6;\n' +
  '  for (const r of event.Records ?? []) {\n' +
  '    const seq = r.dynamodb ? r.dynamodb.NewImage.seq.N : r.body;\n' +
  "    console.log('T', seq, t.toFixed(3));\n" +
  '  }\n' +
  '};\n';

const baton = await startBatonProcess();
const cfg = {
  endpoint: baton.controlUrl,
  region: 'us-east-1',
  credentials: baton.credentials,
  maxAttempts: 1,
};
const ddb = new DynamoDBClient(cfg);
const lambda = new LambdaClient(cfg);
const sqs = new SQSClient(cfg);
try {
  const created = await ddb.send(
    new CreateTableCommand({
      TableName: 'stream-bench',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'stream-bench-peer' }));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: FN,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Handler: 'index.handler',
      Code: { ZipFile: zipSync({ 'index.mjs': strToU8(HANDLER) }) },
    }),
  );
  for (const arn of [
    created.TableDescription!.LatestStreamArn!,
    'arn:aws:sqs:us-east-1:000000000000:stream-bench-peer',
  ])
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: FN,
        EventSourceArn: arn,
        BatchSize: 10,
        ...(arn.includes(':dynamodb:') ? { StartingPosition: 'LATEST' as const } : {}),
      }),
    );

  const started = new Map<number, number>();
  let lastLogId = 0;
  const collect = async () => {
    for (const e of await readLogs(baton, FN, lastLogId)) {
      lastLogId = e.id;
      for (const m of e.message.matchAll(/\tINFO\tT (-?\d+) ([\d.]+)$/gm))
        if (!started.has(Number(m[1]))) started.set(Number(m[1]), Number(m[2]));
    }
  };
  const waitFor = async (seq: number) => {
    for (const t0 = Date.now(); Date.now() - t0 < 15_000; ) {
      await collect();
      if (started.has(seq)) return;
      await sleep(5);
    }
    throw new Error(`item ${seq} never reached the handler`);
  };
  const put = (seq: number) =>
    ddb.send(
      new PutItemCommand({
        TableName: 'stream-bench',
        Item: { pk: { S: `k${seq}` }, seq: { N: String(seq) } },
      }),
    );
  const send = (seq: number) =>
    sqs.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: String(seq) }));

  // Warm-up: the instance, both readers and the clients are warm.
  for (let i = 1; i <= 20; i++) {
    await put(-i);
    await waitFor(-i);
    await send(-100 - i);
    await waitFor(-100 - i);
  }
  const stream: number[] = [];
  const queued: number[] = [];
  const load0 = otherLoad();
  for (let i = 0; i < ITEMS; i++) {
    const a = mono();
    await put(i);
    await waitFor(i);
    stream.push(started.get(i)! - a);
    const b = mono();
    await send(100_000 + i);
    await waitFor(100_000 + i);
    queued.push(started.get(100_000 + i)! - b);
  }
  console.log(`Stream latency: write → handler start, ${ITEMS} items one at a time (ms)`);
  table([
    ['path', 'p50', 'p90', 'p99'],
    [
      'PutItem → stream → function',
      fmt(median(stream)),
      fmt(percentile(stream, 90)),
      fmt(percentile(stream, 99)),
    ],
    [
      'peer: SendMessage → SQS mapping → function',
      fmt(median(queued)),
      fmt(percentile(queued, 90)),
      fmt(percentile(queued, 99)),
    ],
  ]);
  console.log(`other load on the machine during the run: ${fmt(load0.others())} cores`);
} finally {
  for (const c of [ddb, lambda, sqs]) c.destroy();
  await baton.stop();
}
