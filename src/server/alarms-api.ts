import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArnScope, Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import { BatonError } from '../core/errors.ts';
import type { AlarmService } from '../telemetry/alarms/service.ts';
import { alarmAccess } from './admin-access.ts';
import { readAdminRoute } from './admin-subroute.ts';
import { parseJsonObject, type RequestTarget, sendJson } from './http-io.ts';

export interface AlarmsApiDeps {
  alarms: AlarmService;
  scope: ArnScope;
  authenticate: Authenticate;
  authorize: Authorize;
}

const PREFIX = '/admin/v1/alarms';

type Handler = (res: ServerResponse, name: string, body: Buffer) => Promise<void>;

/**
 * Metric alarms over the admin API (README, "Alarms"), SigV4-signed JSON as every admin route:
 * `GET /admin/v1/alarms`, `GET|PUT|DELETE /admin/v1/alarms/NAME`. A PUT body is the alarm as the
 * manifest writes it (`metric`, `function`, `threshold` …); its name comes from the path.
 */
export function alarmRoutes(
  deps: AlarmsApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const { alarms } = deps;
  const list: Handler = async (res) => sendJson(res, 200, { alarms: alarms.list() });
  const get: Handler = async (res, name) => sendJson(res, 200, { alarm: alarms.describe(name) });
  const put: Handler = async (res, name, body) => {
    const input = body.length === 0 ? {} : parseJsonObject(body);
    if (input.name !== undefined && input.name !== name)
      throw new BatonError(
        'InvalidParameterValue',
        `alarm.name: "${String(input.name)}" differs from the path`,
      );
    sendJson(res, 200, { alarm: await alarms.put({ ...input, name }) });
  };
  const del: Handler = async (res, name) => {
    await alarms.delete(name);
    res.writeHead(204).end();
  };

  // [method, pattern (after /admin/v1/alarms), handler, body limit, operation name]
  const routes: [string, RegExp, Handler, number, string][] = [
    ['GET', /^\/?$/, list, 0, 'DescribeAlarms'],
    ['GET', /^\/([^/]+)$/, get, 0, 'DescribeAlarms'],
    ['PUT', /^\/([^/]+)$/, put, 16 * 1024, 'PutMetricAlarm'],
    ['DELETE', /^\/([^/]+)$/, del, 0, 'DeleteAlarms'],
  ];

  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    const found = await readAdminRoute(req, res, url, path.slice(PREFIX.length), routes, deps.authenticate);
    if (!found) return true;
    const { route, match, signed } = found;
    let name = '';
    try {
      name = match[1] === undefined ? '' : decodeURIComponent(match[1]);
    } catch {
      throw new BatonError('InvalidParameterValue', `path: "${match[1]}" is not valid percent-encoding`);
    }
    deps.authorize(signed.accessKeyId, alarmAccess(route[4], name, deps.scope), req, signed.region);
    await route[2](res, name, signed.body);
    return true;
  };
}
