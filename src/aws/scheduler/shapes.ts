/** Scheduler records in restJson1's wire shape (timestamps as epoch seconds). */
import type { ScheduleGroupRecord, ScheduleRecord } from '../../services/scheduler/records.ts';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function scheduleShape(s: ScheduleRecord): Record<string, unknown> {
  const t = s.target;
  return {
    Arn: s.arn,
    GroupName: s.group,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone,
    StartDate: seconds(s.startDate),
    EndDate: seconds(s.endDate),
    Description: s.description,
    State: s.state,
    CreationDate: seconds(s.createdAt),
    LastModificationDate: seconds(s.lastModifiedAt),
    KmsKeyArn: s.kmsKeyArn,
    ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow:
      s.flexibleWindowMinutes === undefined
        ? { Mode: 'OFF' }
        : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: s.flexibleWindowMinutes },
    Target: {
      Arn: t.arn,
      RoleArn: t.roleArn,
      Input: t.input,
      RetryPolicy: {
        MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds,
        MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts,
      },
      DeadLetterConfig: t.deadLetterArn === undefined ? undefined : { Arn: t.deadLetterArn },
      SqsParameters: t.messageGroupId === undefined ? undefined : { MessageGroupId: t.messageGroupId },
      EventBridgeParameters:
        t.eventBridge === undefined
          ? undefined
          : { DetailType: t.eventBridge.detailType, Source: t.eventBridge.source },
    },
  };
}

export function scheduleSummary(s: ScheduleRecord): Record<string, unknown> {
  return {
    Arn: s.arn,
    Name: s.name,
    GroupName: s.group,
    State: s.state,
    CreationDate: seconds(s.createdAt),
    LastModificationDate: seconds(s.lastModifiedAt),
    Target: { Arn: s.target.arn },
  };
}

export function groupShape(g: ScheduleGroupRecord): Record<string, unknown> {
  return {
    Arn: g.arn,
    Name: g.name,
    State: 'ACTIVE',
    CreationDate: seconds(g.createdAt),
    LastModificationDate: seconds(g.lastModifiedAt),
  };
}
