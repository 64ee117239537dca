import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import { type FunctionRecord, parseFunctionConfig } from '../../core/function-spec.ts';
import { limits } from '../../core/limits.ts';
import type { Deployer } from '../../deploy/deployer.ts';
import type { AliasRecord, EventInvokeConfig, EventSourceMapping } from '../../registry/records.ts';
import type { Registry } from '../../registry/registry.ts';
import { notFound, resolveTarget } from '../../registry/resolve.ts';
import { ASYNC_PAYLOAD_BYTES, type AsyncDispatcher, parseLambdaArn } from '../../runtime/async/dispatcher.ts';
import { functionArn, type PlatformIdentity } from '../../runtime/function-env.ts';
import type { Invoker } from '../../runtime/invoker.ts';
import { toHttpError } from '../../server/error-map.ts';
import { matchRoute, parseJsonObject, type RequestTarget, sendJson } from '../../server/http-io.ts';
import { formatInvocationLog } from '../../telemetry/logs/invocation-log.ts';
import { type Authenticate, readSigned } from '../auth.ts';
import { parseFunctionRef } from './names.ts';
import { aliasConfiguration, eventInvokeConfiguration, functionConfiguration } from './shapes.ts';

export interface LambdaApiDeps {
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  async: AsyncDispatcher;
  identity: PlatformIdentity;
  authenticate: Authenticate;
  clock: Clock;
  /** The account's concurrency: the platform's instance cap. */
  accountConcurrency: number;
  /** Picks an alias's weighted version (tests pass a seeded one). */
  random?: () => number;
  /** For event source mappings: which queues exist, and what the pollers last did. */
  queues?: { exists(name: string): Promise<boolean> };
  lastProcessingResult?: (uuid: string) => string;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's function name, as sent (a name, an ARN, with or without `:qualifier`). */
  name: string;
  /** The path's second parameter (an alias name), when the route has one. */
  sub: string;
  body: Buffer;
  url: RequestTarget;
}
type Op = (call: Call) => Promise<void>;

/** Request bodies that carry code (base64 zips) may be larger than invoke payloads. */
const CODE_BODY_LIMIT = Math.ceil(limits.codeZipBytes * 1.4);
const SMALL_BODY_LIMIT = 1024 * 1024;
const TAIL_BYTES = 4096;
const ALIAS_RE = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;
const VERSION_RE = /^(\$LATEST|\d+)$/;
const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[^:]+:\d{12}:[a-zA-Z0-9_.-]{1,80}$/;

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

const invalid = (message: string) => new BatonError('InvalidParameterValue', message);

/** Rejects members the operation does not have (the SDK never sends any). */
function onlyKnown(o: Record<string, unknown>, known: readonly string[], operation: string): void {
  for (const key of Object.keys(o))
    if (!known.includes(key)) throw invalid(`${operation}: unknown parameter ${key}`);
}

