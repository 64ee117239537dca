import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorize } from '../aws/access.ts';
import { ADMIN_SERVICE, type Authenticate, readAuthenticated } from '../aws/auth.ts';
import { BatonError } from '../core/errors.ts';
import { type FunctionRecord, parseFunctionConfig, validateFunctionName } from '../core/function-spec.ts';
import { limits } from '../core/limits.ts';
import type { Deployer } from '../deploy/deployer.ts';
import { type Manifest, parseManifest } from '../deploy/manifest.ts';
import { describeRoutes } from '../gateway/describe.ts';
import type { AccessKeys } from '../governance/access-keys.ts';
import type { Registry } from '../registry/registry.ts';
import { functionArn, type PlatformIdentity } from '../runtime/function-env.ts';
import type { Invoker } from '../runtime/invoker.ts';
import type { Pool } from '../runtime/pool.ts';
import type { LogSink } from '../telemetry/logs/log-sink.ts';
import { type AdminCall, adminAccess, deployPassRoles } from './admin-access.ts';
import { matchRoute, parseJsonObject, type RequestTarget, sendJson } from './http-io.ts';
import { logFilterOf } from './log-params.ts';

export interface AdminDeps {
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  pool: Pool;
  logs: LogSink;
  identity: PlatformIdentity;
  /** Reads baton.yaml from stored code (deploys ship the manifest inside the zip). */
  readManifest: (codeZip: Uint8Array) => string | undefined;
  authenticate: Authenticate;
  authorize: Authorize;
  accessKeys: AccessKeys;
  /** An IAM user's ARN, if the user exists (the access-key routes act on users). */
  userArn: (name: string) => string | undefined;
  /** An IAM role's ARN, if the role exists (`iam:PassRole` on a role given by name). */
  roleArn?: (name: string) => string | undefined;
}

/** JSON bodies of the admin API carry base64 code, so they may be larger than invoke payloads. */
const ADMIN_BODY_LIMIT = Math.ceil(limits.codeZipBytes * 1.4);
const PREFIX = '/admin/v1/';

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  url: RequestTarget,
  body: Buffer,
) => Promise<void>;

/**
 * Baton's admin REST API (JSON): function create, get, list, update, delete; invoke; logs; and a
 * whole-app deploy. Requests are SigV4-signed for the `baton` service, as the CLI signs them, and
 * authorized (`./admin-access.ts`) before they run: a denial is 403 `AccessDeniedException`.
 */
