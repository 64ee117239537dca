import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isBatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import type { ServiceMeter } from '../../governance/costs/service-usage.ts';
import type { RequestTarget } from '../../server/http-io.ts';
import { QueueError } from '../../services/queues/errors.ts';
import type { Input, Output, QueueService } from '../../services/queues/service.ts';
import { type ArnScope, type Authorize, withResourcePolicies } from '../access.ts';
import { type Authenticate, QUERY_AUTH_FAILURES, readAuthenticated } from '../auth.ts';
import { sqsAccess } from './access.ts';
import { jsonErrorType, SQS_ERRORS } from './errors.ts';
import { sqsUsage } from './metering.ts';
import { sqsOperations } from './operations.ts';
import { isQueryRequest, parseQueryInput, queryErrorXml, queryResponseXml } from './query.ts';

/** Request bodies: a 256 KiB batch with base64 binary attributes and JSON overhead fits in 1 MiB. */
const BODY_LIMIT = 1024 * 1024;
const TARGET_PREFIX = 'AmazonSQS.';

/**
 * The SQS API on the control port, in both of its protocols: awsJson1_0 (`X-Amz-Target:
 * AmazonSQS.*`, current SDKs) and the query protocol (`Action=…`, XML answers; older clients and
 * the AWS CLI v1). Requests are SigV4-signed for the `sqs` service, then authorized
 * (`./access.ts`); a denial answers 403 `AccessDenied`, as SQS does, with the action in lower
 * case in its message (`sqs:sendmessage`), as SQS writes it.
 */
export function sqsApi(deps: {
  queues: QueueService;
  authenticate: Authenticate;
  authorize: Authorize;
  scope: ArnScope;
  log: Logger;
  /** Records each successful call's billable usage (issue 7, metering); none when absent. */
  meter?: ServiceMeter | undefined;
}): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const ops = sqsOperations(deps.queues);
  // A queue's `Policy` attribute (SetQueueAttributes) is weighed beside the caller's own policies.
  const ownQueue = `arn:aws:sqs:${deps.scope.region}:${deps.scope.account}:`;
  const queuePolicy = async (arn: string) => {
    if (!arn.startsWith(ownQueue)) return undefined;
    const q = await deps.queues.findQueue(arn.slice(ownQueue.length));
    return q?.attributes.Policy || undefined;
  };
  return async (req, res, url) => {
    const target = req.headers['x-amz-target'];
    const json = typeof target === 'string' && target.startsWith(TARGET_PREFIX);
    if (!json && !isQueryRequest(req, url)) return false;
    const requestId = randomUUID();
    const fail = (e: unknown, query: boolean) => {
      if (isAccessDenied(e)) {
        const message = e.messageFor((a) => a.toLowerCase());
        if (query) {
          res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
          res.end(queryErrorXml('Sender', 'AccessDenied', message, requestId));
          return;
        }
        res.writeHead(403, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': 'AccessDenied;Sender',
        });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message }));
        return;
      }
      const err =
        e instanceof QueueError
          ? e
          : isBatonError(e, 'RequestTooLarge')
            ? new QueueError('InvalidParameterValue', e.message)
            : undefined;
      if (!err) deps.log.error({ err: e, path: url.pathname }, 'SQS request failed');
      const code = err?.code;
      const status = code ? SQS_ERRORS[code].status : 500;
      const queryCode = code ? SQS_ERRORS[code].queryCode : 'InternalError';
      const message = err?.message ?? 'We encountered an internal error. Please try again.';
      const fault = status >= 500 ? 'Receiver' : 'Sender';
      if (query) {
        const xml = queryErrorXml(fault, queryCode, message, requestId);
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(xml);
        return;
      }
      const body = JSON.stringify({
        __type: `com.amazonaws.sqs#${code ? jsonErrorType(code) : 'InternalError'}`,
        message,
      });
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${queryCode};${fault}`,
      });
      res.end(body);
    };
    try {
      const signed = await readAuthenticated(req, res, url, deps.authenticate, {
        limit: BODY_LIMIT,
        operation: json ? (target as string).slice(TARGET_PREFIX.length) : 'SQS',
        service: 'sqs',
        onFailure: (r, failure) => {
          const { code, status } = QUERY_AUTH_FAILURES[failure.code];
          if (!json) {
            r.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
            r.end(queryErrorXml('Sender', code, failure.message, requestId));
            return;
          }
          r.writeHead(status, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-requestid': requestId,
            'x-amzn-query-error': `${code};Sender`,
          });
          r.end(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message: failure.message }));
        },
      });
      if (!signed) return true;
      let action: string;
      let input: Input;
      if (json) {
        action = (target as string).slice(TARGET_PREFIX.length);
        try {
          const parsed: unknown = signed.body.length === 0 ? {} : JSON.parse(signed.body.toString('utf8'));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            throw new Error('not an object');
          input = parsed as Input;
        } catch {
          throw new QueueError('InvalidParameterValue', 'The request body is not a valid JSON object.');
        }
      } else {
        const q = parseQueryInput(req, url, signed.body);
        action = q.action;
        input = q.input;
      }
      // Own properties only: `AmazonSQS.constructor` is not an operation.
      const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
      if (!op) {
        if (json) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId });
          res.end(
            JSON.stringify({
              __type: 'com.amazon.coral.service#UnknownOperationException',
              message: `Unknown operation ${action}`,
            }),
          );
          return true;
        }
        throw new QueueError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      }
      const trace = req.headers['x-amzn-trace-id'];
      if (typeof trace === 'string') withTraceHeader(action, input, trace);
      const access = await withResourcePolicies(sqsAccess(action, input, deps.scope), queuePolicy);
      deps.authorize(signed.accessKeyId, access, req, signed.region);
      const out: Output = await op(input, signed.accessKeyId);
      if (deps.meter) {
        const u = sqsUsage(action, input, out);
        deps.meter.record('queues', u.queue, { queueRequests: u.requests });
      }
      if (json) {
        const text = JSON.stringify(out);
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': requestId,
        });
        res.end(text);
      } else {
        const xml = queryResponseXml(action, out, requestId);
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(xml);
      }
    } catch (e) {
      if (res.headersSent) res.destroy();
      else fail(e, !json);
    }
    return true;
  };
}

/**
 * SQS keeps the sender's `X-Amzn-Trace-Id` as the message's `AWSTraceHeader` unless the message
 * sets one itself (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sqs.html); a
 * queue-triggered invocation continues it.
 */
function withTraceHeader(action: string, input: Input, trace: string): void {
  const messages =
    action === 'SendMessage' ? [input] : action === 'SendMessageBatch' ? (input.Entries as Input[]) : [];
  if (!Array.isArray(messages)) return;
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const sys = (m.MessageSystemAttributes ?? {}) as Record<string, unknown>;
    if (typeof sys !== 'object' || sys === null || sys.AWSTraceHeader !== undefined) continue;
    m.MessageSystemAttributes = { ...sys, AWSTraceHeader: { DataType: 'String', StringValue: trace } };
  }
}
