import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseExposition, type Sample, sampleValue } from '../../helpers/prometheus.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const TOKEN = 'e2e-metrics-token-0123456789';
const ACCOUNT = '000000000000';

const MANIFEST = `app: metered
functions:
  work:
    handler: handlers.work
    memory: 256
  hello:
    handler: handlers.hello
    events:
      - http: GET /hello
  blocked:
    handler: handlers.hello
    reservedConcurrency: 0
queues:
  jobs:
    deadLetter: { queue: jobs-dlq, maxReceiveCount: 3 }
  jobs-dlq: {}
topics:
  news:
    subscriptions:
      - queue: jobs
`;

const HANDLERS = `export const work = async (event) => {
  if (event.fail) throw new Error('asked to fail');
  return { ok: true };
};
export const hello = async () => ({ statusCode: 200, body: 'hi' });
`;

/**
 * A real `baton up` process: a deployed app is invoked (one error, one cold start, one throttle),
 * a queue gets messages, a gateway route is called; then `/metrics` is scraped with the bearer
 * token and the counters are checked to the unit.
 */
describe('metrics end to end (real server process)', () => {
  let s: ServerProcess;
  let sqs: SQSClient;
  let sns: SNSClient;
  let samples: Sample[];
  const fn = (name: string) => ({ function: name, version: '$LATEST', app: 'metered' });
  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${s.controlUrl}/metrics`, { headers });

  before(async () => {
    s = await startServerProcess({ env: { BATON_METRICS_TOKEN: TOKEN } });
    const app = join(mkdtempSync(join(tmpdir(), 'baton-metrics-app-')), 'metered');
    mkdirSync(app);
    writeFileSync(join(app, 'baton.yaml'), MANIFEST);
    writeFileSync(join(app, 'handlers.mjs'), HANDLERS);
    const deployed = await runCli(['deploy', app], s.cliEnv);
    assert.equal(deployed.code, 0, deployed.stderr);
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    sqs = new SQSClient(opts);
    sns = new SNSClient(opts);

    const invoke = (name: string, event: unknown) =>
      s.admin(`functions/${name}/invoke`, { method: 'POST', body: JSON.stringify(event) });
    for (const event of [{}, {}, { fail: true }]) {
      const r = await invoke('work', event);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-amz-function-error'), 'fail' in event ? 'Unhandled' : null);
      await r.arrayBuffer();
    }
    const throttled = await invoke('blocked', {});
    assert.equal(throttled.status, 429);
    await throttled.arrayBuffer();

    for (const path of ['/hello', '/hello', '/nowhere'])
      await (await fetch(s.gatewayUrl + path)).arrayBuffer();

    const jobs = `${s.controlUrl}/${ACCOUNT}/jobs`;
    await sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: 'one' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: 'two' }));
    await sns.send(
      new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:news`, Message: 'three' }),
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: jobs, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    assert.equal(got.Messages?.length, 1);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: `${s.controlUrl}/${ACCOUNT}/jobs-dlq`, MessageBody: 'x' }),
    );

    const r = await scrape();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    samples = parseExposition(await r.text());
  });
  after(async () => {
    sqs?.destroy();
    sns?.destroy();
    await s?.stop();
  });

  it('counts invocations, errors, cold starts and throttles per function', () => {
    const v = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
    assert.equal(v('baton_function_invocations_total', fn('work')), 3);
    assert.equal(v('baton_function_errors_total', fn('work')), 1);
    assert.equal(v('baton_function_cold_starts_total', fn('work')), 1);
    assert.equal(v('baton_function_duration_seconds_count', fn('work')), 3);
    assert.equal(v('baton_function_init_duration_seconds_count', fn('work')), 1);
    assert.equal(v('baton_function_throttles_total', fn('work')), 0);
    assert.equal(v('baton_function_invocations_total', fn('hello')), 2, 'through the gateway');
    assert.equal(v('baton_function_cold_starts_total', fn('hello')), 1);
    assert.equal(v('baton_function_throttles_total', fn('blocked')), 1);
    assert.equal(v('baton_function_invocations_total', fn('blocked')), 0);
    assert.equal(v('baton_function_concurrent_executions', fn('work')), 0, 'nothing runs during the scrape');
  });

  it('bills what the REPORT lines bill, and prices GB-seconds at the function’s memory', async () => {
    const billed = sampleValue(samples, 'baton_function_billed_milliseconds_total', fn('work'))!;
    assert.ok(billed >= 3, `at least 1 ms per invocation (got ${billed})`);
    let reports: number[] = [];
    for (let i = 0; i < 100 && reports.length < 3; i++) {
      const logs = (await (await s.admin('functions/work/logs')).json()) as { events: { message: string }[] };
      reports = logs.events.flatMap((e) =>
        [...e.message.matchAll(/Billed Duration: (\d+) ms/g)].map((m) => Number(m[1])),
      );
      if (reports.length < 3) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(reports.length, 3);
    assert.equal(
      billed,
      reports.reduce((a, b) => a + b, 0),
    );
    const gbs = sampleValue(samples, 'baton_function_gb_seconds_total', fn('work'))!;
    assert.ok(Math.abs(gbs - (billed / 1000) * 0.25) < 1e-9, `${gbs} GB-s for ${billed} ms at 256 MB`);
  });

  it('counts gateway requests by route and status', () => {
    const route = (r: string, status: string) =>
      sampleValue(samples, 'baton_gateway_requests_total', { route: r, status });
    assert.equal(route('GET /hello', '200'), 2);
    assert.equal(route('(none)', '404'), 1);
    assert.equal(
      sampleValue(samples, 'baton_gateway_request_duration_seconds_count', { route: 'GET /hello' }),
      2,
    );
  });

  it('reads queue depths, in-flight messages, the oldest age and DLQ depth on scrape', () => {
    const q = (name: string, queue: string) => sampleValue(samples, name, { queue });
    assert.equal(q('baton_queue_messages_visible', 'jobs'), 2);
    assert.equal(q('baton_queue_messages_in_flight', 'jobs'), 1);
    assert.equal(q('baton_queue_messages_delayed', 'jobs'), 0);
    const age = q('baton_queue_oldest_message_age_seconds', 'jobs')!;
    assert.ok(age >= 0 && age < 60, `oldest message age ${age} s`);
    assert.equal(q('baton_queue_dead_letter_messages', 'jobs-dlq'), 1);
    assert.equal(q('baton_queue_dead_letter_messages', 'jobs'), undefined);
    assert.equal(sampleValue(samples, 'baton_topic_deliveries_total', { topic: 'news', protocol: 'sqs' }), 1);
  });

  it('asks for the token or a signature: 403 unsigned, 401 with a wrong token, 200 signed on the admin path', async () => {
    const bare = await scrape({});
    assert.equal(bare.status, 403);
    await bare.arrayBuffer();
    const wrong = await scrape({ authorization: `Bearer ${TOKEN}-not` });
    assert.equal(wrong.status, 401);
    await wrong.arrayBuffer();
    const admin = await s.admin('metrics');
    assert.equal(admin.status, 200);
    const again = parseExposition(await admin.text());
    assert.equal(sampleValue(again, 'baton_function_invocations_total', fn('work')), 3);
  });
});
