/**
 * The settings of an event source mapping on a DynamoDB stream, checked as Lambda checks them.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
 */
import type { StreamSourceSettings } from '../../registry/records.ts';
import { invalid, optInt } from './common.ts';

/** The fields only stream mappings take. */
export const STREAM_FIELDS = [
  'StartingPosition',
  'StartingPositionTimestamp',
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'DestinationConfig',
  'ParallelizationFactor',
  'TumblingWindowInSeconds',
];

const DESTINATION = /^arn:aws[a-zA-Z-]*:(sqs|sns):[^:]+:\d{12}:[a-zA-Z0-9_.-]{1,256}$/;

/** Finds where a new mapping starts reading; undefined when the stream does not exist. */
export type StreamStart = (arn: string, position: 'TRIM_HORIZON' | 'LATEST') => Promise<number | undefined>;

export function startingPositionOf(o: Record<string, unknown>): 'TRIM_HORIZON' | 'LATEST' {
  const p = o.StartingPosition;
  if (p === undefined) throw invalid('StartingPosition is required for a DynamoDB stream event source');
  if (p === 'AT_TIMESTAMP') throw invalid('AT_TIMESTAMP is not supported for DynamoDB stream event sources');
  if (p !== 'TRIM_HORIZON' && p !== 'LATEST')
    throw invalid(
      `1 validation error detected: Value '${String(p)}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]`,
    );
  return p;
}

/** The stream settings a request gives, over `base` for an update. */
export function streamSettingsOf(
  o: Record<string, unknown>,
  base: Pick<StreamSourceSettings, 'startingPosition' | 'startAfter'> & Partial<StreamSourceSettings>,
): StreamSourceSettings {
  if (o.BisectBatchOnFunctionError !== undefined && typeof o.BisectBatchOnFunctionError !== 'boolean')
    throw invalid('BisectBatchOnFunctionError must be a boolean');
  let onFailure = base.onFailure ?? null;
  if (o.DestinationConfig !== undefined) {
    const d = (o.DestinationConfig ?? {}) as { OnFailure?: { Destination?: unknown } };
    const dest = d.OnFailure?.Destination;
    if (dest !== undefined && dest !== null && (typeof dest !== 'string' || !DESTINATION.test(dest)))
      throw invalid(
        'The provided destination config DestinationConfig.OnFailure.Destination is invalid: it must be an SQS queue or SNS topic ARN',
      );
    onFailure = typeof dest === 'string' ? dest : null;
  }
  if (o.TumblingWindowInSeconds !== undefined && o.TumblingWindowInSeconds !== 0)
    throw invalid('Baton does not support tumbling windows (TumblingWindowInSeconds)');
  return {
    startingPosition: base.startingPosition,
    startAfter: base.startAfter,
    bisectBatchOnFunctionError:
      (o.BisectBatchOnFunctionError as boolean | undefined) ?? base.bisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: optInt(o, 'MaximumRetryAttempts', -1, 10_000) ?? base.maximumRetryAttempts ?? -1,
    maximumRecordAgeSeconds: recordAge(o) ?? base.maximumRecordAgeSeconds ?? -1,
    onFailure,
    parallelizationFactor: optInt(o, 'ParallelizationFactor', 1, 10) ?? base.parallelizationFactor ?? 1,
  };
}

function recordAge(o: Record<string, unknown>): number | undefined {
  const age = optInt(o, 'MaximumRecordAgeInSeconds', -1, 604_800);
  if (age !== undefined && age !== -1 && age < 60)
    throw invalid(
      `1 validation error detected: Value '${age}' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60 (or -1)`,
    );
  return age;
}

/** How GetEventSourceMapping shows a stream mapping's own fields. */
export function streamShape(s: StreamSourceSettings): Record<string, unknown> {
  return {
    StartingPosition: s.startingPosition,
    BisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
    MaximumRetryAttempts: s.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: s.maximumRecordAgeSeconds,
    ParallelizationFactor: s.parallelizationFactor,
    DestinationConfig: s.onFailure ? { OnFailure: { Destination: s.onFailure } } : { OnFailure: {} },
  };
}
