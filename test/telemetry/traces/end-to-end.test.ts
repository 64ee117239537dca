import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredSpan } from '../../../src/telemetry/traces/span-store.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const MANIFEST = `app: traced
functions:
  front:
    handler: handlers.front
    events:
      - http: GET /front
  worker:
    handler: handlers.worker
    events:
      - queue: jobs
        batchSize: 1
queues:
  jobs: {}
`;

// front sends a message with the AWS SDK, which forwards _X_AMZN_TRACE_ID as X-Amzn-Trace-Id.
const HANDLERS = `import { SQSClient, SendMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const front = async (event) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job' }));
  return {
    statusCode: 200,
    body: JSON.stringify({ env: process.env._X_AMZN_TRACE_ID, header: event.headers['x-amzn-trace-id'] }),
  };
};
export const worker = async () => ({});
`;

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = 'b7ad6b7169203331';

/**
 * A real `baton up`: a gateway request with a traceparent reaches the function as
 * _X_AMZN_TRACE_ID (and the event's header) in the same trace; the function's SQS message
 * carries the trace to the queue-triggered worker; `/admin/v1/traces/{id}` and `baton traces`
 * show the whole tree.
 */
describe('traces end to end (real server process)', () => {
  let s: ServerProcess;
  let seen: { env: string; header: string };
  let requestId: string;

  before(async () => {
    s = await startServerProcess();
    const app = join(mkdtempSync(join(tmpdir(), 'baton-traces-app-')), 'traced');
    mkdirSync(app);
    writeFileSync(join(app, 'baton.yaml'), MANIFEST);
    writeFileSync(join(app, 'handlers.mjs'), HANDLERS);
    const deployed = await runCli(['deploy', app], s.cliEnv);
    assert.equal(deployed.code, 0, deployed.stderr);
    const r = await fetch(`${s.gatewayUrl}/front`, { headers: { traceparent: `00-${TRACE}-${CALLER}-01` } });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    requestId = r.headers.get('apigw-requestid')!;
    seen = JSON.parse(text);
  });

  after(async () => {
    await s?.stop();
  });

  const trace = async (id: string): Promise<StoredSpan[]> => {
    const r = await s.admin(`traces/${encodeURIComponent(id)}`);
    if (r.status === 404) {
      await r.arrayBuffer();
      return [];
    }
    assert.equal(r.status, 200);
    return ((await r.json()) as { spans: StoredSpan[] }).spans;
  };

  it('the function sees the caller trace as _X_AMZN_TRACE_ID and in the event headers', () => {
    assert.match(seen.env, /^Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=[0-9a-f]{16};Sampled=1$/);
    assert.match(seen.header, /^Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=[0-9a-f]{16};Sampled=1$/);
  });

  it('the trace shows gateway → invoke → SQS call → queue-triggered worker', async () => {
    let spans: StoredSpan[] = [];
    for (let i = 0; i < 100; i++) {
      spans = await trace(requestId);
      if (spans.some((x) => x.name === 'worker')) break;
      await sleep(100);
    }
    const named = (n: string) => spans.find((x) => x.name === n);
    const gw = named('GET /front');
    const front = named('front');
    const send = named('SQS/SendMessage');
    const worker = named('worker');
    assert.ok(gw && front && send && worker, spans.map((x) => x.name).join(', '));
    for (const x of spans) assert.equal(x.traceId, TRACE);
    assert.equal(gw.parentSpanId, CALLER);
    assert.equal(front.parentSpanId, gw.spanId);
    assert.equal(seen.env.split(';')[1], `Parent=${front.spanId}`);
    assert.equal(send.parentSpanId, front.spanId);
    assert.equal(worker.parentSpanId, send.spanId);
    assert.equal(front.attributes['faas.coldstart'], true);
    assert.equal(send.attributes['rpc.system'], 'aws-api');
    // By trace id too, in either form.
    assert.equal((await trace(TRACE)).length, spans.length);
    assert.ok((await trace('1-0af76519-16cd43dd8448eb211c80319c')).length >= 4);
  });

  it('baton traces prints the tree', async () => {
    const out = await runCli(['traces', requestId], s.cliEnv);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`^trace ${TRACE}`));
    assert.match(out.stdout, /\nGET \/front /);
    assert.match(out.stdout, /└─ front /);
  });

  it('an unknown id is 404, and the route needs a signature', async () => {
    const r = await s.admin('traces/nothing-here');
    assert.equal(r.status, 404);
    await r.arrayBuffer();
    const unsigned = await fetch(`${s.controlUrl}/admin/v1/traces/${requestId}`);
    assert.equal(unsigned.status, 403);
    await unsigned.arrayBuffer();
  });
});
