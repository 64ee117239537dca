import { randomUUID } from 'node:crypto';
import type { RuleRecord } from './backend.ts';

/** The schedule group under which rule schedules keep their fire ledger: no user group can be named so. */
export const RULE_SCHEDULE_GROUP = '#rules';

/**
 * A bus rule's `ScheduleExpression` as a schedule for the schedule loop (which gives it the
 * durable fire-once ledger and the misfire policy): keyed `bus/name` in a reserved group.
 * Undefined when the rule has no schedule.
 */
export function ruleSchedule(rule: RuleRecord, ruleArn: string) {
  if (rule.scheduleExpression === undefined) return undefined;
  return {
    group: RULE_SCHEDULE_GROUP,
    name: `${rule.bus}/${rule.name}`,
    arn: ruleArn,
    expression: rule.scheduleExpression,
    state: rule.state,
    actionAfterCompletion: 'NONE' as const,
    // Rule targets have their own retry policies; the loop hands the event over once.
    target: {
      arn: ruleArn,
      roleArn: '',
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 0 },
    },
    createdAt: rule.createdAt,
    lastModifiedAt: rule.createdAt,
  };
}

/** EventBridge's "Scheduled Event", as a scheduled rule sends it. */
export function scheduledEvent(
  ruleArn: string,
  at: number,
  ids: { accountId: string; region: string },
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ids.accountId,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: ids.region,
    resources: [ruleArn],
    detail: {},
  };
}
