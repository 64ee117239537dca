import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { InvokeTarget } from '../../../src/registry/resolve.ts';
import type { InvokeResult } from '../../../src/runtime/invoker.ts';
import { gatewayTracer, invocationTracer } from '../../../src/telemetry/traces/hooks.ts';
import { Tracing } from '../../../src/telemetry/traces/tracing.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes: { key: string; value: Record<string, unknown> }[];
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = 'b7ad6b7169203331';

/**
 * OTLP/HTTP export against a real collector stand-in on loopback: Baton's own spans go through
 * OpenTelemetry's batch processor and OTLP exporter with their ids, parents, times, status,
 * attributes (the shared ones merged in) and the resource.
 */
describe('OTLP export', () => {
  let server: Server;
  let endpoint: string;
  const bodies: { path: string; type: string; body: Record<string, unknown> }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({
          path: req.url ?? '',
          type: String(req.headers['content-type']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('exports a gateway request and its invocation as one trace', async () => {
    const tracing = new Tracing({ region: 'eu-west-1', otlpEndpoint: endpoint, serviceName: 'baton-test' });
    const started = Date.now();
    const gw = gatewayTracer(tracing).start(
      'GET',
      '/hello',
      ['traceparent', `00-${TRACE}-${CALLER}-01`],
      'gw-1',
    );
    const target = {
      record: { name: 'hello' },
      version: '$LATEST',
      invokedArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello',
      key: 'hello',
    } as unknown as InvokeTarget;
    const inv = invocationTracer(tracing).start(target, 'rid-1', gw.header);
    inv.end({ cold: true, functionError: 'Unhandled' } as InvokeResult);
    gw.end('GET /hello', 502);
    await tracing.forceFlush();
    await tracing.shutdown();

    assert.ok(bodies.length >= 1);
    assert.equal(bodies[0]!.path, '/v1/traces');
    assert.match(bodies[0]!.type, /application\/json/);
    const resourceSpans = bodies.flatMap(
      (b) =>
        b.body.resourceSpans as {
          resource: { attributes: OtlpSpan['attributes'] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[],
    );
    const resource = Object.fromEntries(
      resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]),
    );
    assert.equal(resource['service.name'], 'baton-test');
    assert.equal(resource['cloud.region'], 'eu-west-1');
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    assert.equal(spans.length, 2);
    const g = spans.find((s) => s.name === 'GET /hello')!;
    const i = spans.find((s) => s.name === 'hello')!;
    assert.equal(g.traceId, TRACE);
    assert.equal(i.traceId, TRACE);
    assert.equal(g.parentSpanId, CALLER);
    assert.equal(i.parentSpanId, g.spanId);
    assert.equal(g.kind, 2, 'SPAN_KIND_SERVER');
    assert.equal(g.status?.code, 2, 'a 502 is an error');
    assert.equal(i.status?.code, 2);
    const attrs = Object.fromEntries(i.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
    assert.equal(attrs['faas.invocation_id'], 'rid-1');
    assert.equal(attrs['faas.coldstart'], true);
    assert.equal(attrs['faas.invoked_region'], 'eu-west-1', 'shared attributes are exported too');
    const start = Number(BigInt(g.startTimeUnixNano) / 1_000_000n);
    const end = Number(BigInt(g.endTimeUnixNano) / 1_000_000n);
    assert.ok(start >= started - 5 && start <= Date.now() + 5, `start ${start}`);
    assert.ok(end >= start);
  });
});
