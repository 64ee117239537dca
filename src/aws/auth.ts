import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestTarget } from '../server/http-io.ts';
import { readBody, sendJson } from '../server/http-io.ts';
import { type SecretLookup, type SigV4Failure, type SigV4Result, verifySigV4 } from './sigv4.ts';

/** The signing name of Baton's own admin API. */
export const ADMIN_SERVICE = 'baton';

/** How SigV4 failures reach clients of the JSON APIs (Lambda, the admin API). */
const FAILURES: Record<SigV4Failure, string> = {
  MissingAuthentication: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  UnknownAccessKey: 'UnrecognizedClientException',
  SignatureMismatch: 'InvalidSignatureException',
  RequestExpired: 'InvalidSignatureException',
  WrongService: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
};

export type Authenticate = (
  req: IncomingMessage,
  url: RequestTarget,
  body: Uint8Array,
  service?: string,
) => SigV4Result;

/** Verifies a request's SigV4 signature against the known access keys (and function sessions). */
export function authenticator(secretFor: SecretLookup, now: () => number): Authenticate {
  return (req, url, body, service) =>
    verifySigV4(
      { method: req.method ?? 'GET', rawPath: url.pathname, rawQuery: url.query, headers: req.headers, body },
      secretFor,
      now(),
      service,
    );
}

/** Answers a failed signature check with 403 and the AWS error type. */
function sendAuthFailure(res: ServerResponse, result: Extract<SigV4Result, { ok: false }>): void {
  const type = FAILURES[result.code];
  sendJson(
    res,
    403,
    { __type: type, Type: 'User', Message: result.message, message: result.message },
    { 'x-amzn-errortype': type },
  );
}

/**
 * Reads a request's body (within `limit` bytes: the signature covers it) and checks the
 * signature. On failure it answers 403 itself and returns undefined; on success it returns the
 * body and the signer's access key id and region.
 */
export async function readAuthenticated(
  req: IncomingMessage,
  res: ServerResponse,
  url: RequestTarget,
  authenticate: Authenticate,
  opts: {
    limit: number;
    operation: string;
    service?: string;
    /** Answers a failed check in the API's own protocol (default: the JSON shape above). */
    onFailure?: (res: ServerResponse, failure: Extract<SigV4Result, { ok: false }>) => void;
  },
): Promise<{ body: Buffer; accessKeyId: string; region: string } | undefined> {
  const body = await readBody(req, opts.limit, opts.operation);
  const auth = authenticate(req, url, body, opts.service);
  if (auth.ok) return { body, accessKeyId: auth.accessKeyId, region: auth.region };
  (opts.onFailure ?? sendAuthFailure)(res, auth);
  return undefined;
}

/**
 * The codes the query-protocol services (SQS, SNS) use for signature failures, with their
 * HTTP statuses: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export const QUERY_AUTH_FAILURES: Record<SigV4Failure, { code: string; status: number }> = {
  MissingAuthentication: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignature: { code: 'IncompleteSignature', status: 400 },
  UnknownAccessKey: { code: 'InvalidClientTokenId', status: 403 },
  SignatureMismatch: { code: 'SignatureDoesNotMatch', status: 403 },
  RequestExpired: { code: 'RequestExpired', status: 400 },
  WrongService: { code: 'SignatureDoesNotMatch', status: 403 },
  ExpiredToken: { code: 'ExpiredToken', status: 403 },
};

/** `readAuthenticated`, for routes that need only the body. */
export async function readSigned(
  req: IncomingMessage,
  res: ServerResponse,
  url: RequestTarget,
  authenticate: Authenticate,
  opts: { limit: number; operation: string; service?: string },
): Promise<Buffer | undefined> {
  return (await readAuthenticated(req, res, url, authenticate, opts))?.body;
}
