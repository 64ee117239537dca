/** What the scheduler stores: one record per schedule group and per schedule. Times are epoch ms. */

export interface ScheduleGroupRecord {
  name: string;
  arn: string;
  createdAt: number;
  lastModifiedAt: number;
}

export interface RetryPolicy {
  /** Seconds (60–86400, default 86400) an invocation may keep being retried. */
  maximumEventAgeInSeconds: number;
  /** Retries after the first attempt (0–185, default 185). */
  maximumRetryAttempts: number;
}

export interface ScheduleTarget {
  /** A Lambda function, SQS queue or SNS topic ARN. */
  arn: string;
  /** Accepted and stored; Baton does not assume roles yet. */
  roleArn: string;
  /** The payload; absent means Baton's default notification (`{}`). */
  input?: string;
  retryPolicy: RetryPolicy;
  /** An SQS queue ARN that takes invocations that could not be delivered. */
  deadLetterArn?: string;
  /** SqsParameters.MessageGroupId, for FIFO queues. */
  messageGroupId?: string;
  /** EventBridgeParameters, for an event bus: the event's DetailType and Source. */
  eventBridge?: { detailType: string; source: string };
}

export interface ScheduleRecord {
  group: string;
  name: string;
  arn: string;
  expression: string;
  timezone?: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  /** Minutes; absent when FlexibleTimeWindow.Mode is OFF. Baton fires at the window's start. */
  flexibleWindowMinutes?: number;
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  target: ScheduleTarget;
  createdAt: number;
  lastModifiedAt: number;
}
