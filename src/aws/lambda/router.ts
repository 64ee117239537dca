import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatonError } from '../../core/errors.ts';
import { parseFunctionConfig } from '../../core/function-spec.ts';
import { limits } from '../../core/limits.ts';
import type { Deployer } from '../../deploy/deployer.ts';
import type { Registry } from '../../registry/registry.ts';
import { functionArn, type PlatformIdentity } from '../../runtime/function-env.ts';
import type { Invoker } from '../../runtime/invoker.ts';
import { toHttpError } from '../../server/error-map.ts';
import { parseJsonObject, type RequestTarget, sendJson } from '../../server/http-io.ts';
import { formatInvocationLog } from '../../telemetry/logs/invocation-log.ts';
import { type Authenticate, readSigned } from '../auth.ts';
import { parseFunctionRef } from './names.ts';
import { functionConfiguration } from './shapes.ts';

export interface LambdaApiDeps {
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  identity: PlatformIdentity;
  authenticate: Authenticate;
}

type Op = (args: {
  req: IncomingMessage;
  res: ServerResponse;
  name: string;
  body: Buffer;
  url: RequestTarget;
}) => Promise<void>;

/** The Lambda API's first date prefix; AWS keeps later operations under other dates. */
const PREFIX = '/2015-03-31/functions';
/** Request bodies that carry code (base64 zips) may be larger than invoke payloads. */
const CODE_BODY_LIMIT = Math.ceil(limits.codeZipBytes * 1.4);
const TAIL_BYTES = 4096;

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  sendJson(
    res,
    status,
    { Type: status >= 500 ? 'Service' : 'User', Message: message, message, ...extra },
    { 'x-amzn-errortype': type },
  );
}

/**
 * The AWS Lambda API (restJson1) on the control port: enough of it for the AWS SDK, the AWS CLI
 * and boto3 to create, read, list, update, delete and invoke functions. Every request is SigV4
 * signed for the `lambda` service.
 */
