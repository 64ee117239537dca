/**
 * The gateway's own answers, with API Gateway HTTP APIs' statuses and bodies. Each body is
 * encoded once, at load.
 */
export const ANSWERS = {
  /** No route matches the request (and there is no `$default` route). */
  notFound: answer(404, 'Not Found'),
  /** A JWT is missing, malformed, badly signed, expired, or for another issuer or audience. */
  unauthorized: answer(401, 'Unauthorized'),
  /** A valid JWT without the route's scopes; or an API key that is missing or wrong. */
  forbidden: answer(403, 'Forbidden'),
  /** The body is over the route's `maxBodyBytes`, or the event over Lambda's 6 MB. */
  tooLarge: answer(413, 'Request Entity Too Large'),
  /** The route's token bucket is empty, or the function is at its concurrency limit. */
  throttled: answer(429, 'Too Many Requests'),
  /** Baton could not invoke the function (deleted meanwhile, or a bug). */
  internal: answer(500, 'Internal Server Error'),
  /** The function failed, or returned a malformed response. */
  badGateway: answer(502, 'Internal Server Error'),
  /** The function timed out (or ran past the 30 s integration timeout); or Baton is stopping. */
  unavailable: answer(503, 'Service Unavailable'),
} as const;

export interface Answer {
  status: number;
  message: string;
  body: Buffer;
}

function answer(status: number, message: string): Answer {
  return { status, message, body: Buffer.from(JSON.stringify({ message })) };
}
