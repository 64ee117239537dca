import { type FunctionRecord, versionOf } from '../../core/function-spec.ts';
import type { AliasRecord, EventInvokeConfig } from '../../registry/records.ts';
import { functionArn, type PlatformIdentity } from '../../runtime/function-env.ts';
import { loggingToWire } from './logging-config.ts';

/** Lambda's timestamp format: `2019-08-14T22:26:11.234+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The ARN of a function's role as configured (a name becomes an ARN); `baton-default` for none. */
function roleArnOf(role: string | undefined, accountId: string): string {
  if (role?.startsWith('arn:')) return role;
  return `arn:aws:iam::${accountId}:role/${role ?? 'baton-default'}`;
}

/**
 * A function (its `$LATEST` or a version) as Lambda's FunctionConfiguration shape.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
 */
export function functionConfiguration(rec: FunctionRecord, p: PlatformIdentity): Record<string, unknown> {
  const version = versionOf(rec);
  return {
    FunctionName: rec.name,
    FunctionArn: functionArn(p, version === '$LATEST' ? rec.name : `${rec.name}:${version}`),
    Runtime: rec.runtime,
    Role: roleArnOf(rec.role, p.accountId),
    Handler: rec.handler,
    CodeSize: rec.codeSize,
    Description: rec.description ?? '',
    Timeout: rec.timeout,
    MemorySize: rec.memory,
    LastModified: lambdaTimestamp(rec.updatedAt),
    CodeSha256: Buffer.from(rec.codeSha256, 'hex').toString('base64'),
    Version: version,
    Environment: { Variables: rec.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: rec.revision,
    ...(rec.deadLetterTargetArn ? { DeadLetterConfig: { TargetArn: rec.deadLetterTargetArn } } : {}),
    // Code is unpacked and its handler resolved before a create or update returns, so a
    // function is usable at once: Active, and its last update Successful.
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: loggingToWire(rec.name, rec.logging),
  };
}

/** https://docs.aws.amazon.com/lambda/latest/api/API_AliasConfiguration.html */
export function aliasConfiguration(a: AliasRecord, p: PlatformIdentity): Record<string, unknown> {
  return {
    AliasArn: functionArn(p, `${a.function}:${a.name}`),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(Object.keys(a.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}),
    RevisionId: a.revisionId,
  };
}

/** https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionEventInvokeConfig.html */
export function eventInvokeConfiguration(c: EventInvokeConfig, p: PlatformIdentity): Record<string, unknown> {
  const destination = (arn: string | null) => (arn ? { Destination: arn } : {});
  return {
    FunctionArn: functionArn(p, `${c.function}:${c.qualifier}`),
    LastModified: c.lastModified / 1000,
    ...(c.maximumRetryAttempts !== null ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeSeconds !== null ? { MaximumEventAgeInSeconds: c.maximumEventAgeSeconds } : {}),
    DestinationConfig: { OnSuccess: destination(c.onSuccess), OnFailure: destination(c.onFailure) },
  };
}
