/**
 * Filter policies: publishes/s to a topic with 1,000 filtered SQS subscriptions (each publish
 * matches one), through @aws-sdk/client-sns with 16 publishes in flight, against a topic with a
 * single unfiltered subscription in the same run. Reports the server's CPU per publish from its
 * own /proc accounting (the SDK client shares the 2 cores).
 */
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startBatonProcess } from './lib/baton-process.ts';
import { cpuSeconds, cpuSnapshot } from './lib/proc-cpu.ts';
import { fmt, median, table } from './lib/stats.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = '1';
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1000);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 3000);
const IN_FLIGHT = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const baton = await startBatonProcess();
const opts = {
  endpoint: baton.controlUrl,
  region: 'us-east-1',
  credentials: baton.credentials,
  maxAttempts: 1,
};
const sns = new SNSClient(opts);
const sqs = new SQSClient(opts);
const account = '000000000000';

const filtered = (await sns.send(new CreateTopicCommand({ Name: 'filtered' }))).TopicArn!;
const plain = (await sns.send(new CreateTopicCommand({ Name: 'plain' }))).TopicArn!;
for (let i = 0; i < SUBSCRIPTIONS; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, SUBSCRIPTIONS - i) }, async (_, j) => {
      const n = i + j;
      await sqs.send(new CreateQueueCommand({ QueueName: `q${n}` }));
      await sns.send(
        new SubscribeCommand({
          TopicArn: filtered,
          Protocol: 'sqs',
          Endpoint: `arn:aws:sqs:us-east-1:${account}:q${n}`,
          Attributes: {
            RawMessageDelivery: 'true',
            // A mix of AWS's operators, so that matching is not just one string compare.
            FilterPolicy: JSON.stringify({
              shard: [`s${n}`],
              price: [{ numeric: ['>=', 0, '<', 1000] }],
              region: [{ 'anything-but': ['nowhere'] }],
            }),
          },
        }),
      );
    }),
  );
}
await sqs.send(new CreateQueueCommand({ QueueName: 'plain-sink' }));
await sns.send(
  new SubscribeCommand({
    TopicArn: plain,
    Protocol: 'sqs',
    Endpoint: `arn:aws:sqs:us-east-1:${account}:plain-sink`,
  }),
);

async function run(topic: string): Promise<{ rate: number; cpuUs: number }> {
  let next = 0;
  const before = cpuSnapshot(baton.pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PUBLISHES) {
        const n = next++;
        await sns.send(
          new PublishCommand({
            TopicArn: topic,
            Message: `message ${n}`,
            MessageAttributes: {
              shard: { DataType: 'String', StringValue: `s${n % SUBSCRIPTIONS}` },
              price: { DataType: 'Number', StringValue: String(n % 500) },
              region: { DataType: 'String', StringValue: 'eu' },
            },
          }),
        );
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(before, cpuSnapshot(baton.pid));
  return { rate: PUBLISHES / seconds, cpuUs: (cpu.own * 1e6) / PUBLISHES };
}

const results = {
  filtered: [] as { rate: number; cpuUs: number }[],
  plain: [] as { rate: number; cpuUs: number }[],
};
await run(plain); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  results.plain.push(await run(plain));
  results.filtered.push(await run(filtered));
}
// Every filtered publish matched exactly one subscription: the queues hold one message each time.
const sample = await sqs.send(
  new GetQueueAttributesCommand({
    QueueUrl: `${baton.controlUrl}/${account}/q7`,
    AttributeNames: ['ApproximateNumberOfMessages'],
  }),
);
const expected = ROUNDS * Math.ceil((PUBLISHES - 7) / SUBSCRIPTIONS);
const stats = (k: 'filtered' | 'plain') => ({
  rate: median(results[k].map((x) => x.rate)),
  cpu: median(results[k].map((x) => x.cpuUs)),
});
console.log(
  `Topics: ${PUBLISHES} publishes × ${ROUNDS} rounds, ${IN_FLIGHT} in flight, @aws-sdk/client-sns (client shares the 2 cores); medians`,
);
table([
  ['topic', 'publishes/s', 'server CPU µs/publish'],
  [
    `${SUBSCRIPTIONS} SQS subscriptions with filter policies (1 match each)`,
    fmt(stats('filtered').rate, 0),
    fmt(stats('filtered').cpu, 0),
  ],
  ['baseline: 1 SQS subscription, no filter', fmt(stats('plain').rate, 0), fmt(stats('plain').cpu, 0)],
]);
console.log(
  `filtered / plain publishes/s: ${fmt((100 * stats('filtered').rate) / stats('plain').rate, 1)} %; matching cost ≈ ${fmt(stats('filtered').cpu - stats('plain').cpu, 0)} µs of server CPU per publish`,
);
console.log(
  `check: queue q7 holds ${sample.Attributes?.ApproximateNumberOfMessages} messages (expected ${expected})`,
);
sns.destroy();
sqs.destroy();
await baton.stop();
