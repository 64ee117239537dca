import type { FunctionRecord } from '../core/function-spec.ts';

/** An alias: a name for one version, optionally sending a weighted share to a second version. */
export interface AliasRecord {
  function: string;
  name: string;
  functionVersion: string;
  description: string;
  /** Version → share of invocations (0–1) sent there instead of `functionVersion`. */
  weights: Record<string, number>;
  revisionId: string;
}

/** How async (Event) invocations of a function, version or alias are retried and where they go. */
export interface EventInvokeConfig {
  function: string;
  /** `$LATEST`, a version number or an alias name. */
  qualifier: string;
  /** 0–2; Lambda's default is 2. */
  maximumRetryAttempts: number | null;
  /** 60–21600 seconds; Lambda's default is 21600 (6 hours). */
  maximumEventAgeSeconds: number | null;
  /** Destination ARNs. */
  onSuccess: string | null;
  onFailure: string | null;
  lastModified: number;
}

/** A queue that drives a function (Lambda's event source mapping for SQS). */
export interface EventSourceMapping {
  uuid: string;
  function: string;
  /** The qualifier invoked, if any (a version or an alias). */
  qualifier: string | null;
  /** The queue's ARN. */
  eventSourceArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** `ReportBatchItemFailures` lets a function name the messages that failed. */
  reportBatchItemFailures: boolean;
  /** Most concurrent invocations the mapping drives; null: up to the function's concurrency. */
  maximumConcurrency: number | null;
  enabled: boolean;
  /** The app whose manifest declared it, if any. */
  app: string | null;
  lastModified: number;
  /** For a DynamoDB stream (absent for SQS): how the stream is read and failures handled. */
  stream?: StreamSourceSettings;
}

/** The settings of a stream event source mapping (Lambda's names, in their units). */
export interface StreamSourceSettings {
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Where reading starts when there is no checkpoint: after this sequence number. */
  startAfter: number;
  bisectBatchOnFunctionError: boolean;
  /** -1: retried until the records expire. */
  maximumRetryAttempts: number;
  /** -1: no limit but the stream's 24-hour retention. */
  maximumRecordAgeSeconds: number;
  /** DestinationConfig.OnFailure.Destination: an SQS queue or SNS topic ARN. */
  onFailure: string | null;
  parallelizationFactor: number;
}

/**
 * A function's resource-based policy (Lambda's AddPermission), for the unqualified function or
 * one qualifier. Statements are kept in AWS's format, as GetPolicy returns them.
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
export interface FunctionPolicy {
  function: string;
  /** A version or alias; '' for the unqualified function. */
  qualifier: string;
  statements: Record<string, unknown>[];
  revisionId: string;
}

/** The kinds of record the registry keeps beside functions, each keyed `function:qualifier`. */
export interface RegistryResources {
  version: FunctionRecord;
  alias: AliasRecord;
  'event-invoke-config': EventInvokeConfig;
  /** Keyed `function:uuid`: deleting a function deletes its mappings. */
  'event-source-mapping': EventSourceMapping;
  /** Keyed `function:qualifier`, `function:` for the unqualified function. */
  'function-policy': FunctionPolicy;
}
export type ResourceKind = keyof RegistryResources;
