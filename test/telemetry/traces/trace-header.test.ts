import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAmznTraceId,
  formatTraceparent,
  parseAmznTraceId,
  parseIncoming,
  parseTraceparent,
  sqsEventTrace,
  traceIdOf,
  xrayTraceId,
} from '../../../src/telemetry/traces/trace-header.ts';

const TRACE = '5759e988bd862e3fe1be46a994272793';
const SPAN = '53995c3f42cd8ad8';

describe('traceparent', () => {
  it('parses the W3C example and formats it back', () => {
    const ctx = parseTraceparent(`00-${TRACE}-${SPAN}-01`);
    assert.deepEqual(ctx, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    assert.equal(formatTraceparent(ctx!), `00-${TRACE}-${SPAN}-01`);
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags, 0);
  });

  it('refuses malformed, all-zero, version ff and over-long version 00 values', () => {
    for (const bad of [
      undefined,
      '',
      'garbage',
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
    ])
      assert.equal(parseTraceparent(bad), undefined, String(bad));
    // A later version may carry more fields.
    assert.equal(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId, TRACE);
  });
});

describe('X-Amzn-Trace-Id', () => {
  it('formats as Lambda sets _X_AMZN_TRACE_ID', () => {
    const header = formatAmznTraceId({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    assert.equal(header, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.equal(
      formatAmznTraceId({ traceId: TRACE, spanId: SPAN, traceFlags: 0 }).endsWith(';Sampled=0'),
      true,
    );
  });

  it('parses fields in any order and ignores the others (Lineage)', () => {
    const ctx = parseAmznTraceId(
      'Sampled=0;Lineage=a87bd80c:0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793',
    );
    assert.deepEqual(ctx, { traceId: TRACE, spanId: SPAN, traceFlags: 0, isRemote: true });
  });

  it('needs a Root and a Parent', () => {
    assert.equal(parseAmznTraceId('Root=1-5759e988-bd862e3fe1be46a994272793'), undefined);
    assert.equal(parseAmznTraceId(`Root=2-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN}`), undefined);
    assert.equal(parseAmznTraceId(undefined), undefined);
  });

  it('converts trace ids both ways', () => {
    assert.equal(xrayTraceId(TRACE), '1-5759e988-bd862e3fe1be46a994272793');
    assert.equal(traceIdOf('1-5759e988-bd862e3fe1be46a994272793'), TRACE);
    assert.equal(traceIdOf(TRACE.toUpperCase()), TRACE);
    assert.equal(traceIdOf('not-a-trace'), undefined);
  });

  it('prefers traceparent over X-Amzn-Trace-Id', () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const ctx = parseIncoming(
      `00-${other}-${SPAN}-01`,
      formatAmznTraceId({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }),
    );
    assert.equal(ctx?.traceId, other);
    assert.equal(parseIncoming('bad', `Root=${xrayTraceId(TRACE)};Parent=${SPAN}`)?.traceId, TRACE);
  });

  it("reads an SQS event's first AWSTraceHeader", () => {
    const h = `Root=${xrayTraceId(TRACE)};Parent=${SPAN};Sampled=1`;
    assert.equal(sqsEventTrace({ Records: [{ attributes: { AWSTraceHeader: h } }, {}] }), h);
    assert.equal(sqsEventTrace({ Records: [{ attributes: {} }] }), undefined);
    assert.equal(sqsEventTrace({}), undefined);
  });
});
