import { randomBytes } from 'node:crypto';
import { type FunctionRecord, parseHandler, versionOf } from '../core/function-spec.ts';
import { logGroupOf } from '../core/logging-config.ts';
import type { InitMessage } from './protocol.ts';

export interface PlatformIdentity {
  region: string;
  accountId: string;
  /** URL of the control plane, so that AWS SDK calls in handlers reach Baton. */
  endpointUrl: string;
}

/** An instance's session credentials, as the AWS SDK reads them from the environment. */
export interface InstanceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export function functionArn(p: PlatformIdentity, name: string): string {
  return `arn:aws:lambda:${p.region}:${p.accountId}:function:${name}`;
}

function logStreamName(now: Date, version: string): string {
  const d = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${d}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * The init message for a new instance: the environment Lambda's Node.js 20 runtime sets
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), the function's own
 * variables, the session credentials of its role when it has them, and nothing of the platform's
 * environment.
 */
export function initFor(
  fn: FunctionRecord,
  p: PlatformIdentity,
  initType: 'on-demand' | 'provisioned-concurrency',
  now: Date,
  credentials?: InstanceCredentials,
): Omit<InitMessage, 't' | 'taskRoot'> {
  const version = versionOf(fn);
  const logGroupName = logGroupOf(fn.name, fn.logging);
  const json = fn.logging?.format === 'JSON' ? fn.logging : undefined;
  const stream = logStreamName(now, version);
  const parsed = parseHandler(fn.handler) ?? { module: fn.handler, exportPath: 'handler' };
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_ENV: 'production',
    ...fn.environment,
    _HANDLER: fn.handler,
    AWS_REGION: p.region,
    AWS_DEFAULT_REGION: p.region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memory),
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_INITIALIZATION_TYPE: initType,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: stream,
    AWS_ENDPOINT_URL: p.endpointUrl,
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
  };
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  // Lambda tells the runtime (and logging libraries such as Powertools) through these two.
  if (json) {
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    env.AWS_LAMBDA_LOG_LEVEL = json.applicationLogLevel ?? 'INFO';
  }
  return {
    entry: fn.entry,
    handler: fn.handler,
    exportPath: parsed.exportPath,
    module: parsed.module,
    env,
    functionName: fn.name,
    functionVersion: version,
    invokedFunctionArn: functionArn(p, version === '$LATEST' ? fn.name : `${fn.name}:${version}`),
    memoryLimitInMB: String(fn.memory),
    logGroupName,
    logStreamName: stream,
    ...(json ? { logFormat: 'JSON' as const, logLevel: json.applicationLogLevel ?? 'INFO' } : {}),
  };
}
