/**
 * Checks CreateSchedule and UpdateSchedule input as EventBridge Scheduler does and turns it
 * into a `ScheduleRecord`. https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
import { parseScheduleExpression } from '../schedules/expression.ts';
import { assertTimezone } from '../schedules/zone.ts';
import { invalid } from './errors.ts';
import type { RetryPolicy, ScheduleRecord, ScheduleTarget } from './records.ts';

type Obj = Record<string, unknown>;

export const NAME_RE = /^[0-9a-zA-Z._-]{1,64}$/;
/**
 * Baton delivers to these target kinds (templated Lambda Invoke, SQS SendMessage, SNS Publish and
 * EventBridge PutEvents).
 */
const TARGET_RE =
  /^arn:aws[a-z-]*:(lambda|sqs|sns):[^:]*:\d{12}:.+$|^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/.+$/;
const BUS_ARN_RE = /^arn:aws[a-z-]*:events:/;
const SQS_ARN_RE = /^arn:aws[a-z-]*:sqs:[^:]*:\d{12}:[a-zA-Z0-9_.-]{1,80}$/;
const ROLE_RE = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

const violation = (value: unknown, path: string, constraint: string) =>
  invalid(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${constraint}`,
  );

export function checkName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !NAME_RE.test(value))
    throw violation(
      value,
      path,
      'Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$ and have length between 1 and 64',
    );
  return value;
}

function optString(o: Obj, key: string, path: string, max: number): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length < 1 || v.length > max)
    throw violation(v, path, `Member must have length between 1 and ${max}`);
  return v;
}

function optEnum<T extends string>(o: Obj, key: string, path: string, values: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!values.includes(v as T))
    throw violation(v, path, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return v as T;
}

function optInt(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw violation(v, path, `Member must have value between ${min} and ${max}`);
  return v;
}

/** restJson1 timestamps in a body are epoch seconds (fractions allowed). */
function optTime(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${key} must be a timestamp.`);
  return Math.round(v * 1000);
}

function objectAt(o: Obj, key: string, required: boolean): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw violation(null, key[0]!.toLowerCase() + key.slice(1), 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${key} must be an object.`);
  return v as Obj;
}

function retryPolicyOf(o: Obj | undefined): RetryPolicy {
  return {
    maximumEventAgeInSeconds:
      (o &&
        optInt(o, 'MaximumEventAgeInSeconds', 'target.retryPolicy.maximumEventAgeInSeconds', 60, 86_400)) ??
      86_400,
    maximumRetryAttempts:
      (o && optInt(o, 'MaximumRetryAttempts', 'target.retryPolicy.maximumRetryAttempts', 0, 185)) ?? 185,
  };
}

function targetOf(body: Obj): ScheduleTarget {
  const t = objectAt(body, 'Target', true)!;
  const arn = optString(t, 'Arn', 'target.arn', 1600);
  if (arn === undefined) throw violation(null, 'target.arn', 'Member must not be null');
  if (!TARGET_RE.test(arn))
    throw invalid(
      `Invalid target ARN ${arn}: Baton's scheduler delivers to Lambda functions, SQS queues, SNS topics and event buses.`,
    );
  const roleArn = optString(t, 'RoleArn', 'target.roleArn', 1600);
  if (roleArn === undefined) throw violation(null, 'target.roleArn', 'Member must not be null');
  if (!ROLE_RE.test(roleArn))
    throw violation(
      roleArn,
      'target.roleArn',
      'Member must satisfy regular expression pattern: arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+',
    );
  const input = optString(t, 'Input', 'target.input', 8192);
  if (input !== undefined && arn.includes(':lambda:')) {
    try {
      JSON.parse(input);
    } catch {
      throw invalid('Target.Input must be well-formed JSON for a Lambda target.');
    }
  }
  const dlq = objectAt(t, 'DeadLetterConfig', false);
  const deadLetterArn = dlq && optString(dlq, 'Arn', 'target.deadLetterConfig.arn', 1600);
  if (deadLetterArn !== undefined && !SQS_ARN_RE.test(deadLetterArn))
    throw invalid(`DeadLetterConfig.Arn must be an SQS queue ARN: ${deadLetterArn}`);
  const sqs = objectAt(t, 'SqsParameters', false);
  const messageGroupId = sqs && optString(sqs, 'MessageGroupId', 'target.sqsParameters.messageGroupId', 128);
  const eventBridge = eventBridgeParameters(t, arn, input);
  return {
    arn,
    roleArn,
    ...(input === undefined ? {} : { input }),
    retryPolicy: retryPolicyOf(objectAt(t, 'RetryPolicy', false)),
    ...(deadLetterArn === undefined ? {} : { deadLetterArn }),
    ...(messageGroupId === undefined ? {} : { messageGroupId }),
    ...(eventBridge === undefined ? {} : { eventBridge }),
  };
}

