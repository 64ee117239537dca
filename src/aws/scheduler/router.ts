/**
 * The EventBridge Scheduler API (restJson1) on the control port, for `@aws-sdk/client-scheduler`
 * and the AWS CLI. Its paths (`/schedules…`, `/schedule-groups…`) collide with no other API's,
 * and every request must be SigV4 signed for the `scheduler` service, then authorized
 * (`./access.ts`); a denial is 403 `AccessDeniedException`, as Scheduler answers it.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BatonError } from '../../core/errors.ts';
import { isAccessDenied } from '../../governance/authorizer.ts';
import { toHttpError } from '../../server/error-map.ts';
import { matchRoute, parseJsonObject, type RequestTarget, sendJson } from '../../server/http-io.ts';
import { SCHEDULER_ERROR_STATUS, SchedulerError } from '../../services/scheduler/errors.ts';
import type { SchedulerService } from '../../services/scheduler/service.ts';
import type { ArnScope, Authorize } from '../access.ts';
import { type Authenticate, readAuthenticated } from '../auth.ts';
import { type SchedulerOperation, schedulerAccess } from './access.ts';
import { groupShape, scheduleShape, scheduleSummary } from './shapes.ts';

export interface SchedulerApiDeps {
  scheduler: SchedulerService;
  authenticate: Authenticate;
  authorize: Authorize;
  scope: ArnScope;
  log: Logger;
}

interface Call {
  name: string;
  /** The JSON body, parsed once (`{}` when empty). */
  input: Record<string, unknown>;
  url: RequestTarget;
}
type Op = (call: Call) => Promise<unknown>;

const BODY_LIMIT = 256 * 1024;

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { message, Message: message }, { 'x-amzn-errortype': type });
}

const query = (url: RequestTarget, key: string) => url.searchParams.get(key) ?? undefined;
function maxResults(url: RequestTarget): number | undefined {
  const v = query(url, 'MaxResults');
  return v === undefined ? undefined : Number(v);
}

export function schedulerApi(
  deps: SchedulerApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const { scheduler } = deps;
  const N = '([^/]+)';
  const routes: [string, RegExp, SchedulerOperation, Op][] = [
    [
      'POST',
      new RegExp(`^/schedules/${N}$`),
      'CreateSchedule',
      async ({ name, input }) => ({ ScheduleArn: (await scheduler.createSchedule(name, input)).arn }),
    ],
    [
      'PUT',
      new RegExp(`^/schedules/${N}$`),
      'UpdateSchedule',
      async ({ name, input }) => ({ ScheduleArn: (await scheduler.updateSchedule(name, input)).arn }),
    ],
    [
      'GET',
      new RegExp(`^/schedules/${N}$`),
      'GetSchedule',
      async ({ name, url }) => scheduleShape(await scheduler.getSchedule(name, query(url, 'groupName'))),
    ],
    [
      'DELETE',
      new RegExp(`^/schedules/${N}$`),
      'DeleteSchedule',
      async ({ name, url }) => {
        await scheduler.deleteSchedule(name, query(url, 'groupName'));
        return {};
      },
    ],
    [
      'GET',
      /^\/schedules\/?$/,
      'ListSchedules',
      async ({ url }) => {
        const p = await scheduler.listSchedules({
          group: query(url, 'ScheduleGroup'),
          namePrefix: query(url, 'NamePrefix'),
          state: query(url, 'State'),
          nextToken: query(url, 'NextToken'),
          maxResults: maxResults(url),
        });
        return { Schedules: p.items.map(scheduleSummary), NextToken: p.nextToken };
      },
    ],
    [
      'POST',
      new RegExp(`^/schedule-groups/${N}$`),
      'CreateScheduleGroup',
      async ({ name }) => ({ ScheduleGroupArn: (await scheduler.createGroup(name)).arn }),
    ],
    [
      'GET',
      new RegExp(`^/schedule-groups/${N}$`),
      'GetScheduleGroup',
      async ({ name }) => groupShape(await scheduler.getGroup(name)),
    ],
    [
      'DELETE',
      new RegExp(`^/schedule-groups/${N}$`),
      'DeleteScheduleGroup',
      async ({ name }) => {
        await scheduler.deleteGroup(name);
        return {};
      },
    ],
    [
      'GET',
      /^\/schedule-groups\/?$/,
      'ListScheduleGroups',
      async ({ url }) => {
        const p = await scheduler.listGroups({
          namePrefix: query(url, 'NamePrefix'),
          nextToken: query(url, 'NextToken'),
          maxResults: maxResults(url),
        });
        return { ScheduleGroups: p.items.map(groupShape), NextToken: p.nextToken };
      },
    ],
  ];

  return async (req, res, url) => {
    const path = url.pathname;
    if (!/^\/schedule(s|-groups)(\/|$)/.test(path)) return false;
    try {
      const { route, match } = matchRoute(routes, req.method, path);
      // Body first: SigV4 signs its hash.
      const signed = await readAuthenticated(req, res, url, deps.authenticate, {
        limit: BODY_LIMIT,
        operation: 'Scheduler',
        service: 'scheduler',
      });
      if (!signed) return true;
      if (!route || !match) {
        sendError(res, 404, 'UnknownOperationException', `No Scheduler operation for ${req.method} ${path}`);
        return true;
      }
      const name = decodeURIComponent(match[1] ?? '');
      const input = signed.body.length === 0 ? {} : parseJsonObject(signed.body);
      const group = typeof input.GroupName === 'string' ? input.GroupName : query(url, 'groupName');
      const access = schedulerAccess(route[2], name, group, deps.scope, input);
      deps.authorize(signed.accessKeyId, access, req, signed.region);
      sendJson(res, 200, await route[3]({ name, input, url }));
    } catch (e) {
      if (res.headersSent) res.destroy();
      else if (isAccessDenied(e)) sendError(res, 403, 'AccessDeniedException', e.message);
      else if (e instanceof SchedulerError) sendError(res, SCHEDULER_ERROR_STATUS[e.code], e.code, e.message);
      else if (
        e instanceof BatonError &&
        (e.code === 'InvalidRequestContent' || e.code === 'InvalidParameterValue')
      )
        sendError(res, 400, 'ValidationException', e.message);
      else {
        const err = toHttpError(e);
        if (err.status >= 500) deps.log.error({ err: e, path }, 'scheduler request failed');
        const type =
          err.status >= 500
            ? 'InternalServerException'
            : (err.headers['x-amzn-errortype'] ?? 'ValidationException');
        sendError(res, err.status, type, String(err.body.message));
      }
    }
    return true;
  };
}
