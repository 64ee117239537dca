import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type Authenticate, readSigned } from '../aws/auth.ts';
import { toHttpError } from './error-map.ts';
import { RequestTarget, sendJson } from './http-io.ts';

export type Route = (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>;

/**
 * The control-plane listener. Every route authenticates its requests with SigV4 (the signature
 * covers the body, so each reads it first); a request no route takes still has its signature
 * checked before it learns the path does not exist. Errors are mapped to HTTP only here.
 */
export function controlPlaneServer(routes: Route[], authenticate: Authenticate, log: Logger): Server {
  const server = createServer((req, res) => {
    void serve(req, res, new RequestTarget(req.url));
  });

  async function serve(req: IncomingMessage, res: ServerResponse, url: RequestTarget): Promise<void> {
    try {
      for (const route of routes) if (await route(req, res, url)) return;
      if (!(await readSigned(req, res, url, authenticate, { limit: 1024, operation: 'Unknown' }))) return;
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
