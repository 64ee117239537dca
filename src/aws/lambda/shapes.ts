import type { FunctionRecord } from '../../core/function-spec.ts';
import { functionArn, type PlatformIdentity } from '../../runtime/function-env.ts';

/** Lambda's timestamp format: `2019-08-14T22:26:11.234+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * A function as Lambda's FunctionConfiguration shape.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
 */
export function functionConfiguration(rec: FunctionRecord, p: PlatformIdentity): Record<string, unknown> {
  return {
    FunctionName: rec.name,
    FunctionArn: functionArn(p, rec.name),
    Runtime: rec.runtime,
    Role: `arn:aws:iam::${p.accountId}:role/baton-default`,
    Handler: rec.handler,
    CodeSize: rec.codeSize,
    Description: '',
    Timeout: rec.timeout,
    MemorySize: rec.memory,
    LastModified: lambdaTimestamp(rec.updatedAt),
    CodeSha256: Buffer.from(rec.codeSha256, 'hex').toString('base64'),
    Version: '$LATEST',
    Environment: { Variables: rec.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: rec.revision,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}
