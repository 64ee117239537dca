import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import { type FunctionRecord, parseFunctionConfig } from '../../core/function-spec.ts';
import { limits } from '../../core/limits.ts';
import type { LoggingSettings } from '../../core/logging-config.ts';
import type { Deployer } from '../../deploy/deployer.ts';
import type { AliasRecord } from '../../registry/records.ts';
import type { Registry } from '../../registry/registry.ts';
import { notFound } from '../../registry/resolve.ts';
import type { AsyncDispatcher } from '../../runtime/async/dispatcher.ts';
import { functionArn, type PlatformIdentity } from '../../runtime/function-env.ts';
import type { Invoker } from '../../runtime/invoker.ts';
import { type RequestTarget, sendJson } from '../../server/http-io.ts';
import type { Authorize } from '../access.ts';
import type { Authenticate } from '../auth.ts';
import { loggingFromWire } from './logging-config.ts';
import { parseFunctionRef } from './names.ts';

export interface LambdaApiDeps {
  registry: Registry;
  deployer: Deployer;
  invoker: Invoker;
  async: AsyncDispatcher;
  identity: PlatformIdentity;
  authenticate: Authenticate;
  authorize: Authorize;
  clock: Clock;
  /** The account's concurrency: the platform's instance cap. */
  accountConcurrency: number;
  /** Picks an alias's weighted version (tests pass a seeded one). */
  random?: () => number;
  /** For event source mappings: which queues exist, and what the pollers last did. */
  queues?: { exists(name: string): Promise<boolean> };
  /** For stream mappings: where a new one starts reading (undefined when there is no such stream). */
  streams?: { startAfter(arn: string, position: 'TRIM_HORIZON' | 'LATEST'): Promise<number | undefined> };
  lastProcessingResult?: (uuid: string) => string;
  /** The ARN of an IAM role by name, for `iam:PassRole` on a `Role` given as a bare name. */
  roleArn?: (name: string) => string | undefined;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's function name, as sent (a name, an ARN, with or without `:qualifier`). */
  name: string;
  /** The path's second parameter (an alias name), when the route has one. */
  sub: string;
  body: Buffer;
  url: RequestTarget;
}
export type Op = (call: Call) => Promise<void>;

/** Request bodies that carry code (base64 zips) may be larger than invoke payloads. */
export const CODE_BODY_LIMIT = Math.ceil(limits.codeZipBytes * 1.4);
export const SMALL_BODY_LIMIT = 1024 * 1024;
export const TAIL_BYTES = 4096;
export const ALIAS_RE = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;
export const VERSION_RE = /^(\$LATEST|\d+)$/;
export const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[^:]+:\d{12}:[a-zA-Z0-9_.-]{1,80}$/;

export function sendError(
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

export const invalid = (message: string) => new BatonError('InvalidParameterValue', message);

/** Rejects members the operation does not have (the SDK never sends any). */
export function onlyKnown(o: Record<string, unknown>, known: readonly string[], operation: string): void {
  for (const key of Object.keys(o))
    if (!known.includes(key)) throw invalid(`${operation}: unknown parameter ${key}`);
}

export function optString(o: Record<string, unknown>, key: string, max = 256): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be a string`);
  if (v.length > max) throw invalid(`${key} must be at most ${max} characters`);
  return v;
}

export function optInt(
  o: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
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
export const CONFIG_FIELDS = [
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
export const CREATE_FIELDS = [
  ...CONFIG_FIELDS,
  'FunctionName',
  'Code',
  'Publish',
  'PackageType',
  'Architectures',
  'Tags',
  'CodeSigningConfigArn',
];
export const UPDATE_CONFIG_FIELDS = [...CONFIG_FIELDS, 'RevisionId'];
export const UPDATE_CODE_FIELDS = [
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

/** What the Lambda API's operations share: lookups, input checks and paging. */
export function lambdaContext(deps: LambdaApiDeps) {
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
        logging: loggingFromWire(o.LoggingConfig, base?.logging as LoggingSettings | undefined),
        logRetentionDays: base?.logRetentionDays,
        // Lambda's `Role`: its instances get that role's credentials (src/governance/function-roles.ts).
        role: o.Role ?? base?.role,
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
  return {
    refOf,
    latest,
    recordFor,
    noInvokeConfig,
    aliasOf,
    configOf,
    zipOf,
    checkRuntime,
    deadLetterOf,
    checkRevision,
    paginate,
    random,
  };
}

export type LambdaContext = ReturnType<typeof lambdaContext>;