/**
 * The templated PutEvents target: `EventBridgeParameters` gives the event's DetailType and Source,
 * and `Input` (a JSON object) is its detail.
 */
function eventBridgeParameters(t: Obj, arn: string, input: string | undefined) {
  const p = objectAt(t, 'EventBridgeParameters', false);
  if (!BUS_ARN_RE.test(arn)) return undefined;
  if (p === undefined)
    throw invalid('EventBridgeParameters must be provided for an EventBridge PutEvents target.');
  const detailType = optString(p, 'DetailType', 'target.eventBridgeParameters.detailType', 128);
  if (detailType === undefined)
    throw violation(null, 'target.eventBridgeParameters.detailType', 'Member must not be null');
  const source = optString(p, 'Source', 'target.eventBridgeParameters.source', 256);
  if (source === undefined)
    throw violation(null, 'target.eventBridgeParameters.source', 'Member must not be null');
  if (source.startsWith('aws.'))
    throw invalid(`EventBridgeParameters.Source must not start with "aws.": ${source}`);
  if (input !== undefined) {
    let detail: unknown;
    try {
      detail = JSON.parse(input);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      throw invalid(
        'Target.Input must be a JSON object for an EventBridge PutEvents target: it is the detail.',
      );
  }
  return { detailType, source };
}

/**
 * The schedule that CreateSchedule or UpdateSchedule describes. UpdateSchedule replaces every
 * member (AWS: members left out take their defaults), so both share this.
 */
export function scheduleFromInput(
  body: Obj,
  ids: { group: string; name: string; arn: string; createdAt: number; now: number },
): ScheduleRecord {
  const expression = optString(body, 'ScheduleExpression', 'scheduleExpression', 256);
  if (expression === undefined) throw violation(null, 'scheduleExpression', 'Member must not be null');
  try {
    parseScheduleExpression(expression);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const timezone = optString(body, 'ScheduleExpressionTimezone', 'scheduleExpressionTimezone', 50);
  if (timezone !== undefined) {
    try {
      assertTimezone(timezone);
    } catch {
      throw invalid(`Invalid time zone: ${timezone}`);
    }
  }
  const startDate = optTime(body, 'StartDate');
  const endDate = optTime(body, 'EndDate');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
    throw invalid('The EndDate must be later than the StartDate.');
  const window = objectAt(body, 'FlexibleTimeWindow', true)!;
  const mode = optEnum(window, 'Mode', 'flexibleTimeWindow.mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined) throw violation(null, 'flexibleTimeWindow.mode', 'Member must not be null');
  const minutes = optInt(
    window,
    'MaximumWindowInMinutes',
    'flexibleTimeWindow.maximumWindowInMinutes',
    1,
    1440,
  );
  if (mode === 'FLEXIBLE' && minutes === undefined)
    throw invalid('MaximumWindowInMinutes is required when the FlexibleTimeWindow mode is FLEXIBLE.');
  if (mode === 'OFF' && minutes !== undefined)
    throw invalid('MaximumWindowInMinutes must not be set when the FlexibleTimeWindow mode is OFF.');
  const description = optString(body, 'Description', 'description', 512);
  const kmsKeyArn = optString(body, 'KmsKeyArn', 'kmsKeyArn', 2048);
  return {
    group: ids.group,
    name: ids.name,
    arn: ids.arn,
    expression,
    ...(timezone === undefined ? {} : { timezone }),
    ...(startDate === undefined ? {} : { startDate }),
    ...(endDate === undefined ? {} : { endDate }),
    ...(description === undefined ? {} : { description }),
    state: optEnum(body, 'State', 'state', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED',
    ...(minutes === undefined ? {} : { flexibleWindowMinutes: minutes }),
    actionAfterCompletion:
      optEnum(body, 'ActionAfterCompletion', 'actionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE',
    ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
    target: targetOf(body),
    createdAt: ids.createdAt,
    lastModifiedAt: ids.now,
  };
}
