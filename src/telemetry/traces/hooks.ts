import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Attributes, type SpanContext, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { headerOf } from '../../gateway/request.ts';
import type { GatewaySpan, GatewayTracer } from '../../gateway/request-tracing.ts';
import type { InvokeTarget } from '../../registry/resolve.ts';
import type { InvocationSpan, InvocationTracer, InvokeResult } from '../../runtime/invoker.ts';
import type { InvocationFields } from './invocation-ring.ts';
import type { SpanStore } from './span-store.ts';
import { parseAmznTraceId, parseIncoming } from './trace-header.ts';
import { BatonSpan, NO_ATTRIBUTES, type Tracing } from './tracing.ts';

/**
 * The small objects the data plane calls (`GatewayDeps.trace`, `InvokerDeps.trace`, the async
 * dispatcher's `enqueued`, the control plane's `trace`), built on one server's `Tracing`.
 * Attribute names follow OpenTelemetry's FaaS, HTTP and RPC conventions
 * (https://opentelemetry.io/docs/specs/semconv/faas/, …/rpc/).
 */

/**
 * One span per invocation: `faas.invocation_id`, `faas.coldstart` (known once it ran). The span
 * is also what the invoker holds (no wrapper, no closure), and its attributes are derived from the
 * target and request id only when the span is read: the warm path stays cheap
 * (`bench/governance-overhead.ts`).
 */
class InvocationRecord extends BatonSpan implements InvocationSpan, InvocationFields {
  /** Sent with the invocation; dropped when the span ends. */
  context: string;
  cold = false;
  readonly version: string;
  readonly invokedArn: string;

  constructor(
    t: Tracing,
    target: InvokeTarget,
    readonly requestId: string,
    parent: SpanContext | undefined,
  ) {
    super(t, target.record.name, SpanKind.SERVER, parent, NO_ATTRIBUTES, t.invocationShared);
    this.version = target.version;
    this.invokedArn = target.invokedArn;
    this.context = this.compactContext();
  }

  protected override derivedAttributes(): Attributes {
    return {
      'faas.invocation_id': this.requestId,
      'faas.invoked_name': this.name,
      'faas.version': this.version,
      'cloud.resource_id': this.invokedArn,
      'faas.coldstart': this.cold,
    };
  }

  /** Kept in the store's compact invocation ring, not as this object. */
  override keepIn(store: SpanStore): void {
    store.addInvocation(this);
  }

