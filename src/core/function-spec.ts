import { BatonError } from './errors.ts';
import { limits } from './limits.ts';
import { type LoggingSettings, parseLogging, parseRetentionDays } from './logging-config.ts';

/** The user-settable configuration of a function, as the manifest and the admin API take it. */
export interface FunctionConfig {
  /** `path/file.export`, resolved against the code root (`.js`, `.mjs`, `.cjs` or `.ts`). */
  handler: string;
  /** MB, 128–10240. */
  memory: number;
  /** Seconds, 1–900. */
  timeout: number;
  environment: Record<string, string>;
  /** Most instances the function may have; `null` means only the platform's cap applies. */
  reservedConcurrency: number | null;
  /** Instances always kept warm. */
  provisionedConcurrency: number;
  /** Seconds an idle instance lives before it is reaped. */
  idleTimeout: number;
  /**
   * The function's HTTP routes on the public gateway (the manifest's `http` events). They are
   * not part of the revision: changing them never drains instances. Absent: no routes.
   */
  routes?: HttpRouteSpec[];
  /** Lambda's LoggingConfig (format, levels, group); absent: Text, as Lambda's default. */
  logging?: LoggingSettings;
  /** Days the function's logs are kept (a CloudWatch retention value); absent: BATON_LOG_RETENTION_DAYS. */
  logRetentionDays?: number;
  /**
   * The function's role (Lambda's `Role`): an IAM role name or ARN. Its instances get session
   * credentials of that role; absent, or a role Baton's IAM lacks: only the app's own resources
   * (`src/governance/function-roles.ts`).
   */
  role?: string;
}

/** The names of the resources an app's manifest declares (its functions' default grants). */
export interface ManifestResources {
  queues: string[];
  topics: string[];
  tables: string[];
  buses: string[];
}

/**
 * One HTTP route, as stored with its function. Secrets (`apiKeys` values, `secret`) are either
 * literals or `${env:NAME}`, read from Baton's own environment when the gateway loads its routes.
 * See `src/gateway/route-spec.ts` for how the manifest's short and long forms become this.
 */
export interface HttpRouteSpec {
  /** Route key: `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  route: string;
  /** Payload format version of the event and the response: API Gateway's '2.0' or '1.0'. */
  payload: '1.0' | '2.0';
  cors?: HttpCorsSpec;
  /** Absent: no authorization. */
  auth?: HttpAuthSpec;
  /** Token bucket: `rate` requests per second on average, up to `burst` at once. */
  throttle?: { rate: number; burst: number };
  /** Bytes: larger request bodies get 413. Absent: API Gateway's 10 MB. */
  maxBodyBytes?: number;
}

/** API Gateway HTTP API's CORS configuration, per route. */
export interface HttpCorsSpec {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** Seconds a browser may cache a preflight answer; absent: not sent. */
  maxAge?: number;
  allowCredentials: boolean;
}

export type HttpAuthSpec =
  /** `x-api-key` must hold one of the keys; each has a name for the access log. */
  | { type: 'apiKey'; keys: { name: string; value: string }[] }
  /** A JWT in `Authorization` (with or without `Bearer `), checked as API Gateway's JWT authorizer. */
  | {
      type: 'jwt';
      issuer: string;
      /** The token's `aud` (or, without `aud`, `client_id`) must be one of these. */
      audience: string[];
      /** RS256/RS384/RS512 keys from this JSON Web Key Set; or else `secret`. */
      jwksUrl?: string;
      /** HS256 shared secret. */
      secret?: string;
      /** The token must carry at least one of these in `scope` or `scp`; empty: no check. */
      scopes: string[];
    }
  /** A function decides, as API Gateway HTTP APIs' Lambda (REQUEST) authorizer. */
  | {
      type: 'lambda';
      /** The authorizer function's name. */
      function: string;
      /** `$request.header.NAME` / `$request.querystring.NAME`: all must be present, else 401. */
      identitySource: string[];
      /** The function answers `{ isAuthorized, context }` (2.0 only) instead of an IAM policy. */
      enableSimpleResponses: boolean;
      /** Seconds a result is cached, keyed by the identity source values; 0: not cached. */
      resultTtlSeconds: number;
      /** The authorizer event's format. */
      payloadFormatVersion: '1.0' | '2.0';
    };

