/**
 * The IAM action and resource of each EventBridge Scheduler operation. Pure.
 *
 * Schedules are `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>` (group `default`
 * when none is named), groups `…:schedule-group/<name>`; the two lists have no resource-level
 * permission (`*`). DeleteScheduleGroup deletes the group's schedules too, so it also needs
 * `scheduler:DeleteSchedule` on them (`schedule/<group>/*`), as AWS asks. The `iam:PassRole` that AWS also asks of CreateSchedule and UpdateSchedule
 * for the target's role is not checked: Baton does not assume that role.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, one } from '../access.ts';

export type SchedulerOperation =
  | 'CreateSchedule'
  | 'UpdateSchedule'
  | 'GetSchedule'
  | 'DeleteSchedule'
  | 'ListSchedules'
  | 'CreateScheduleGroup'
  | 'GetScheduleGroup'
  | 'DeleteScheduleGroup'
  | 'ListScheduleGroups';

/** `name`: the path's schedule or group name; `group`: a schedule's group, if the call names one. */
export function schedulerAccess(
  operation: SchedulerOperation,
  name: string,
  group: string | undefined,
  scope: ArnScope,
): AccessRequest[] {
  const action = `scheduler:${operation}`;
  const prefix = `arn:aws:scheduler:${scope.region}:${scope.account}:`;
  switch (operation) {
    case 'ListSchedules':
    case 'ListScheduleGroups':
      return one(action, '*');
    case 'CreateScheduleGroup':
    case 'GetScheduleGroup':
      return one(action, `${prefix}schedule-group/${name}`);
    case 'DeleteScheduleGroup':
      return [
        { action, resource: `${prefix}schedule-group/${name}` },
        { action: 'scheduler:DeleteSchedule', resource: `${prefix}schedule/${name}/*` },
      ];
    default:
      return one(action, `${prefix}schedule/${group || 'default'}/${name}`);
  }
}
