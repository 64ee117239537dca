import type { TargetRecord } from './backend.ts';
import { BusError } from './errors.ts';
import { checkTargetInput } from './input-transformer.ts';

/** EventBridge's quota: targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;
/** RetryPolicy defaults and bounds (EventBridge's). */
export const DEFAULT_MAX_RETRIES = 185;
export const DEFAULT_MAX_EVENT_AGE_S = 86_400;

export type TargetKind = 'lambda' | 'sqs' | 'sns' | 'events';

const TARGET_ID_RE = /^[.\-_A-Za-z0-9]{1,64}$/;

/** The kind of resource an ARN names, or undefined when Baton cannot deliver to it. */
export function targetKind(arn: string): TargetKind | undefined {
  const m = /^arn:aws[a-z-]*:(lambda|sqs|sns|events):[^:]*:\d*:(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, service, rest] = m;
  if (service === 'lambda') return rest!.startsWith('function:') ? 'lambda' : undefined;
  if (service === 'events') return rest!.startsWith('event-bus/') ? 'events' : undefined;
  return service as TargetKind;
}

const err = (message: string) => new BusError('ValidationException', message);

/** Checks one PutTargets entry; returns it with only the fields Baton keeps. */
export function checkTarget(raw: unknown): TargetRecord {
  if (raw === null || typeof raw !== 'object') throw err('A target must be an object.');
  const t = raw as Record<string, unknown>;
  if (typeof t.Id !== 'string' || !TARGET_ID_RE.test(t.Id))
    throw err(
      `Parameter Id is not valid: ${String(t.Id)}. It must match [\\.\\-_A-Za-z0-9]+ (1 to 64 characters).`,
    );
  if (typeof t.Arn !== 'string' || t.Arn.length === 0) throw err('Parameter Arn is required.');
  const kind = targetKind(t.Arn);
  if (!kind) throw err(`Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
  const target = t as unknown as TargetRecord;
  checkTargetInput(target);
  if (kind === 'sqs' && t.Arn.endsWith('.fifo') && !target.SqsParameters?.MessageGroupId)
    throw err('Parameter(s) SqsParameters must be specified for target: ' + t.Id + '.');
  const retry = target.RetryPolicy;
  if (retry) {
    const n = retry.MaximumRetryAttempts;
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 185))
      throw err('RetryPolicy.MaximumRetryAttempts must be between 0 and 185.');
    const age = retry.MaximumEventAgeInSeconds;
    if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 86_400))
      throw err('RetryPolicy.MaximumEventAgeInSeconds must be between 60 and 86400.');
  }
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && targetKind(dlq) !== 'sqs')
    throw err('DeadLetterConfig.Arn must be the ARN of an SQS queue.');
  const kept: TargetRecord = { Id: t.Id, Arn: t.Arn };
  for (const k of [
    'RoleArn',
    'Input',
    'InputPath',
    'InputTransformer',
    'SqsParameters',
    'RetryPolicy',
    'DeadLetterConfig',
  ] as const) {
    if (target[k] !== undefined) (kept as unknown as Record<string, unknown>)[k] = target[k];
  }
  return kept;
}
