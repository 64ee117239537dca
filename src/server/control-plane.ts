import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerChecker, type Credentials } from './credentials.ts';
import { toHttpError } from './error-map.ts';
import { RequestTarget, sendJson } from './http-io.ts';

export type Route = (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>;

/**
 * The control-plane listener. AWS API routes (`signed`) authenticate their own requests with
 * SigV4, since the signature covers the body; every other request must carry the root
 * credentials before it reaches the admin routes. Errors are mapped to HTTP only here.
 */
export function controlPlaneServer(
  creds: Credentials,
  routes: { signed: Route[]; admin: Route[] },
  log: Logger,
): Server {
  const checkBearer = bearerChecker(creds);
  const server = createServer((req, res) => {
    const url = new RequestTarget(req.url);
    void serve(req, res, url);
  });

  async function serve(req: IncomingMessage, res: ServerResponse, url: RequestTarget): Promise<void> {
    try {
      for (const route of routes.signed) if (await route(req, res, url)) return;
    } catch (e) {
      log.error({ err: e, path: url.pathname }, 'AWS API request failed');
      if (!res.headersSent)
        sendJson(res, 500, { __type: 'ServiceException', message: 'An internal error occurred.' });
      return;
    }
    const auth = checkBearer(req.headers.authorization);
    if (auth !== 'ok') {
      req.resume();
      const type = auth === 'missing' ? 'MissingAuthenticationTokenException' : 'UnrecognizedClientException';
      const message =
        auth === 'missing'
          ? 'Missing Authentication Token'
          : 'The security token included in the request is invalid.';
      sendJson(res, 403, { __type: type, message }, { 'x-amzn-errortype': type });
      return;
    }
    try {
      for (const route of routes.admin) if (await route(req, res, url)) return;
      sendJson(res, 404, {
        __type: 'UnknownOperationException',
        message: `No route for ${req.method} ${url.pathname}`,
      });
    } catch (e) {
      const err = toHttpError(e);
      if (err.status >= 500) log.error({ err: e, path: url.pathname }, 'control-plane request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, err.status, err.body, err.headers);
    }
  }
  server.keepAliveTimeout = 65_000;
  return server;
}

/** The public gateway. App routes arrive with the HTTP triggers; until then every path is 404. */
export function gatewayServer(): Server {
  return createServer((req, res) => {
    req.resume();
    sendJson(res, 404, { message: 'Not Found' });
  });
}
