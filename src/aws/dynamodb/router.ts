import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { isBatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import type { ServiceMeter } from '../../governance/costs/service-usage.ts';
import type { RequestTarget } from '../../server/http-io.ts';
import { isTableError, TableError } from '../../services/tables/errors.ts';
import type { TableOperation } from '../../services/tables/service.ts';
import type { ArnScope, Authorize } from '../access.ts';
import { type Authenticate, readAuthenticated } from '../auth.ts';
import { dynamodbAccess } from './access.ts';
import { meteredInput, tableUnits } from './metering.ts';

/** BatchWriteItem may carry 16 MB; leave room for JSON escaping. */
const BODY_LIMIT = 20 * 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/**
 * DynamoDB and DynamoDB Streams on the control port: awsJson1_0, `X-Amz-Target:
 * DynamoDB_20120810.*` and `DynamoDBStreams_20120810.*`, SigV4-signed for `dynamodb`. Errors
 * answer 400 (500 for Baton's own faults) with `{__type, message}` plus the fields some errors
 * carry (Item, CancellationReasons). Answers carry `x-amz-crc32`, which botocore checks. Calls
 * are authorized (`./access.ts`) before they run; a denial is 400 `AccessDeniedException`.
 */
export function dynamodbApi(deps: {
  /** Operations by target prefix (`DynamoDB_20120810`, `DynamoDBStreams_20120810`). */
  apis: Record<string, Record<string, TableOperation>>;
  authenticate: Authenticate;
  authorize: Authorize;
  scope: ArnScope;
  log: Logger;
  /** Records each successful call's billable usage (issue 7, metering); none when absent. */
  meter?: ServiceMeter | undefined;
}): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  return async (req, res, url) => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string') return false;
    const dot = target.indexOf('.');
    const api = dot > 0 ? deps.apis[target.slice(0, dot)] : undefined;
    if (!api || !Object.hasOwn(deps.apis, target.slice(0, dot))) return false;
    const action = target.slice(dot + 1);
    const requestId = randomUUID();
    const send = (status: number, body: unknown) => {
      const text = Buffer.from(JSON.stringify(body));
      res.writeHead(status, {
        'content-type': CONTENT_TYPE,
        'content-length': text.length,
        'x-amzn-requestid': requestId,
        'x-amz-crc32': String(crc32(text)),
      });
      res.end(text);
    };
    try {
      const signed = await readAuthenticated(req, res, url, deps.authenticate, {
        limit: BODY_LIMIT,
        operation: action,
        service: 'dynamodb',
      });
      if (!signed) return true;
      const op = Object.hasOwn(api, action) ? api[action] : undefined;
      if (!op) {
        send(400, {
          __type: 'com.amazon.coral.service#UnknownOperationException',
          message: `Unknown operation ${action}`,
        });
        return true;
      }
      let input: Record<string, unknown>;
      try {
        const parsed: unknown = signed.body.length === 0 ? {} : JSON.parse(signed.body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        throw new TableError('SerializationException', 'Start of structure or map found where not expected');
      }
      deps.authorize(signed.accessKeyId, dynamodbAccess(action, input, deps.scope), req, signed.region);
      const header = req.headers['x-amzn-trace-id'];
      const trace = typeof header === 'string' ? header : undefined;
      const metered = deps.meter ? meteredInput(action, input) : undefined;
      if (!metered) {
        send(200, await op(input, trace));
        return true;
      }
      const out = (await op(metered.input, trace)) as Record<string, unknown>;
      for (const [table, u] of tableUnits(out)) deps.meter?.record('tables', table, u);
      if (metered.strip) delete out.ConsumedCapacity;
      send(200, out);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (isAccessDenied(e)) {
        send(400, { __type: 'com.amazon.coral.service#AccessDeniedException', message: e.message });
        return true;
      }
      const err = isTableError(e)
        ? e
        : isBatonError(e, 'RequestTooLarge')
          ? new TableError('ValidationException', 'Request size exceeded the maximum allowed size')
          : undefined;
      if (!err) {
        deps.log.error({ err: e, action }, 'DynamoDB request failed');
        send(500, { __type: `${ERROR_PREFIX}InternalServerError`, message: 'Internal server error' });
        return true;
      }
      const prefix = err.code === 'SerializationException' ? 'com.amazon.coral.service#' : ERROR_PREFIX;
      send(err.code === 'InternalServerError' ? 500 : 400, {
        __type: `${prefix}${err.code}`,
        message: err.message,
        ...(err.item ? { Item: err.item } : {}),
        ...(err.reasons ? { CancellationReasons: err.reasons } : {}),
      });
    }
    return true;
  };
}