/** A deployed function, as the registry stores it. */
export interface FunctionRecord extends FunctionConfig {
  name: string;
  /** The app (manifest) that deployed it, if any; `baton deploy` prunes only its own app. */
  app: string | null;
  runtime: 'nodejs20.x';
  /** Content hash of the code package. */
  codeSha256: string;
  codeSize: number;
  /** Module file to load, relative to the code root; `null` when the handler's file is missing. */
  entry: string | null;
  /** Hash of everything an instance depends on: a new revision drains the old instances. */
  revision: string;
  createdAt: number;
  updatedAt: number;
  /** `$LATEST` (absent) for the mutable function, or the number of a published, immutable version. */
  version?: string;
  /** Set by PublishVersion on the version it creates. */
  description?: string;
  /** On `$LATEST`: the highest version number ever published (numbers are never reused). */
  lastVersion?: number;
  /** Where an async event goes after its last failed attempt (Lambda's DeadLetterConfig). */
  deadLetterTargetArn?: string;
  /** What the app's manifest declares, on each of its functions; absent when it declares nothing. */
  manifestResources?: ManifestResources;
}

/** The version a record runs: `$LATEST` or a number. */
export function versionOf(rec: FunctionRecord): string {
  return rec.version ?? '$LATEST';
}

/** The pool's key for a record: `name` for `$LATEST`, `name:3` for version 3. */
export function unitKey(rec: FunctionRecord): string {
  return rec.version === undefined || rec.version === '$LATEST' ? rec.name : `${rec.name}:${rec.version}`;
}

const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const ENV_KEY_RE = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** Set by the platform; Lambda refuses them in a function's environment. */
export const RESERVED_ENV_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

export function validateFunctionName(name: unknown, path = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) throw invalid(path, 'must be a non-empty string');
  if (name.length > limits.functionNameMax)
    throw invalid(path, `must be at most ${limits.functionNameMax} characters (got ${name.length})`);
  if (!NAME_RE.test(name)) throw invalid(path, 'may contain only letters, digits, hyphens and underscores');
  return name;
}

function intIn(value: unknown, path: string, min: number, max: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalid(path, `must be a whole number of ${unit}`);
  if (value < min || value > max)
    throw invalid(path, `must be between ${min} and ${max} ${unit} (got ${value})`);
  return value;
}

const KNOWN_FIELDS = new Set([
  'handler',
  'memory',
  'timeout',
  'environment',
  'reservedConcurrency',
  'provisionedConcurrency',
  'idleTimeout',
  'logging',
  'logRetentionDays',
  'role',
]);

