import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isBatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import type { ServiceMeter } from '../../governance/costs/service-usage.ts';
import { type RequestTarget, readBody } from '../../server/http-io.ts';
import { TopicError } from '../../services/topics/errors.ts';
import type { TopicService } from '../../services/topics/service.ts';
import type { MessageSigner } from '../../services/topics/signing.ts';
import { type ArnScope, type Authorize, withResourcePolicies } from '../access.ts';
import type { Authenticate } from '../auth.ts';
import { snsAccess, snsSpelling } from './access.ts';
import { SIGV4_CODES, SNS_STATUS } from './errors.ts';
import { snsUsage } from './metering.ts';
import { snsOperations } from './operations.ts';
import { errorXml, isSnsRequest, parseQuery, responseXml } from './query.ts';

/** Request bodies: a 256 KB batch, form-encoded (non-ASCII bytes take 3 characters), fits in 2 MiB. */
const BODY_LIMIT = 2 * 1024 * 1024;

function sendXml(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
  });
  res.end(xml);
}

/**
 * The SNS API on the control port, in the awsQuery protocol (`Action=…` form posts, XML answers),
 * SigV4-signed for the `sns` service. Two GETs are served unsigned, as SNS serves them to the
 * endpoints it delivers to: the signing certificate (`SigningCertURL`), and the `SubscribeURL`
 * of a confirmation message, where the token itself is the credential. Signed requests are
 * authorized (`./access.ts`) before they run; a denial is SNS's 403 `AuthorizationError`.
 */
export function snsApi(deps: {
  topics: TopicService;
  signer: MessageSigner;
  authenticate: Authenticate;
  authorize: Authorize;
  scope: ArnScope;
  log: Logger;
  /** Records each successful call's billable usage (issue 7, metering); none when absent. */
  meter?: ServiceMeter | undefined;
}): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const ops = snsOperations(deps.topics);
  // A topic's `Policy` attribute is weighed beside the caller's own policies. Only a stored one:
  // the default that GetTopicAttributes shows grants the owner account, which changes nothing.
  const topicPolicy = async (arn: string) => {
    if (!arn.startsWith('arn:aws:sns:')) return undefined;
    try {
      return (await deps.topics.topicFromArn(arn)).attributes.Policy || undefined;
    } catch {
      return undefined; // No such topic: the operation answers NotFound after.
    }
  };

  const fail = (res: ServerResponse, e: unknown, requestId: string, path: string) => {
    const err = isAccessDenied(e)
      ? new TopicError('AuthorizationError', e.messageFor(snsSpelling))
      : e instanceof TopicError
        ? e
        : isBatonError(e, 'RequestTooLarge')
          ? new TopicError('InvalidParameter', `Invalid parameter: ${e.message}`)
          : undefined;
    if (!err) deps.log.error({ err: e, path }, 'SNS request failed');
    const code = err?.code ?? 'InternalError';
    const status = SNS_STATUS[code];
    const message = err?.message ?? 'We encountered an internal error. Please try again.';
    sendXml(
      res,
      status,
      errorXml(status >= 500 ? 'Receiver' : 'Sender', code, message, requestId),
      requestId,
    );
  };

  return async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === deps.signer.certPath) {
      const pem = deps.signer.identity.certificatePem;
      res.writeHead(200, {
        'content-type': 'application/x-pem-file',
        'content-length': Buffer.byteLength(pem),
      });
      res.end(pem);
      return true;
    }
    const unsigned =
      req.method === 'GET' &&
      url.pathname === '/' &&
      req.headers.authorization === undefined &&
      !url.query.includes('X-Amz-Credential');
    const action = unsigned ? url.searchParams.get('Action') : null;
    const unsignedConfirm = action === 'ConfirmSubscription';
    if (action === 'Unsubscribe') {
      // AWS lets anyone with the UnsubscribeURL unsubscribe; Baton wants a signature.
      const requestId = randomUUID();
      const message = 'Unsubscribe needs a SigV4-signed request in Baton';
      sendXml(res, 403, errorXml('Sender', 'AuthorizationError', message, requestId), requestId);
      return true;
    }
    if (!unsignedConfirm && !isSnsRequest(req, url)) return false;
    const requestId = randomUUID();
    try {
      if (unsignedConfirm) {
        const { input } = parseQuery(url, undefined);
        const out = await deps.topics.confirmSubscription(input, false);
        sendXml(res, 200, responseXml('ConfirmSubscription', out, requestId), requestId);
        return true;
      }
      const body = await readBody(req, BODY_LIMIT, 'SNS');
      const auth = deps.authenticate(req, url, body, 'sns');
      if (!auth.ok) {
        sendXml(res, 403, errorXml('Sender', SIGV4_CODES[auth.code], auth.message, requestId), requestId);
        return true;
      }
      const { action, input } = parseQuery(url, req.method === 'POST' ? body : undefined);
      const op = action !== undefined && Object.hasOwn(ops, action) ? ops[action] : undefined;
      if (!op)
        throw new TopicError(
          'InvalidAction',
          `Could not find operation ${action ?? '(none)'} for version 2010-03-31`,
        );
      const access = await withResourcePolicies(snsAccess(action!, input, deps.scope), topicPolicy);
      deps.authorize(auth.accessKeyId, access, req, auth.region);
      const trace = req.headers['x-amzn-trace-id'];
      const out = await op(input, auth.accessKeyId, typeof trace === 'string' ? trace : undefined);
      const u = deps.meter && snsUsage(action!, input);
      if (u) deps.meter?.record('topics', u.topic, { topicRequests: u.requests });
      sendXml(res, 200, responseXml(action!, out, requestId), requestId);
    } catch (e) {
      if (res.headersSent) res.destroy();
      else fail(res, e, requestId, url.pathname);
    }
    return true;
  };
}