function optString(o: Record<string, unknown>, key: string, max = 256): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be a string`);
  if (v.length > max) throw invalid(`${key} must be at most ${max} characters`);
  return v;
}

function optInt(o: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${key} must be a whole number`);
  if (v < min || v > max)
    throw invalid(
      `1 validation error detected: Value '${v}' at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have value ${v < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  return v;
}

/** Members CreateFunction and UpdateFunctionConfiguration share (the unsupported ones are ignored). */
const CONFIG_FIELDS = [
  'Role',
  'Handler',
  'Description',
  'Timeout',
  'MemorySize',
  'Environment',
  'Runtime',
  'DeadLetterConfig',
  'TracingConfig',
  'VpcConfig',
  'Layers',
  'KMSKeyArn',
  'EphemeralStorage',
  'LoggingConfig',
  'SnapStart',
  'FileSystemConfigs',
  'ImageConfig',
];
const CREATE_FIELDS = [
  ...CONFIG_FIELDS,
  'FunctionName',
  'Code',
  'Publish',
  'PackageType',
  'Architectures',
  'Tags',
  'CodeSigningConfigArn',
];
const UPDATE_CONFIG_FIELDS = [...CONFIG_FIELDS, 'RevisionId'];
const UPDATE_CODE_FIELDS = [
  'ZipFile',
  'S3Bucket',
  'S3Key',
  'S3ObjectVersion',
  'ImageUri',
  'Publish',
  'DryRun',
  'RevisionId',
  'Architectures',
  'SourceKMSKeyArn',
];

/**
 * The AWS Lambda API (restJson1) on the control port: functions, versions, aliases,
 * concurrency, async configuration and invocations, for the AWS SDK, the AWS CLI and boto3.
 * Every request is SigV4 signed for the `lambda` service.
 */
export function lambdaApi(
  deps: LambdaApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const { registry, identity } = deps;
  const random = deps.random ?? Math.random;

  /** The function name and the qualifier, from the path and the `Qualifier` query parameter. */
  const refOf = (name: string, url: RequestTarget) => {
    const ref = parseFunctionRef(name);
    const q = url.searchParams.get('Qualifier') ?? undefined;
    if (q !== undefined && !/^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/.test(q))
      throw invalid(
        `1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`,
      );
    if (ref.qualifier !== undefined && q !== undefined && ref.qualifier !== q)
      throw invalid('The derived qualifier from the function name does not match the specified qualifier.');
    return { name: ref.name, qualifier: ref.qualifier ?? q };
  };
  const latest = (name: string): FunctionRecord => {
    const rec = registry.get(name);
    if (!rec) throw notFound(identity, name);
    return rec;
  };
  /** `$LATEST`, a version, or the version an alias points at (for reads). */
  const recordFor = (name: string, qualifier: string | undefined): FunctionRecord => {
    latest(name);
    if (qualifier === undefined || VERSION_RE.test(qualifier)) {
      const rec = registry.getVersion(name, qualifier ?? '$LATEST');
      if (!rec) throw notFound(identity, name, qualifier);
      return rec;
    }
    const alias = registry.getAlias(name, qualifier);
    const rec = alias && registry.getVersion(name, alias.functionVersion);
    if (!rec) throw notFound(identity, name, qualifier);
    return rec;
  };
  const noInvokeConfig = (name: string, qualifier: string) =>
    new BatonError(
      'ResourceNotFound',
      `The function ${functionArn(identity, `${name}:${qualifier}`)} doesn't have an EventInvokeConfig`,
    );
  const aliasOf = (name: string, alias: string): AliasRecord => {
    latest(name);
    const a = registry.getAlias(name, alias);
    if (!a)
      throw new BatonError(
        'ResourceNotFound',
        `Alias not found: ${functionArn(identity, `${name}:${alias}`)}`,
      );
    return a;
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
      throw invalid(
        'Code.ZipFile is required: the function code as a base64 zip (S3 and images are not supported)',
      );
    return Buffer.from(zip, 'base64');
  };
  const checkRuntime = (runtime: unknown) => {
    if (runtime !== undefined && (typeof runtime !== 'string' || !runtime.startsWith('nodejs')))
      throw invalid(
        `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Baton runs Node.js runtimes only`,
      );
  };
  /** DeadLetterConfig.TargetArn: an SQS queue or SNS topic ARN; empty clears it. */
  const deadLetterOf = (o: Record<string, unknown>): string | null | undefined => {
    if (o.DeadLetterConfig === undefined) return undefined;
    const arn = (o.DeadLetterConfig as { TargetArn?: unknown } | null)?.TargetArn;
    if (arn === undefined || arn === null || arn === '') return null;
    if (typeof arn !== 'string' || !/^arn:aws[a-zA-Z-]*:(sqs|sns):[^:]*:\d{12}:[a-zA-Z0-9_.-]+$/.test(arn))
      throw invalid(
        `1 validation error detected: Value '${String(arn)}' at 'deadLetterConfig.targetArn' failed to satisfy constraint: the target must be an SQS queue or SNS topic ARN`,
      );
    return arn;
  };
  const checkRevision = (o: Record<string, unknown>, current: string) => {
    const rid = optString(o, 'RevisionId');
    if (rid !== undefined && rid !== current)
      throw new BatonError(
        'PreconditionFailed',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
  };
  const paginate = <T>(items: T[], keyOf: (t: T) => string, url: RequestTarget) => {
    const marker = url.searchParams.get('Marker');
    const max = Math.min(Math.max(Number(url.searchParams.get('MaxItems') ?? 50) || 50, 1), 10_000);
    const start = marker ? items.findIndex((t) => keyOf(t) === marker) + 1 : 0;
    const page = start <= 0 && marker ? [] : items.slice(start, start + max);
    const next = start + max < items.length && page.length > 0 ? keyOf(page.at(-1)!) : undefined;
    return { page, next };
  };

  // --- Functions ---------------------------------------------------------------------------

  const create: Op = async ({ res, body }) => {
    const o = parseJsonObject(body);
    onlyKnown(o, CREATE_FIELDS, 'CreateFunction');
    checkRuntime(o.Runtime);
    const name = parseFunctionRef(String(o.FunctionName ?? '')).name;
    const description = optString(o, 'Description');
    const dlq = deadLetterOf(o);
    const config = configOf(o);
    const zip = zipOf(o.Code);
    let { record } = await deps.deployer.create(name, config, zip, {
      description,
      deadLetterTargetArn: dlq ?? undefined,
    });
    if (o.Publish === true) record = await deps.deployer.publish(name);
    sendJson(res, 201, functionConfiguration(record, identity));
  };
  const list: Op = async ({ res, url }) => {
    const all =
      url.searchParams.get('FunctionVersion') === 'ALL'
        ? registry.list().flatMap((r) => [r, ...registry.versions(r.name)])
        : registry.list();
    const key = (r: FunctionRecord) => `${r.name}:${r.version ?? '$LATEST'}`;
    const { page, next } = paginate(all, key, url);
    sendJson(res, 200, {
      Functions: page.map((r) => functionConfiguration(r, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  const get: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    const rec = recordFor(ref.name, ref.qualifier);
    const reserved = latest(ref.name).reservedConcurrency;
    sendJson(res, 200, {
      Configuration: functionConfiguration(rec, identity),
      Code: { RepositoryType: 'S3', Location: '' },
      ...(reserved !== null ? { Concurrency: { ReservedConcurrentExecutions: reserved } } : {}),
    });
  };
  const getConfiguration: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    sendJson(res, 200, functionConfiguration(recordFor(ref.name, ref.qualifier), identity));
  };
  const updateConfiguration: Op = async ({ res, name, body }) => {
    const rec = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, UPDATE_CONFIG_FIELDS, 'UpdateFunctionConfiguration');
    checkRuntime(o.Runtime);
    checkRevision(o, rec.revision);
    const description = optString(o, 'Description');
    const out = await deps.deployer.update(rec.name, {
      config: configOf(o, { ...rec }),
      description,
      deadLetterTargetArn: deadLetterOf(o),
    });
    sendJson(res, 200, functionConfiguration(out.record, identity));
  };
  const updateCode: Op = async ({ res, name, body }) => {
    const rec = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, UPDATE_CODE_FIELDS, 'UpdateFunctionCode');
    checkRevision(o, rec.revision);
    const zip = zipOf({ ZipFile: o.ZipFile });
    if (o.DryRun === true) {
      sendJson(res, 200, functionConfiguration(rec, identity));
      return;
    }
    let { record } = await deps.deployer.update(rec.name, { zip });
    if (o.Publish === true) record = await deps.deployer.publish(rec.name);
    sendJson(res, 200, functionConfiguration(record, identity));
  };
  const remove: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    if (ref.qualifier === undefined) await deps.deployer.delete(ref.name);
    else if (ref.qualifier === '$LATEST')
      throw invalid('$LATEST version cannot be deleted without deleting the function.');
    else if (!/^\d+$/.test(ref.qualifier))
      throw invalid('Deletion of aliases is not supported through DeleteFunction; use DeleteAlias.');
    else await deps.deployer.deleteVersion(ref.name, ref.qualifier);
    res.writeHead(204).end();
  };

  // --- Invocation --------------------------------------------------------------------------

  const invoke: Op = async ({ req, res, name, body, url }) => {
    const ref = refOf(name, url);
    const type = (req.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (type === 'DryRun') {
      const target = resolveTarget(registry, identity, ref.name, ref.qualifier, random);
      res.writeHead(204, { 'x-amz-executed-version': target.version }).end();
      return;
    }
    if (type === 'Event') {
      if (body.length > ASYNC_PAYLOAD_BYTES)
        throw new BatonError(
          'RequestTooLarge',
          `Request must be smaller than ${ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        );
      const id = await deps.async.enqueue(ref.name, ref.qualifier, body);
      res.writeHead(202, { 'x-amzn-requestid': id, 'content-length': 0 }).end();
      return;
    }
    if (type !== 'RequestResponse')
      throw invalid(
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    const r = await deps.invoker.invoke(ref.name, body, { qualifier: ref.qualifier });
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
  /** The deprecated InvokeAsync: an Event invoke that answers `{"Status":202}`. */
  const invokeAsync: Op = async ({ res, name, body }) => {
    const ref = parseFunctionRef(name);
    const id = await deps.async.enqueue(ref.name, ref.qualifier, body);
    sendJson(res, 202, { Status: 202 }, { 'x-amzn-requestid': id });
  };

  // --- Versions and aliases ------------------------------------------------------------------

  const publishVersion: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = body.length > 0 ? parseJsonObject(body) : {};
    onlyKnown(o, ['CodeSha256', 'Description', 'RevisionId'], 'PublishVersion');
    const version = await deps.deployer.publish(fn.name, {
      codeSha256: optString(o, 'CodeSha256'),
      description: optString(o, 'Description'),
      revisionId: optString(o, 'RevisionId'),
    });
    sendJson(res, 201, functionConfiguration(version, identity));
  };
  const listVersions: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const all = [fn, ...registry.versions(fn.name)];
    const { page, next } = paginate(all, (r) => r.version ?? '$LATEST', url);
    sendJson(res, 200, {
      Versions: page.map((r) => functionConfiguration(r, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  /** Checks FunctionVersion and RoutingConfig against the function's versions. */
  const aliasTarget = (fn: string, o: Record<string, unknown>, current?: AliasRecord) => {
    const version = optString(o, 'FunctionVersion', 1024) ?? current?.functionVersion;
    if (version === undefined) throw invalid('FunctionVersion is required');
    if (!VERSION_RE.test(version))
      throw invalid(
        `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`,
      );
    if (!registry.getVersion(fn, version)) throw notFound(identity, fn, version);
    let weights = current?.weights ?? {};
    if (o.RoutingConfig !== undefined) {
      const w = (o.RoutingConfig as { AdditionalVersionWeights?: unknown } | null)?.AdditionalVersionWeights;
      weights = {};
      if (w !== undefined && w !== null) {
        if (typeof w !== 'object' || Array.isArray(w))
          throw invalid('AdditionalVersionWeights must be a map');
        const entries = Object.entries(w as Record<string, unknown>);
        if (entries.length > 1) throw invalid('Number of additional version weights must be at most 1');
        for (const [v, share] of entries) {
          if (typeof share !== 'number' || !(share >= 0 && share <= 1))
            throw invalid(
              `Invalid weight ${String(share)} for version ${v}: weights are between 0.0 and 1.0`,
            );
          if (!/^\d+$/.test(v))
            throw invalid(`Invalid routing config: version ${v} must be a published version`);
          if (version === '$LATEST')
            throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
          if (v === version)
            throw invalid(
              `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`,
            );
          if (!registry.getVersion(fn, v)) throw notFound(identity, fn, v);
          weights[v] = share;
        }
      }
    }
    return { version, weights };
  };
  const createAlias: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, ['Name', 'FunctionVersion', 'Description', 'RoutingConfig'], 'CreateAlias');
    const aliasName = optString(o, 'Name', 128);
    if (aliasName === undefined || !ALIAS_RE.test(aliasName))
      throw invalid(
        `1 validation error detected: Value '${String(o.Name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
      );
    if (registry.getAlias(fn.name, aliasName))
      throw new BatonError(
        'ResourceConflict',
        `Alias already exists: ${functionArn(identity, `${fn.name}:${aliasName}`)}`,
      );
    const target = aliasTarget(fn.name, o);
    const alias: AliasRecord = {
      function: fn.name,
      name: aliasName,
      functionVersion: target.version,
      description: optString(o, 'Description') ?? '',
      weights: target.weights,
      revisionId: randomUUID(),
    };
    await registry.putAlias(alias);
    sendJson(res, 201, aliasConfiguration(alias, identity));
  };
  const getAlias: Op = async ({ res, name, sub }) => {
    sendJson(res, 200, aliasConfiguration(aliasOf(parseFunctionRef(name).name, sub), identity));
  };
  const updateAlias: Op = async ({ res, name, sub, body }) => {
    const current = aliasOf(parseFunctionRef(name).name, sub);
    const o = parseJsonObject(body);
    onlyKnown(o, ['FunctionVersion', 'Description', 'RoutingConfig', 'RevisionId'], 'UpdateAlias');
    checkRevision(o, current.revisionId);
    const target = aliasTarget(current.function, o, current);
    const alias: AliasRecord = {
      ...current,
      functionVersion: target.version,
      weights: target.weights,
      description: optString(o, 'Description') ?? current.description,
      revisionId: randomUUID(),
    };
    await registry.putAlias(alias);
    sendJson(res, 200, aliasConfiguration(alias, identity));
  };
  const deleteAlias: Op = async ({ res, name, sub }) => {
    const fn = latest(parseFunctionRef(name).name);
    await registry.deleteAlias(fn.name, sub);
    res.writeHead(204).end();
  };
  const listAliases: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const version = url.searchParams.get('FunctionVersion');
    const all = registry
      .aliases(fn.name)
      .filter((a) => version === null || a.functionVersion === version || version in a.weights);
    const { page, next } = paginate(all, (a) => a.name, url);
    sendJson(res, 200, {
      Aliases: page.map((a) => aliasConfiguration(a, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };

  // --- Concurrency and account ---------------------------------------------------------------

  const putConcurrency: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, ['ReservedConcurrentExecutions'], 'PutFunctionConcurrency');
    const n = optInt(o, 'ReservedConcurrentExecutions', 0, deps.accountConcurrency);
    if (n === undefined) throw invalid('ReservedConcurrentExecutions is required');
    const others = registry
      .list()
      .reduce((sum, r) => sum + (r.name === fn.name ? 0 : (r.reservedConcurrency ?? 0)), 0);
    if (others + n > deps.accountConcurrency)
      throw invalid(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].`,
      );
    await deps.deployer.update(fn.name, {
      config: {
        ...fn,
        reservedConcurrency: n,
        provisionedConcurrency: Math.min(fn.provisionedConcurrency, n),
      },
    });
    sendJson(res, 200, { ReservedConcurrentExecutions: n });
  };
  const getConcurrency: Op = async ({ res, name }) => {
    const fn = latest(parseFunctionRef(name).name);
    sendJson(
      res,
      200,
      fn.reservedConcurrency === null ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency },
    );
  };
  const deleteConcurrency: Op = async ({ res, name }) => {
    const fn = latest(parseFunctionRef(name).name);
    await deps.deployer.update(fn.name, { config: { ...fn, reservedConcurrency: null } });
    res.writeHead(204).end();
  };
  const accountSettings: Op = async ({ res }) => {
    const fns = registry.list();
    const reserved = fns.reduce((sum, r) => sum + (r.reservedConcurrency ?? 0), 0);
    const codeSize = fns.reduce((sum, r) => sum + r.codeSize, 0);
    sendJson(res, 200, {
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: limits.codeUnzippedBytes,
        CodeSizeZipped: limits.codeZipBytes,
        ConcurrentExecutions: deps.accountConcurrency,
        UnreservedConcurrentExecutions: Math.max(0, deps.accountConcurrency - reserved),
      },
      AccountUsage: { TotalCodeSize: codeSize, FunctionCount: fns.length },
    });
  };

  // --- Async configuration -----------------------------------------------------------------

  const destinationOf = (o: unknown, which: 'OnSuccess' | 'OnFailure'): string | null | undefined => {
    if (o === undefined || o === null) return undefined;
    const d = (o as Record<string, { Destination?: unknown } | undefined>)[which];
    if (d === undefined || d === null) return null;
    const arn = d.Destination;
    if (arn === undefined || arn === null || arn === '') return null;
    if (typeof arn !== 'string') throw invalid(`DestinationConfig.${which}.Destination must be an ARN`);
    const fn = parseLambdaArn(arn);
    if (!fn && !SQS_ARN.test(arn))
      throw invalid(
        `The destination ARN ${arn} is invalid: Baton delivers to Lambda functions and SQS queues (topics and buses come with those services).`,
      );
    return arn;
  };
  const putInvokeConfig =
    (merge: boolean): Op =>
    async ({ res, name, url, body }) => {
      const ref = refOf(name, url);
      const qualifier = ref.qualifier ?? '$LATEST';
      if (qualifier !== '$LATEST') recordFor(ref.name, qualifier);
      else latest(ref.name);
      const o = parseJsonObject(body);
      onlyKnown(
        o,
        ['MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig'],
        'PutFunctionEventInvokeConfig',
      );
      const current = registry.getInvokeConfig(ref.name, qualifier);
      if (merge && !current) throw noInvokeConfig(ref.name, qualifier);
      const retries = optInt(o, 'MaximumRetryAttempts', 0, 2);
      const age = optInt(o, 'MaximumEventAgeInSeconds', 60, 21_600);
      const onSuccess = destinationOf(o.DestinationConfig, 'OnSuccess');
      const onFailure = destinationOf(o.DestinationConfig, 'OnFailure');
      const base = merge ? current! : undefined;
      const config: EventInvokeConfig = {
        function: ref.name,
        qualifier,
        maximumRetryAttempts: retries ?? base?.maximumRetryAttempts ?? null,
        maximumEventAgeSeconds: age ?? base?.maximumEventAgeSeconds ?? null,
        onSuccess: onSuccess === undefined ? (base?.onSuccess ?? null) : onSuccess,
        onFailure: onFailure === undefined ? (base?.onFailure ?? null) : onFailure,
        lastModified: deps.clock.now(),
      };
      await registry.putInvokeConfig(config);
      sendJson(res, 200, eventInvokeConfiguration(config, identity));
    };
  const getInvokeConfig: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    const c = registry.getInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    if (!c) throw noInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    sendJson(res, 200, eventInvokeConfiguration(c, identity));
  };
  const deleteInvokeConfig: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    if (!(await registry.deleteInvokeConfig(ref.name, ref.qualifier ?? '$LATEST')))
      throw noInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    res.writeHead(204).end();
  };
  const listInvokeConfigs: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const { page, next } = paginate(registry.invokeConfigs(fn.name), (c) => c.qualifier, url);
    sendJson(res, 200, {
      FunctionEventInvokeConfigs: page.map((c) => eventInvokeConfiguration(c, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };

  // --- Event source mappings (SQS) ------------------------------------------------------------

  const mappingShape = (m: EventSourceMapping, state?: string) => ({
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowSeconds,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: functionArn(identity, m.qualifier ? `${m.function}:${m.qualifier}` : m.function),
    LastModified: m.lastModified / 1000,
    LastProcessingResult: deps.lastProcessingResult?.(m.uuid) ?? 'No records processed',
    State: state ?? (m.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
    ...(m.maximumConcurrency !== null ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
  });
  const MAPPING_FIELDS = [
    'FunctionName',
    'EventSourceArn',
    'Enabled',
    'BatchSize',
    'MaximumBatchingWindowInSeconds',
    'FunctionResponseTypes',
    'ScalingConfig',
    'FilterCriteria',
    'Tags',
  ];
  const mappingOf = (uuid: string): EventSourceMapping => {
    const m = registry.getMapping(uuid);
    if (!m)
      throw new BatonError(
        'ResourceNotFound',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${randomUUID()})`,
      );
    return m;
  };
  /** Checks a mapping's settings, over `base` for an update. */
  const mappingSettings = (o: Record<string, unknown>, base?: EventSourceMapping) => {
    const batchSize = optInt(o, 'BatchSize', 1, 10_000) ?? base?.batchSize ?? 10;
    const window =
      optInt(o, 'MaximumBatchingWindowInSeconds', 0, 300) ?? base?.maximumBatchingWindowSeconds ?? 0;
    if (batchSize > 10 && window < 1)
      throw invalid(
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
    let report = base?.reportBatchItemFailures ?? false;
    if (o.FunctionResponseTypes !== undefined) {
      const types = o.FunctionResponseTypes;
      if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))
        throw invalid(
          `1 validation error detected: Value '${JSON.stringify(types)}' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy enum value set: [ReportBatchItemFailures]`,
        );
      report = types.length > 0;
    }
    let maxConcurrency = base?.maximumConcurrency ?? null;
    if (o.ScalingConfig !== undefined) {
      const sc = (o.ScalingConfig ?? {}) as Record<string, unknown>;
      maxConcurrency = optInt(sc, 'MaximumConcurrency', 2, 1000) ?? null;
    }
    const enabled = o.Enabled === undefined ? (base?.enabled ?? true) : o.Enabled === true;
    return {
      batchSize,
      maximumBatchingWindowSeconds: window,
      reportBatchItemFailures: report,
      maximumConcurrency: maxConcurrency,
      enabled,
    };
  };
  const createMapping: Op = async ({ res, body }) => {
    const o = parseJsonObject(body);
    onlyKnown(o, MAPPING_FIELDS, 'CreateEventSourceMapping');
    const ref = parseFunctionRef(optString(o, 'FunctionName', 140) ?? '');
    const fn = latest(ref.name);
    if (ref.qualifier !== undefined) recordFor(fn.name, ref.qualifier);
    const arn = optString(o, 'EventSourceArn', 1024);
    if (!arn || !SQS_ARN.test(arn))
      throw invalid(
        'EventSourceArn must be the ARN of an SQS queue (other event sources are not supported yet)',
      );
    const queue = arn.slice(arn.lastIndexOf(':') + 1);
    if (!(await deps.queues?.exists(queue)))
      throw invalid(
        `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`,
      );
    const clash = registry
      .mappings(fn.name)
      .find((m) => m.eventSourceArn === arn && (m.qualifier ?? undefined) === ref.qualifier);
    if (clash)
      throw new BatonError(
        'ResourceConflict',
        `An event source mapping with SQS arn (" ${arn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${clash.uuid}`,
      );
    const m: EventSourceMapping = {
      uuid: randomUUID(),
      function: fn.name,
      qualifier: ref.qualifier ?? null,
      eventSourceArn: arn,
      ...mappingSettings(o),
      app: null,
      lastModified: deps.clock.now(),
    };
    await registry.putMapping(m);
    sendJson(res, 202, mappingShape(m, 'Creating'));
  };
  const getMapping: Op = async ({ res, name }) => {
    sendJson(res, 200, mappingShape(mappingOf(name)));
  };
  const updateMapping: Op = async ({ res, name, body }) => {
    const current = mappingOf(name);
    const o = parseJsonObject(body);
    onlyKnown(
      o,
      MAPPING_FIELDS.filter((f) => f !== 'EventSourceArn'),
      'UpdateEventSourceMapping',
    );
    let fn = current.function;
    let qualifier = current.qualifier;
    if (o.FunctionName !== undefined) {
      const ref = parseFunctionRef(optString(o, 'FunctionName', 140) ?? '');
      fn = latest(ref.name).name;
      qualifier = ref.qualifier ?? null;
    }
    const m: EventSourceMapping = {
      ...current,
      function: fn,
      qualifier,
      ...mappingSettings(o, current),
      lastModified: deps.clock.now(),
    };
    if (fn !== current.function) await registry.deleteMapping(current);
    await registry.putMapping(m);
    sendJson(res, 202, mappingShape(m, 'Updating'));
  };
  const deleteMapping: Op = async ({ res, name }) => {
    const m = mappingOf(name);
    await registry.deleteMapping(m);
    sendJson(res, 202, mappingShape(m, 'Deleting'));
  };
  const listMappings: Op = async ({ res, url }) => {
    const fnName = url.searchParams.get('FunctionName');
    const source = url.searchParams.get('EventSourceArn');
    const fn = fnName ? parseFunctionRef(fnName).name : undefined;
    const all = registry
      .mappings(fn)
      .filter((m) => source === null || m.eventSourceArn === source)
      .sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    const { page, next } = paginate(all, (m) => m.uuid, url);
    sendJson(res, 200, {
      EventSourceMappings: page.map((m) => mappingShape(m)),
      ...(next ? { NextMarker: next } : {}),
    });
  };

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