/** An IAM role name, or a role ARN (with a path) as Lambda's `Role` pattern takes it. */
const ROLE_RE = /^([\w+=,.@-]{1,64}|arn:aws[a-zA-Z-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;

/**
 * Validates user input into a full `FunctionConfig`, filling Lambda's defaults. Errors name the
 * field path under `base` (for a manifest, `functions.hello`).
 */
export function parseFunctionConfig(
  input: unknown,
  base: string,
  extraFields: readonly string[] = [],
): FunctionConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid(base, 'must be a mapping');
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_FIELDS.has(key) && !extraFields.includes(key))
      throw invalid(`${base}.${key}`, 'is not a known field');
  }
  const handler = o.handler;
  if (typeof handler !== 'string' || handler.length === 0)
    throw invalid(`${base}.handler`, 'is required: a string like "src/file.export"');
  if (handler.length > limits.handlerMax || /\s/.test(handler))
    throw invalid(`${base}.handler`, `must be at most ${limits.handlerMax} characters with no spaces`);
  if (!parseHandler(handler))
    throw invalid(`${base}.handler`, `"${handler}" is not of the form path/file.export`);

  const memory =
    o.memory === undefined
      ? limits.memoryDefault
      : intIn(o.memory, `${base}.memory`, limits.memoryMin, limits.memoryMax, 'MB');
  const timeout =
    o.timeout === undefined
      ? limits.timeoutDefault
      : intIn(o.timeout, `${base}.timeout`, limits.timeoutMin, limits.timeoutMax, 'seconds');
  const idleTimeout =
    o.idleTimeout === undefined
      ? limits.idleTimeoutDefault
      : intIn(o.idleTimeout, `${base}.idleTimeout`, limits.idleTimeoutMin, limits.idleTimeoutMax, 'seconds');
  const reservedConcurrency =
    o.reservedConcurrency === undefined || o.reservedConcurrency === null
      ? null
      : intIn(o.reservedConcurrency, `${base}.reservedConcurrency`, 0, 100_000, 'instances');
  const provisionedConcurrency =
    o.provisionedConcurrency === undefined
      ? 0
      : intIn(o.provisionedConcurrency, `${base}.provisionedConcurrency`, 0, 100_000, 'instances');
  if (reservedConcurrency !== null && provisionedConcurrency > reservedConcurrency)
    throw invalid(
      `${base}.provisionedConcurrency`,
      `must not exceed reservedConcurrency (${provisionedConcurrency} > ${reservedConcurrency})`,
    );

  const environment = parseEnvironment(o.environment, `${base}.environment`);
  const config: FunctionConfig = {
    handler,
    memory,
    timeout,
    environment,
    reservedConcurrency,
    provisionedConcurrency,
    idleTimeout,
  };
  const logging = parseLogging(o.logging, `${base}.logging`);
  if (logging) config.logging = logging;
  const logRetentionDays = parseRetentionDays(o.logRetentionDays, `${base}.logRetentionDays`);
  if (logRetentionDays !== undefined) config.logRetentionDays = logRetentionDays;
  if (o.role !== undefined && o.role !== null) {
    if (typeof o.role !== 'string' || !ROLE_RE.test(o.role))
      throw invalid(`${base}.role`, 'must be an IAM role name or ARN (arn:aws:iam::ACCOUNT:role/NAME)');
    config.role = o.role;
  }
  return config;
}

function parseEnvironment(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(path, 'must be a mapping of names to strings');
  const env: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!ENV_KEY_RE.test(key)) throw invalid(`${path}.${key}`, 'names must match [a-zA-Z][a-zA-Z0-9_]+');
    if (RESERVED_ENV_KEYS.has(key)) reserved.push(key);
    if (typeof v === 'string') env[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') env[key] = String(v);
    else throw invalid(`${path}.${key}`, 'must be a string');
  }
  if (reserved.length > 0)
    throw invalid(
      path,
      `contains reserved keys that cannot be set: ${reserved.join(', ')} (Lambda sets these itself)`,
    );
  const size = Buffer.byteLength(JSON.stringify(env));
  if (size > limits.environmentBytes) throw invalid(path, `exceeds the 4 KB limit (${size} bytes)`);
  return env;
}

/**
 * Splits `src/app.handler` into module `src/app` and export path `handler`, as Lambda's Node
 * runtime does: the module name ends at the first dot of the last path segment, and the export
 * path may be nested (`index.a.b`).
 */
export function parseHandler(handler: string): { module: string; exportPath: string } | null {
  if (handler.includes('..') || handler.startsWith('/')) return null;
  const slash = handler.lastIndexOf('/');
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) return null;
  return { module: handler.slice(0, slash + 1) + base.slice(0, dot), exportPath: base.slice(dot + 1) };
}
