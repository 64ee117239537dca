import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isBatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import type { ServiceMeter } from '../../governance/costs/service-usage.ts';
import type { RequestTarget } from '../../server/http-io.ts';
import { BusError } from '../../services/bus/errors.ts';
import type { BusService, Input } from '../../services/bus/service.ts';
import type { ArnScope, Authorize } from '../access.ts';
import { type Authenticate, readAuthenticated } from '../auth.ts';
import { eventsAccess } from './access.ts';
import { EVENTS_ERRORS } from './errors.ts';
import { busUsage } from './metering.ts';
import { eventsOperations } from './operations.ts';

/** PutEvents carries at most 256 KB of entries; leave room for JSON escaping and field names. */
const BODY_LIMIT = 1024 * 1024;
const TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * The EventBridge API on the control port: awsJson1_1, `X-Amz-Target: AWSEvents.*`, SigV4-signed
 * for the `events` service, then authorized (`./access.ts`). Errors answer 400 with
 * `{__type, message}`, a denial included (`AccessDeniedException`, 400, as EventBridge answers it).
 */
export function eventsApi(deps: {
  bus: BusService;
  authenticate: Authenticate;
  authorize: Authorize;
  scope: ArnScope;
  log: Logger;
  /** Records each successful call's billable usage (issue 7, metering); none when absent. */
  meter?: ServiceMeter | undefined;
}): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const ops = eventsOperations(deps.bus);
  return async (req, res, url) => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return false;
    const action = target.slice(TARGET_PREFIX.length);
    const requestId = randomUUID();
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': CONTENT_TYPE,
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': requestId,
      });
      res.end(text);
    };
    try {
      const signed = await readAuthenticated(req, res, url, deps.authenticate, {
        limit: BODY_LIMIT,
        operation: action,
        service: 'events',
      });
      if (!signed) return true;
      let input: Input;
      try {
        const parsed: unknown = signed.body.length === 0 ? {} : JSON.parse(signed.body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Input;
      } catch {
        throw new BusError('ValidationException', 'The request body is not a valid JSON object.');
      }
      // Own properties only: `AWSEvents.constructor` is not an operation.
      const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
      if (!op) {
        send(400, { __type: 'UnknownOperationException', message: `Unknown operation ${action}` });
        return true;
      }
      deps.authorize(signed.accessKeyId, eventsAccess(action, input, deps.scope), req, signed.region);
      const trace = req.headers['x-amzn-trace-id'];
      const out = await op(input, typeof trace === 'string' ? trace : undefined);
      const perBus = deps.meter && busUsage(action, input, out as Input);
      for (const [bus, n] of perBus ?? []) deps.meter?.record('buses', bus, { busEvents: n });
      send(200, out);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (isAccessDenied(e)) {
        send(400, { __type: 'AccessDeniedException', message: e.message });
        return true;
      }
      const err =
        e instanceof BusError
          ? e
          : isBatonError(e, 'RequestTooLarge')
            ? new BusError('ValidationException', e.message)
            : undefined;
      if (!err) {
        deps.log.error({ err: e, action }, 'EventBridge request failed');
        send(500, { __type: 'InternalException', message: 'An internal error occurred. Please try again.' });
      } else send(EVENTS_ERRORS[err.code].status, { __type: err.code, message: err.message });
    }
    return true;
  };
}
