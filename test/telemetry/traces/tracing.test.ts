import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { formatTrace } from '../../../src/cli/commands/traces.ts';
import type { InvokeTarget } from '../../../src/registry/resolve.ts';
import type { InvokeResult } from '../../../src/runtime/invoker.ts';
import { amznTraceId } from '../../../src/runtime/runner/trace-env.ts';
import {
  apiCallOf,
  asyncEnqueueTracer,
  controlPlaneTracer,
  gatewayTracer,
  invocationTracer,
} from '../../../src/telemetry/traces/hooks.ts';
import { SpanStore } from '../../../src/telemetry/traces/span-store.ts';
import { parseAmznTraceId, xrayTraceId } from '../../../src/telemetry/traces/trace-header.ts';
import { Tracing, tracesUrl } from '../../../src/telemetry/traces/tracing.ts';

const TRACE = '5759e988bd862e3fe1be46a994272793';
const SPAN = '53995c3f42cd8ad8';

function setup(maxSpans?: number) {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({
    region: 'eu-west-1',
    maxSpans,
    processors: [new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracing };
}

const target = (name: string) =>
  ({
    record: { name },
    version: '$LATEST',
    invokedArn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`,
    key: name,
  }) as unknown as InvokeTarget;

const result = (cold: boolean, error = false) =>
  ({ cold, functionError: error ? 'Unhandled' : undefined }) as InvokeResult;

const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name)!;

describe('tracing hooks', () => {
  it('a gateway request under a traceparent parents the invocation, which the function sees', () => {
    const { exporter, tracing } = setup();
    const gw = gatewayTracer(tracing).start(
      'GET',
      '/hello',
      ['traceparent', `00-${TRACE}-${SPAN}-01`],
      'gw-1',
    );
    const inv = invocationTracer(tracing).start(target('hello'), 'rid-1', gw.header);
    // What the instance gets (trace id, span id, sampled), and the function as _X_AMZN_TRACE_ID:
    // the same trace, the invocation span as parent.
    assert.match(inv.context, new RegExp(`^${TRACE}[0-9a-f]{16}1$`));
    const header = amznTraceId(inv.context);
    const seen = parseAmznTraceId(header)!;
    assert.equal(seen.traceId, TRACE);
    assert.match(header, new RegExp(`^Root=${xrayTraceId(TRACE)};Parent=[0-9a-f]{16};Sampled=1$`));
    inv.end(result(true));
    gw.end('GET /hello', 200);

    const spans = exporter.getFinishedSpans();
    const g = byName(spans, 'GET /hello');
    const i = byName(spans, 'hello');
    assert.equal(g.parentSpanContext?.spanId, SPAN);
    assert.equal(i.parentSpanContext?.spanId, g.spanContext().spanId);
    assert.equal(seen.spanId, i.spanContext().spanId);
    assert.equal(i.attributes['faas.invocation_id'], 'rid-1');
    assert.equal(i.attributes['faas.coldstart'], true);
    assert.equal(i.attributes['cloud.region'], 'eu-west-1');
    assert.equal(g.attributes['http.response.status_code'], 200);
    assert.equal(g.attributes['http.route'], '/hello');
  });

  it('without a parent a request starts a trace whose id begins with the epoch seconds (X-Ray)', () => {
    const { tracing } = setup();
    const gw = gatewayTracer(tracing).start('GET', '/x', [], 'gw-2');
    const secs = Number.parseInt(parseAmznTraceId(gw.header)!.traceId.slice(0, 8), 16);
    assert.ok(Math.abs(secs - Date.now() / 1000) < 5);
    gw.end(undefined, 404);
  });

  it('an unsampled caller: nothing is recorded, the context (Sampled=0) is passed on', () => {
    const { exporter, tracing } = setup();
    const gw = gatewayTracer(tracing).start('GET', '/x', ['traceparent', `00-${TRACE}-${SPAN}-00`], 'gw-3');
    assert.match(gw.header, new RegExp(`^Root=${xrayTraceId(TRACE)};Parent=[0-9a-f]{16};Sampled=0$`));
    const inv = invocationTracer(tracing).start(target('x'), 'rid-9', gw.header);
    assert.match(amznTraceId(inv.context), /Sampled=0$/);
    inv.end(result(false));
    gw.end('GET /x', 200);
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(tracing.store.size, 0);
  });

  it('an async hop: the enqueue span is the parent of the run', () => {
    const { exporter, tracing } = setup();
    const caller = `Root=${xrayTraceId(TRACE)};Parent=${SPAN};Sampled=1`;
    const hop = asyncEnqueueTracer(tracing)('work', caller);
    invocationTracer(tracing).start(target('work'), 'rid-2', hop).end(result(false, true));
    const spans = exporter.getFinishedSpans();
    const enq = byName(spans, 'work enqueue');
    const run = byName(spans, 'work');
    assert.equal(enq.parentSpanContext?.spanId, SPAN);
    assert.equal(run.parentSpanContext?.spanId, enq.spanContext().spanId);
    assert.equal(run.spanContext().traceId, TRACE);
    assert.equal(run.status.code, 2);
  });

  it('a refused invocation ends its span with the error', () => {
    const { exporter, tracing } = setup();
    invocationTracer(tracing)
      .start(target('busy'), 'rid-3', undefined)
      .end(undefined, new Error('Rate exceeded'));
    assert.equal(exporter.getFinishedSpans()[0]!.status.message, 'Rate exceeded');
  });

  it('an AWS API call: rpc attributes, its span replaces the caller in x-amzn-trace-id', () => {
    const { exporter, tracing } = setup();
    const req = {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonSQS.SendMessage',
        'x-amzn-trace-id': `Root=${xrayTraceId(TRACE)};Parent=${SPAN};Sampled=1`,
      },
    } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), {
      headersSent: true,
      statusCode: 200,
    }) as unknown as ServerResponse;
    controlPlaneTracer(tracing)(req, res, { pathname: '/', query: '' });
    const forwarded = parseAmznTraceId(req.headers['x-amzn-trace-id'] as string)!;
    res.emit('finish');
    res.emit('close');
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1);
    const s = spans[0]!;
    assert.equal(s.name, 'SQS/SendMessage');
    assert.equal(s.attributes['rpc.system'], 'aws-api');
    assert.equal(s.attributes['rpc.service'], 'SQS');
    assert.equal(s.attributes['rpc.method'], 'SendMessage');
    assert.equal(s.attributes['http.response.status_code'], 200);
    assert.equal(s.parentSpanContext?.spanId, SPAN);
    assert.equal(forwarded.spanId, s.spanContext().spanId);
  });

  it('an untraced API call leaves x-amzn-trace-id alone (no AWSTraceHeader appears), but not a Lambda invoke', () => {
    const { tracing } = setup();
    const tracer = controlPlaneTracer(tracing);
    const res = () =>
      Object.assign(new EventEmitter(), { headersSent: true, statusCode: 200 }) as unknown as ServerResponse;
    const sqs = {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
    } as unknown as IncomingMessage;
    tracer(sqs, res(), { pathname: '/', query: '' });
    assert.equal(sqs.headers['x-amzn-trace-id'], undefined);
    const invoke = { method: 'POST', headers: {} } as unknown as IncomingMessage;
    tracer(invoke, res(), { pathname: '/2015-03-31/functions/f/invocations', query: '' });
    assert.ok(parseAmznTraceId(invoke.headers['x-amzn-trace-id'] as string));
  });

  it('names control-port calls by protocol; admin and /metrics are not AWS calls', () => {
    const req = (headers: Record<string, string>, method = 'POST') =>
      ({ method, headers }) as unknown as IncomingMessage;
    assert.deepEqual(apiCallOf(req({ 'x-amz-target': 'DynamoDB_20120810.PutItem' }), '/', ''), [
      'DynamoDB',
      'PutItem',
    ]);
    assert.deepEqual(apiCallOf(req({}), '/2015-03-31/functions/f/invocations', ''), ['Lambda', 'Invoke']);
    const auth = 'AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sns/aws4_request, SignedHeaders=host';
    assert.deepEqual(apiCallOf(req({ authorization: auth }), '/', 'Action=Publish&x=1'), ['sns', 'Publish']);
    assert.equal(apiCallOf(req({}, 'GET'), '/admin/v1/functions', ''), undefined);
    assert.equal(apiCallOf(req({}, 'GET'), '/metrics', ''), undefined);
  });

  it('OTLP: the endpoint is a base URL', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/v1/traces/'), 'http://collector:4318/v1/traces');
  });
});

describe('span store', () => {
  it('finds a trace by request id, trace id or X-Ray id, and prints it as a tree', () => {
    const { tracing } = setup();
    const gw = gatewayTracer(tracing).start(
      'GET',
      '/hello',
      ['traceparent', `00-${TRACE}-${SPAN}-01`],
      'gw-1',
    );
    invocationTracer(tracing).start(target('hello'), 'rid-1', gw.header).end(result(false));
    gw.end('GET /hello', 200);
    for (const id of ['rid-1', 'gw-1', TRACE, xrayTraceId(TRACE)]) {
      const found = tracing.store.find(id);
      assert.equal(found?.traceId, TRACE, id);
      assert.deepEqual(
        found?.spans.map((s) => s.name),
        ['GET /hello', 'hello'],
      );
    }
    assert.equal(tracing.store.find('nope'), undefined);
    const text = formatTrace(TRACE, tracing.store.find('rid-1')!.spans);
    assert.match(text, /^trace 5759e988bd862e3fe1be46a994272793 \(2 spans/);
    assert.match(text, /\nGET \/hello .*http.response.status_code=200/);
    assert.match(text, /\n└─ hello .*faas.invocation_id=rid-1/);
  });

  it('keeps only the last maxSpans spans, forgetting evicted traces and their request ids', () => {
    const t = new Tracing({ region: 'r', maxSpans: 3 });
    for (let i = 0; i < 5; i++)
      invocationTracer(t).start(target('f'), `rid-${i}`, undefined).end(result(false));
    assert.equal(t.store.size, 3);
    assert.equal(t.store.find('rid-0'), undefined);
    assert.equal(t.store.find('rid-1'), undefined);
    assert.equal(t.store.find('rid-4')?.spans.length, 1);
    assert.equal(new SpanStore(3).size, 0);
  });
});
