import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits } from '../../core/limits.ts';
import { functionArn } from '../../runtime/function-env.ts';
import { toHttpError } from '../../server/error-map.ts';
import { matchRoute, parseJsonObject, type RequestTarget } from '../../server/http-io.ts';
import { withResourcePolicies } from '../access.ts';
import { readAuthenticated } from '../auth.ts';
import { functionPolicyOf, lambdaAccess } from './access.ts';
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
import { policyText } from './function-policy.ts';
import { mappingOps } from './mapping-ops.ts';
import { policyOps } from './policy-ops.ts';
import { versionOps } from './version-ops.ts';

export type { LambdaApiDeps } from './common.ts';

/**
 * The AWS Lambda API (restJson1) on the control port: functions, versions, aliases,
 * concurrency, async configuration and invocations, for the AWS SDK, the AWS CLI and boto3.
 * Every request is SigV4 signed for the `lambda` service, then authorized (`./access.ts`) before
 * the operation runs; a denial is 403 `AccessDeniedException` (`src/server/error-map.ts`).
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
  const { addPermission, removePermission, getPolicy } = policyOps(deps, ctx);
  const scope = { region: deps.identity.region, account: deps.identity.accountId };
  // The function policy of each call's ARN (AddPermission), weighed beside the caller's own.
  const functionPolicy = functionPolicyOf(scope, (name, qualifier) => {
    const p = deps.registry.getPolicy(name, qualifier);
    return p && policyText(p);
  });
  const mappingFunction = (uuid: string) => {
    const m = deps.registry.getMapping(uuid);
    return m && functionArn(deps.identity, m.qualifier ? `${m.function}:${m.qualifier}` : m.function);
  };

  const F = '/2015-03-31/functions';
  const N = '([^/]+)';
  const routes: [string, RegExp, Op, number, string][] = [
    ['POST', new RegExp(`^${F}/${N}/invocations/?$`), invoke, limits.invokePayloadBytes, 'InvokeFunction'],
    ['POST', new RegExp(`^${F}/?$`), create, CODE_BODY_LIMIT, 'CreateFunction'],
    ['GET', new RegExp(`^${F}/?$`), list, 0, 'ListFunctions'],
    ['GET', new RegExp(`^${F}/${N}/?$`), get, 0, 'GetFunction'],
    ['GET', new RegExp(`^${F}/${N}/configuration/?$`), getConfiguration, 0, 'GetFunctionConfiguration'],
    [
      'PUT',
      new RegExp(`^${F}/${N}/configuration/?$`),
      updateConfiguration,
      SMALL_BODY_LIMIT,
      'UpdateFunctionConfiguration',
    ],
    ['PUT', new RegExp(`^${F}/${N}/code/?$`), updateCode, CODE_BODY_LIMIT, 'UpdateFunctionCode'],
    ['DELETE', new RegExp(`^${F}/${N}/?$`), remove, 0, 'DeleteFunction'],
    ['POST', new RegExp(`^${F}/${N}/versions/?$`), publishVersion, SMALL_BODY_LIMIT, 'PublishVersion'],
    ['GET', new RegExp(`^${F}/${N}/versions/?$`), listVersions, 0, 'ListVersionsByFunction'],
    ['POST', new RegExp(`^${F}/${N}/aliases/?$`), createAlias, SMALL_BODY_LIMIT, 'CreateAlias'],
    ['GET', new RegExp(`^${F}/${N}/aliases/?$`), listAliases, 0, 'ListAliases'],
    ['GET', new RegExp(`^${F}/${N}/aliases/${N}/?$`), getAlias, 0, 'GetAlias'],
    ['PUT', new RegExp(`^${F}/${N}/aliases/${N}/?$`), updateAlias, SMALL_BODY_LIMIT, 'UpdateAlias'],
    ['DELETE', new RegExp(`^${F}/${N}/aliases/${N}/?$`), deleteAlias, 0, 'DeleteAlias'],
    ['POST', new RegExp(`^${F}/${N}/policy/?$`), addPermission, SMALL_BODY_LIMIT, 'AddPermission'],
    ['GET', new RegExp(`^${F}/${N}/policy/?$`), getPolicy, 0, 'GetPolicy'],
    ['DELETE', new RegExp(`^${F}/${N}/policy/${N}/?$`), removePermission, 0, 'RemovePermission'],
    [
      'PUT',
      new RegExp(`^/2017-10-31/functions/${N}/concurrency/?$`),
      putConcurrency,
      SMALL_BODY_LIMIT,
      'PutFunctionConcurrency',
    ],
    [
      'DELETE',
      new RegExp(`^/2017-10-31/functions/${N}/concurrency/?$`),
      deleteConcurrency,
      0,
      'DeleteFunctionConcurrency',
    ],
    [
      'GET',
      new RegExp(`^/2019-09-30/functions/${N}/concurrency/?$`),
      getConcurrency,
      0,
      'GetFunctionConcurrency',
    ],
    ['GET', /^\/2016-08-19\/account-settings\/?$/, accountSettings, 0, 'GetAccountSettings'],
    [
      'PUT',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      putInvokeConfig(false),
      SMALL_BODY_LIMIT,
      'PutFunctionEventInvokeConfig',
    ],
    [
      'POST',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      putInvokeConfig(true),
      SMALL_BODY_LIMIT,
      'UpdateFunctionEventInvokeConfig',
    ],
    [
      'GET',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      getInvokeConfig,
      0,
      'GetFunctionEventInvokeConfig',
    ],
    [
      'DELETE',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/?$`),
      deleteInvokeConfig,
      0,
      'DeleteFunctionEventInvokeConfig',
    ],
    [
      'GET',
      new RegExp(`^/2019-09-25/functions/${N}/event-invoke-config/list/?$`),
      listInvokeConfigs,
      0,
      'ListFunctionEventInvokeConfigs',
    ],
    [
      'POST',
      new RegExp(`^/2014-11-13/functions/${N}/invoke-async/?$`),
      invokeAsync,
      256 * 1024,
      'InvokeAsync',
    ],
    [
      'POST',
      /^\/2015-03-31\/event-source-mappings\/?$/,
      createMapping,
      SMALL_BODY_LIMIT,
      'CreateEventSourceMapping',
    ],
    ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, listMappings, 0, 'ListEventSourceMappings'],
    ['GET', new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`), getMapping, 0, 'GetEventSourceMapping'],
    [
      'PUT',
      new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`),
      updateMapping,
      SMALL_BODY_LIMIT,
      'UpdateEventSourceMapping',
    ],
    [
      'DELETE',
      new RegExp(`^/2015-03-31/event-source-mappings/${N}/?$`),
      deleteMapping,
      0,
      'DeleteEventSourceMapping',
    ],
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
      const signed = await readAuthenticated(req, res, url, deps.authenticate, {
        limit: route?.[3] || SMALL_BODY_LIMIT,
        operation: 'InvokeFunction',
        service: 'lambda',
      });
      if (!signed) return true;
      if (!route || !match) {
        sendError(res, 404, 'UnknownOperationException', `No Lambda operation for ${req.method} ${path}`);
        return true;
      }
      const decode = (s: string | undefined) => (s === undefined ? '' : decodeURIComponent(s));
      const { body } = signed;
      const name = decode(match[1]);
      const access = lambdaAccess(
        route[4],
        {
          name,
          qualifier: url.searchParams.get('Qualifier') ?? undefined,
          body: () => parseJsonObject(body),
          mappingFunction,
          roleArn: deps.roleArn,
        },
        scope,
      );
      await withResourcePolicies(access, functionPolicy);
      deps.authorize(signed.accessKeyId, access, req, signed.region);
      await route[2]({ req, res, name, sub: decode(match[2]), body, url });
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
