import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits } from '../../core/limits.ts';
import { toHttpError } from '../../server/error-map.ts';
import { matchRoute, type RequestTarget } from '../../server/http-io.ts';
import { readSigned } from '../auth.ts';
import { asyncConfigOps } from './async-config-ops.ts';
import {
  CODE_BODY_LIMIT,
  type LambdaApiDeps,
  lambdaContext,
  type Op,
  SMALL_BODY_LIMIT,
  sendError,
} from './common.ts';
import { functionOps } from './function-ops.ts';
import { mappingOps } from './mapping-ops.ts';
import { versionOps } from './version-ops.ts';

export type { LambdaApiDeps } from './common.ts';

/**
 * The AWS Lambda API (restJson1) on the control port: functions, versions, aliases,
 * concurrency, async configuration and invocations, for the AWS SDK, the AWS CLI and boto3.
 * Every request is SigV4 signed for the `lambda` service.
 */
export function lambdaApi(
  deps: LambdaApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const ctx = lambdaContext(deps);
  const {
    create,
    list,
    get,
    getConfiguration,
    updateConfiguration,
    updateCode,
    remove,
    invoke,
    invokeAsync,
    putConcurrency,
    getConcurrency,
    deleteConcurrency,
    accountSettings,
  } = functionOps(deps, ctx);
  const { publishVersion, listVersions, createAlias, getAlias, updateAlias, deleteAlias, listAliases } =
    versionOps(deps, ctx);
  const { putInvokeConfig, getInvokeConfig, deleteInvokeConfig, listInvokeConfigs } = asyncConfigOps(
    deps,
    ctx,
  );
  const { createMapping, getMapping, updateMapping, deleteMapping, listMappings } = mappingOps(deps, ctx);

  const F = '/2015-03-31/functions';
  const N = '([^/]+)';
  const routes: [string, RegExp, Op, number][] = [
    ['POST', new RegExp(`^${F}/${N}/invocations/?$`), invoke, limits.invokePayloadBytes],
    ['POST', new RegExp(`^${F}/?$`), create, CODE_BODY_LIMIT],
    ['GET', new RegExp(`^${F}/?$`), list, 0],
    ['GET', new RegExp(`^${F}/${N}/?$`), get, 0],
    ['GET', new RegExp(`^${F}/${N}/configuration/?$`), getConfiguration, 0],
    ['PUT', new RegExp(`^${F}/${N}/configuration/?$`), updateConfiguration, SMALL_BODY_LIMIT],
    ['PUT', new RegExp(`^${F}/${N}/code/?$`), updateCode, CODE_BODY_LIMIT],
    ['DELETE', new RegExp(`^${F}/${N}/?$`), remove, 0],
    ['POST', new RegExp(`^${F}/${N}/versions/?$`), publishVersion, SMALL_BODY_LIMIT],
    ['GET', new RegExp(`^${F}/${N}/versions/?$`), listVersions, 0],
    ['POST', new RegExp(`^${F}/${N}/aliases/?$`), createAlias, SMALL_BODY_LIMIT],
    ['GET', new RegExp(`^${F}/${N}/aliases/?$`), listAliases, 0],
    ['GET', new RegExp(`^${F}/${N}/aliases/${N}/?$`), getAlias, 0],
    ['PUT', new RegExp(`^${F}/${N}/aliases/${N}/?$`), updateAlias, SMALL_BODY_LIMIT],
    ['DELETE', new RegExp(`^${F}/${N}/aliases/${N}/?$`), deleteAlias, 0],
    ['PUT', new RegExp(`^/2017-10-31/functions/${N}/concurrency/?$`), putConcurrency, SMALL_BODY_LIMIT],
    ['DELETE', new RegExp(`^/2017-10-31/functions/${N}/concurrency/?$`), deleteConcurrency, 0],
    ['GET', new RegExp(`^/2019-09-30/functions/${N}/concurrency/?$`), getConcurrency, 0],
    ['GET', /^\/2016-08-19\/account-settings\/?$/, accountSettings, 0],
    [
      'PUT',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      putInvokeConfig(false),
      SMALL_BODY_LIMIT,
    ],
    [
      'POST',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      putInvokeConfig(true),
      SMALL_BODY_LIMIT,
    ],
    ['GET', new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`), getInvokeConfig, 0],
    ['DELETE', new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`), deleteInvokeConfig, 0],
    ['GET', new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/list/?$`), listInvokeConfigs, 0],
    ['POST', new RegExp(`^/2014-11-13/functions/${N}/invoke-async/?$`), invokeAsync, 256 * 1024],
    ['POST', /^\/2015-03-31\/event-source-mappings\/?$/, createMapping, SMALL_BODY_LIMIT],
    ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, listMappings, 0],
    ['GET', new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`), getMapping, 0],
    ['PUT', new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`), updateMapping, SMALL_BODY_LIMIT],
    ['DELETE', new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`), deleteMapping, 0],
  ];
  const PREFIXES = [
    '/2015-03-31/',
    '/2017-10-31/',
    '/2019-09-30/',
    '/2016-08-19/',
    '/2019-09-25/',
    '/2014-11-13/',
  ];

  return async (req, res, url) => {
    const path = url.pathname;
    if (!PREFIXES.some((p) => path.startsWith(p))) return false;
    try {
      const { route, match } = matchRoute(routes, req.method, path);
      // Body first: SigV4 signs its hash.
      const body = await readSigned(req, res, url, deps.authenticate, {
        limit: route?.[3] || SMALL_BODY_LIMIT,
        operation: 'InvokeFunction',
        service: 'lambda',
      });
      if (!body) return true;
      if (!route || !match) {
        sendError(res, 404, 'UnknownOperationException', `No Lambda operation for ${req.method} ${path}`);
        return true;
      }
      const decode = (s: string | undefined) => (s === undefined ? '' : decodeURIComponent(s));
      await route[2]({ req, res, name: decode(match[1]), sub: decode(match[2]), body, url });
    } catch (e) {
      const err = toHttpError(e);
      if (res.headersSent) res.destroy();
      else
        sendError(
          res,
          err.status,
          err.headers['x-amzn-errortype'] ?? 'ServiceException',
          String(err.body.message),
          err.body.Reason ? { Reason: err.body.Reason } : {},
        );
    }
    return true;
  };
}
