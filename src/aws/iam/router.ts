import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isBatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import { IamError } from '../../governance/iam/errors.ts';
import type { Input } from '../../governance/iam/input.ts';
import type { IamService } from '../../governance/iam/service.ts';
import { type RequestTarget, readBody } from '../../server/http-io.ts';
import type { Authorize } from '../access.ts';
import { type Authenticate, QUERY_AUTH_FAILURES } from '../auth.ts';
import { scopeService } from '../sqs/query.ts';
import { type IamLookups, iamAccess } from './access.ts';
import { IAM_STATUS } from './errors.ts';
import { iamOperations } from './operations.ts';
import { errorXml, responseXml } from './xml.ts';

/** A policy document may hold 131072 characters, each up to 6 once form-encoded. */
const BODY_LIMIT = 1024 * 1024;
const SIGNING_NAME = 'iam';

function sendXml(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
  });
  res.end(xml);
}

/**
 * Whether a request is an IAM call: a form POST (or a GET with `Action`) signed for `iam`. SNS
 * posts the same kind of form to the same path; the credential scope tells them apart.
 */
export function isIamRequest(req: IncomingMessage, url: RequestTarget): boolean {
  const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const get = req.method === 'GET' && url.query.includes('Action=');
  if (!(req.method === 'POST' && form) && !get) return false;
  return scopeService(req, url) === SIGNING_NAME;
}

/** The action and its flat parameters (IAM's inputs here have no lists or maps). */
function parseForm(url: RequestTarget, body: Buffer): { action: string | undefined; input: Input } {
  const params = new URLSearchParams(url.query);
  if (body.length > 0) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  const input: Record<string, string> = Object.create(null);
  for (const [k, v] of params) if (!k.startsWith('X-Amz-') && !(k in input)) input[k] = v;
  const action = input.Action;
  delete input.Action;
  delete input.Version;
  return { action, input };
}

/**
 * The IAM API on the control port, in the awsQuery protocol (version 2010-05-08): `Action=…`
 * form posts signed for `iam`, XML answers. IAM is global: any region in the scope is accepted.
 * Requests are authorized (`./access.ts`) before they run; a denial is IAM's 403 `AccessDenied`.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/iam-api.pdf
 */
export function iamApi(deps: {
  iam: IamService;
  authenticate: Authenticate;
  authorize: Authorize;
  accountId: string;
  log: Logger;
}): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const ops = iamOperations(deps.iam);
  const lookups: IamLookups = {
    account: deps.accountId,
    userArn: (name) => deps.iam.user(name)?.arn,
    roleArn: (name) => deps.iam.role(name)?.arn,
    callerArn: (key) => {
      const p = deps.iam.principalOf(key);
      return p?.kind === 'user' ? p.user.arn : p && `arn:aws:iam::${deps.accountId}:root`;
    },
  };

  const fail = (res: ServerResponse, e: unknown, requestId: string, action: string | undefined) => {
    if (isAccessDenied(e)) {
      sendXml(res, 403, errorXml('Sender', 'AccessDenied', e.message, requestId), requestId);
      return;
    }
    const err =
      e instanceof IamError
        ? e
        : isBatonError(e, 'RequestTooLarge')
          ? new IamError('ValidationError', e.message)
          : undefined;
    if (!err) deps.log.error({ err: e, action }, 'IAM request failed');
    const code = err?.code ?? 'ServiceFailure';
    const status = IAM_STATUS[code];
    const message =
      err?.message ?? 'Request processing has failed due to an unknown error, exception or failure.';
    sendXml(
      res,
      status,
      errorXml(status >= 500 ? 'Receiver' : 'Sender', code, message, requestId),
      requestId,
    );
  };

  return async (req, res, url) => {
    if (!isIamRequest(req, url)) return false;
    const requestId = randomUUID();
    let action: string | undefined;
    try {
      const body = await readBody(req, BODY_LIMIT, 'IAM');
      const auth = deps.authenticate(req, url, body, SIGNING_NAME);
      if (!auth.ok) {
        const { code, status } = QUERY_AUTH_FAILURES[auth.code];
        sendXml(res, status, errorXml('Sender', code, auth.message, requestId), requestId);
        return true;
      }
      const parsed = parseForm(url, req.method === 'POST' ? body : Buffer.alloc(0));
      action = parsed.action;
      const op = action !== undefined && Object.hasOwn(ops, action) ? ops[action] : undefined;
      if (!op)
        throw new IamError(
          'InvalidAction',
          `Could not find operation ${action ?? '(none)'} for version 2010-05-08`,
        );
      deps.authorize(
        auth.accessKeyId,
        iamAccess(action!, parsed.input, auth.accessKeyId, lookups),
        req,
        auth.region,
      );
      const out = await op(parsed.input, auth.accessKeyId);
      sendXml(res, 200, responseXml(action!, out, requestId), requestId);
    } catch (e) {
      if (res.headersSent) res.destroy();
      else fail(res, e, requestId, action);
    }
    return true;
  };
}