export function lambdaApi(
  deps: LambdaApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const find = (name: string) => {
    const ref = parseFunctionRef(name);
    const rec = deps.registry.get(ref.name);
    if (!rec || (ref.qualifier !== undefined && ref.qualifier !== '$LATEST'))
      throw new BatonError('ResourceNotFound', `Function not found: ${functionArn(deps.identity, name)}`);
    return rec;
  };
  const configOf = (o: Record<string, unknown>, base?: Record<string, unknown>) => {
    const env = (o.Environment as { Variables?: unknown } | undefined)?.Variables;
    return parseFunctionConfig(
      {
        handler: o.Handler ?? base?.handler,
        memory: o.MemorySize ?? base?.memory,
        timeout: o.Timeout ?? base?.timeout,
        environment: env ?? base?.environment,
        reservedConcurrency: base?.reservedConcurrency,
        provisionedConcurrency: base?.provisionedConcurrency,
        idleTimeout: base?.idleTimeout,
      },
      'function',
    );
  };
  const zipOf = (code: unknown): Uint8Array => {
    const zip = (code as { ZipFile?: unknown } | undefined)?.ZipFile;
    if (typeof zip !== 'string' || zip.length === 0)
      throw new BatonError(
        'InvalidParameterValue',
        'Code.ZipFile is required: the function code as a base64 zip',
      );
    return Buffer.from(zip, 'base64');
  };
  const checkRuntime = (runtime: unknown) => {
    if (runtime !== undefined && (typeof runtime !== 'string' || !runtime.startsWith('nodejs')))
      throw new BatonError(
        'InvalidParameterValue',
        `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Baton runs Node.js runtimes only`,
      );
  };

  const create: Op = async ({ res, body }) => {
    const o = parseJsonObject(body);
    checkRuntime(o.Runtime);
    const name = parseFunctionRef(String(o.FunctionName ?? '')).name;
    const out = await deps.deployer.create(name, configOf(o), zipOf(o.Code));
    sendJson(res, 201, functionConfiguration(out.record, deps.identity));
  };
  const list: Op = async ({ res, url }) => {
    const all = deps.registry.list();
    const marker = url.searchParams.get('Marker');
    const max = Math.min(Math.max(Number(url.searchParams.get('MaxItems') ?? 50) || 50, 1), 10_000);
    const start = marker ? all.findIndex((r) => r.name > marker) : 0;
    const page = start < 0 ? [] : all.slice(start, start + max);
    const more = start >= 0 && start + max < all.length;
    sendJson(res, 200, {
      Functions: page.map((r) => functionConfiguration(r, deps.identity)),
      ...(more ? { NextMarker: page.at(-1)!.name } : {}),
    });
  };
  const get: Op = async ({ res, name }) => {
    const rec = find(name);
    sendJson(res, 200, {
      Configuration: functionConfiguration(rec, deps.identity),
      Code: { RepositoryType: 'S3', Location: '' },
      ...(rec.reservedConcurrency !== null
        ? { Concurrency: { ReservedConcurrentExecutions: rec.reservedConcurrency } }
        : {}),
    });
  };
  const getConfiguration: Op = async ({ res, name }) => {
    sendJson(res, 200, functionConfiguration(find(name), deps.identity));
  };
  const updateConfiguration: Op = async ({ res, name, body }) => {
    const rec = find(name);
    const o = parseJsonObject(body);
    checkRuntime(o.Runtime);
    const out = await deps.deployer.update(rec.name, { config: configOf(o, { ...rec }) });
    sendJson(res, 200, functionConfiguration(out.record, deps.identity));
  };
  const updateCode: Op = async ({ res, name, body }) => {
    const rec = find(name);
    const o = parseJsonObject(body);
    const out = await deps.deployer.update(rec.name, { zip: zipOf({ ZipFile: o.ZipFile }) });
    sendJson(res, 200, functionConfiguration(out.record, deps.identity));
  };
  const remove: Op = async ({ res, name }) => {
    const rec = find(name);
    await deps.deployer.delete(rec.name);
    res.writeHead(204).end();
  };
  const invoke: Op = async ({ req, res, name, body }) => {
    const rec = find(name);
    const type = (req.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amz-executed-version': '$LATEST' }).end();
      return;
    }
    if (type !== 'RequestResponse')
      throw new BatonError(
        'InvalidParameterValue',
        `InvocationType ${type} is not supported yet (RequestResponse and DryRun are)`,
      );
    const r = await deps.invoker.invoke(rec.name, body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': r.requestId,
      'x-amz-executed-version': r.executedVersion,
    };
    if (r.functionError) headers['x-amz-function-error'] = r.functionError;
    if (req.headers['x-amz-log-type'] === 'Tail') {
      const text = Buffer.from(`${formatInvocationLog(r.log).join('\n')}\n`);
      headers['x-amz-log-result'] = text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString('base64');
    }
    res.writeHead(200, headers);
    res.end(r.payload);
  };

  const routes: [string, RegExp, Op, number][] = [
    ['POST', /^\/([^/]+)\/invocations$/, invoke, limits.invokePayloadBytes],
    ['POST', /^\/?$/, create, CODE_BODY_LIMIT],
    ['GET', /^\/?$/, list, 0],
    ['GET', /^\/([^/]+)\/?$/, get, 0],
    ['GET', /^\/([^/]+)\/configuration$/, getConfiguration, 0],
    ['PUT', /^\/([^/]+)\/configuration$/, updateConfiguration, CODE_BODY_LIMIT],
    ['PUT', /^\/([^/]+)\/code$/, updateCode, CODE_BODY_LIMIT],
    ['DELETE', /^\/([^/]+)\/?$/, remove, 0],
  ];

  return async (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const rest = url.pathname.slice(PREFIX.length);
    try {
      const route = routes.find(([method, re]) => method === req.method && re.test(rest));
      // Body first: SigV4 signs its hash.
      const body = await readSigned(req, res, url, deps.authenticate, {
        limit: route?.[3] || 1024 * 1024,
        operation: 'InvokeFunction',
        service: 'lambda',
      });
      if (!body) return true;
      if (!route) {
        sendError(
          res,
          404,
          'UnknownOperationException',
          `No Lambda operation for ${req.method} ${url.pathname}`,
        );
        return true;
      }
      const m = route[1].exec(rest)!;
      await route[2]({ req, res, name: m[1] === undefined ? '' : decodeURIComponent(m[1]), body, url });
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
