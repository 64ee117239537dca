import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerChecker, type Credentials } from './credentials.ts';
import { toHttpError } from './error-map.ts';
import { RequestTarget, sendJson } from './http-io.ts';

export type Route = (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>;

/**
 * The control-plane listener: authenticates every request, then offers it to each route group
 * in turn. Errors are mapped to HTTP only here.
 */
export function controlPlaneServer(creds: Credentials, routes: Route[], log: Logger): Server {
  const checkBearer = bearerChecker(creds);
  const server = createServer((req, res) => {
    const url = new RequestTarget(req.url);
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
    void dispatch(req, res, url);
  });

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: RequestTarget): Promise<void> {
    try {
      for (const route of routes) if (await route(req, res, url)) return;
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