  /** Ends the span with the invocation's result, or with the error that refused it. */
  override end(result?: InvokeResult, error?: unknown): void {
    if (result) {
      this.cold = result.cold;
      if (result.functionError) this.setStatus({ code: SpanStatusCode.ERROR, message: 'Unhandled' });
    } else if (error !== undefined) {
      this.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    this.context = '';
    super.end();
  }
}

export function invocationTracer(t: Tracing): InvocationTracer {
  return {
    start: (target: InvokeTarget, requestId: string, parent: string | undefined): InvocationSpan =>
      new InvocationRecord(t, target, requestId, parent === undefined ? undefined : parseAmznTraceId(parent)),
  };
}

/** One span per gateway request, named `METHOD route` once a route matched. */
export function gatewayTracer(t: Tracing): GatewayTracer {
  return {
    start(method: string, path: string, rawHeaders: string[], requestId: string): GatewaySpan {
      const parent = parseIncoming(
        headerOf(rawHeaders, 'traceparent'),
        headerOf(rawHeaders, 'x-amzn-trace-id'),
      );
      const span = t.start(method, SpanKind.SERVER, parent, {
        'http.request.method': method,
        'url.path': path,
        'aws.request_id': requestId,
        'cloud.region': t.region,
      });
      return {
        header: span.traceHeader(),
        end(routeKey: string | undefined, status: number) {
          if (routeKey !== undefined) {
            span.updateName(routeKey.includes(' ') ? routeKey : `${method} ${routeKey}`);
            span.setAttribute('http.route', routeKey.slice(routeKey.indexOf(' ') + 1));
          }
          span.setAttribute('http.response.status_code', status);
          if (status >= 500 || status === 0) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
  };
}

/** The async hop: a PRODUCER span when the event is stored; its run is the span's child. */
export function asyncEnqueueTracer(t: Tracing): (fn: string, parent: string | undefined) => string {
  return (fn, parent) => {
    const span = t.start(`${fn} enqueue`, SpanKind.PRODUCER, parseAmznTraceId(parent), {
      'faas.invoked_name': fn,
      'faas.trigger': 'other',
      'messaging.operation.type': 'send',
      'cloud.region': t.region,
    });
    span.end();
    return span.traceHeader();
  };
}

/** `AmazonSQS.SendMessage` → SQS; the JSON protocols' target prefixes, by service. */
const TARGET_SERVICES: Record<string, string> = {
  AmazonSQS: 'SQS',
  DynamoDB_20120810: 'DynamoDB',
  DynamoDBStreams_20120810: 'DynamoDBStreams',
  AWSEvents: 'EventBridge',
};

/** rpc.service and rpc.method of a control-port request; undefined for the admin API and /metrics. */
export function apiCallOf(
  req: IncomingMessage,
  pathname: string,
  query: string,
): [string, string] | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.indexOf('.');
    const prefix = target.slice(0, dot);
    return [TARGET_SERVICES[prefix] ?? prefix, target.slice(dot + 1)];
  }
  if (pathname.startsWith('/admin/') || pathname === '/metrics') return undefined;
  if (pathname.startsWith('/2015-03-31/functions'))
    return ['Lambda', pathname.endsWith('/invocations') ? 'Invoke' : (req.method ?? 'GET')];
  // Query protocol (SNS, older SQS clients) and REST (Scheduler, IAM): the service of the
  // signature's scope; the action when it is in the URL (a form body is read later, by the route).
  const auth = req.headers.authorization;
  const scope = typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth) : null;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(query);
  return [scope?.[1] ?? 'unknown', action?.[1] ?? req.method ?? 'POST'];
}

/**
 * One CLIENT-facing SERVER span per AWS API call on the control port, under the caller's
 * `traceparent` or `X-Amzn-Trace-Id` (the AWS SDK forwards a function's `_X_AMZN_TRACE_ID`). The
 * request's `x-amzn-trace-id` is then rewritten to this span, so what the call starts (an SQS
 * message's `AWSTraceHeader`, a Lambda invoke) continues the trace from it. Guarded by
 * `test/telemetry/traces/tracing.test.ts` and `end-to-end.test.ts`.
 */
export function controlPlaneTracer(
  t: Tracing,
): (req: IncomingMessage, res: ServerResponse, url: { pathname: string; query: string }) => void {
  return (req, res, url) => {
    const call = apiCallOf(req, url.pathname, url.query);
    if (!call) return;
    const amzn = req.headers['x-amzn-trace-id'];
    const tp = req.headers.traceparent;
    const parent = parseIncoming(
      typeof tp === 'string' ? tp : undefined,
      typeof amzn === 'string' ? amzn : undefined,
    );
    const span = t.start(`${call[0]}/${call[1]}`, SpanKind.SERVER, parent, {
      'rpc.system': 'aws-api',
      'rpc.service': call[0],
      'rpc.method': call[1],
      'http.request.method': req.method ?? 'POST',
      'cloud.region': t.region,
    });
    // Only a traced caller's messages get an `AWSTraceHeader`, as on SQS; a Lambda invoke shows
    // none of it, so its invocation always hangs under this span.
    if (parent || call[0] === 'Lambda') req.headers['x-amzn-trace-id'] = span.traceHeader();
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      const status = res.headersSent ? res.statusCode : 0;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500 || status === 0) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
  };
}