export function adminRoutes(
  deps: AdminDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  // A body is parsed once, whether authorization or the handler reads it first.
  const parsed = new WeakMap<Buffer, Record<string, unknown>>();
  const json = (body: Buffer): Record<string, unknown> => {
    let o = parsed.get(body);
    if (!o) {
      o = parseJsonObject(body);
      parsed.set(body, o);
    }
    return o;
  };
  // A deploy's manifest too: authorization reads its roles (`iam:PassRole`), the handler the rest.
  const manifests = new WeakMap<Buffer, Manifest>();
  const manifestOf = (zip: Buffer, url: RequestTarget): Manifest => {
    let m = manifests.get(zip);
    if (!m) {
      const text = deps.readManifest(zip);
      if (text === undefined)
        throw new BatonError('InvalidParameterValue', 'baton.yaml: not found in the deployed folder');
      m = parseManifest(text, url.searchParams.get('app') ?? 'app');
      manifests.set(zip, m);
    }
    return m;
  };
  const scope = { region: deps.identity.region, account: deps.identity.accountId };
  const describe = (rec: FunctionRecord, stats = deps.pool.stats()) => {
    const live = stats.functions[rec.name];
    return {
      name: rec.name,
      arn: functionArn(deps.identity, rec.name),
      app: rec.app,
      runtime: rec.runtime,
      handler: rec.handler,
      memory: rec.memory,
      timeout: rec.timeout,
      environment: rec.environment,
      reservedConcurrency: rec.reservedConcurrency,
      provisionedConcurrency: rec.provisionedConcurrency,
      idleTimeout: rec.idleTimeout,
      logging: rec.logging ?? { format: 'Text' },
      logRetentionDays: rec.logRetentionDays ?? null,
      role: rec.role ?? null,
      routes: describeRoutes(rec.routes),
      codeSha256: rec.codeSha256,
      codeSize: rec.codeSize,
      entry: rec.entry,
      lastModified: new Date(rec.updatedAt).toISOString(),
      instances: { live: live?.live ?? 0, idle: live?.idle ?? 0 },
    };
  };
  const find = (name: string): FunctionRecord => {
    const rec = deps.registry.get(name);
    if (!rec)
      throw new BatonError('ResourceNotFound', `Function not found: ${functionArn(deps.identity, name)}`);
    return rec;
  };
  const decodeCode = (v: unknown): Uint8Array => {
    if (typeof v !== 'string' || v.length === 0)
      throw new BatonError('InvalidParameterValue', 'code: must be a base64 zip of the function code');
    return Buffer.from(v, 'base64');
  };

  const listFunctions: Handler = async (_req, res) => {
    const stats = deps.pool.stats();
    sendJson(res, 200, { functions: deps.registry.list().map((r) => describe(r, stats)) });
  };
  const createFunction: Handler = async (_req, res, _name, _url, raw) => {
    const { name, code, ...config } = json(raw);
    const fnName = validateFunctionName(name);
    const parsed = parseFunctionConfig(config, 'function');
    const out = await deps.deployer.create(fnName, parsed, decodeCode(code));
    sendJson(res, 201, { function: describe(out.record), warnings: out.warnings });
  };
  const getFunction: Handler = async (_req, res, name) => {
    sendJson(res, 200, { function: describe(find(name)) });
  };
  const updateFunction: Handler = async (_req, res, name, _url, raw) => {
    const prev = find(name);
    const { code, ...changes } = json(raw);
    const hasConfig = Object.keys(changes).length > 0;
    const current = {
      handler: prev.handler,
      memory: prev.memory,
      timeout: prev.timeout,
      environment: prev.environment,
      reservedConcurrency: prev.reservedConcurrency,
      provisionedConcurrency: prev.provisionedConcurrency,
      idleTimeout: prev.idleTimeout,
      logging: prev.logging,
      logRetentionDays: prev.logRetentionDays,
      role: prev.role,
    };
    const config = hasConfig ? parseFunctionConfig({ ...current, ...changes }, 'function') : undefined;
    const out = await deps.deployer.update(name, {
      config,
      zip: code === undefined ? undefined : decodeCode(code),
    });
    sendJson(res, 200, { function: describe(out.record), warnings: out.warnings });
  };
  const deleteFunction: Handler = async (_req, res, name) => {
    await deps.deployer.delete(name);
    res.writeHead(204).end();
  };
  const invoke: Handler = async (_req, res, name, _url, body) => {
    const r = await deps.invoker.invoke(name, body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(r.payload)),
      'x-amz-request-id': r.requestId,
      'x-amz-executed-version': r.executedVersion,
    };
    if (r.functionError) headers['x-amz-function-error'] = r.functionError;
    res.writeHead(200, headers);
    res.end(r.payload);
  };
  const logs: Handler = async (_req, res, name, url) => {
    find(name);
    sendJson(res, 200, await deps.logs.filter({ function: name, ...logFilterOf(url.searchParams) }));
  };
  const deploy: Handler = async (_req, res, _name, url, zip) => {
    const manifest = manifestOf(zip, url);
    const result = await deps.deployer.deployApp(manifest.app, manifest.functions, zip, manifest);
    sendJson(res, 200, { app: manifest.app, ...result });
  };

  const listKeys: Handler = async (_req, res) => {
    sendJson(res, 200, { accessKeys: deps.accessKeys.list() });
  };
  const createKey: Handler = async (_req, res, _name, _url, body) => {
    const key = await deps.accessKeys.create(json(body).name);
    sendJson(res, 201, key);
  };
  const revokeKey: Handler = async (_req, res, id) => {
    await deps.accessKeys.revoke(id);
    res.writeHead(204).end();
  };

  // The invoke route comes first: it is the hot path. The last column is the body limit in bytes.
  const routes: [string, RegExp, Handler, number, string][] = [
    ['POST', /^functions\/([^/]+)\/invoke$/, invoke, limits.invokePayloadBytes, 'InvokeFunction'],
    ['GET', /^functions$/, listFunctions, 0, 'ListFunctions'],
    ['POST', /^functions$/, createFunction, ADMIN_BODY_LIMIT, 'CreateFunction'],
    ['GET', /^functions\/([^/]+)$/, getFunction, 0, 'GetFunction'],
    ['PUT', /^functions\/([^/]+)$/, updateFunction, ADMIN_BODY_LIMIT, 'UpdateFunction'],
    ['DELETE', /^functions\/([^/]+)$/, deleteFunction, 0, 'DeleteFunction'],
    ['GET', /^functions\/([^/]+)\/logs$/, logs, 0, 'GetLogs'],
    ['POST', /^deploy$/, deploy, limits.codeZipBytes, 'Deploy'],
    ['GET', /^access-keys$/, listKeys, 0, 'ListAccessKeys'],
    ['POST', /^access-keys$/, createKey, 1024, 'CreateAccessKey'],
    ['DELETE', /^access-keys\/([^/]+)$/, revokeKey, 0, 'DeleteAccessKey'],
  ];

  return async (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const rest = url.pathname.slice(PREFIX.length);
    const { route, match } = matchRoute(routes, req.method, rest);
    // The signature covers the body: read it (within the operation's limit) before checking.
    const signed = await readAuthenticated(req, res, url, deps.authenticate, {
      limit: route ? Math.max(route[3], 1024) : 1024,
      operation: route?.[4] ?? 'Unknown',
      service: ADMIN_SERVICE,
    });
    if (!signed) return true;
    if (!route || !match) return false;
    const { body } = signed;
    const name = match[1] === undefined ? '' : decodeURIComponent(match[1]);
    const call: AdminCall = {
      operation: route[4],
      name,
      body: () => json(body),
      userArn: deps.userArn,
      keyOwner: (id) => deps.accessKeys.get(id)?.name,
      roleArn: deps.roleArn,
      manifestRoles: () => {
        try {
          return Object.values(manifestOf(body, url).functions).map((f) => f.role);
        } catch {
          return []; // The handler rejects the upload with its own error.
        }
      },
    };
    deps.authorize(signed.accessKeyId, adminAccess(call, scope), req, signed.region);
    if (route[4] === 'Deploy')
      deps.authorize(signed.accessKeyId, deployPassRoles(call, scope), req, signed.region);
    await route[2](req, res, name, url, body);
    return true;
  };
}
