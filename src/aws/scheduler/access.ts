/**
 * The IAM action and resource of each EventBridge Scheduler operation. Pure.
 *
 * Schedules are `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>` (group `default`
 * when none is named), groups `…:schedule-group/<name>`; the two lists have no resource-level
 * permission (`*`). DeleteScheduleGroup deletes the group's schedules too, so it also needs
 * `scheduler:DeleteSchedule` on them (`schedule/<group>/*`), as AWS asks. CreateSchedule and
 * UpdateSchedule also need `iam:PassRole` on the target's `RoleArn`, with `iam:PassedToService`
 * `scheduler.amazonaws.com`, as on AWS, though Baton delivers without assuming that role.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, one, PASSED_TO, passRole } from '../access.ts';

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

/**
 * `name`: the path's schedule or group name; `group`: a schedule's group, if the call names one;
 * `input`: the JSON body (its `Target.RoleArn`).
 */
export function schedulerAccess(
  operation: SchedulerOperation,
  name: string,
  group: string | undefined,
  scope: ArnScope,
  input: Record<string, unknown> = {},
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
    case 'CreateSchedule':
    case 'UpdateSchedule': {
      const role = (input.Target as { RoleArn?: unknown } | null | undefined)?.RoleArn;
      return [
        ...one(action, `${prefix}schedule/${group || 'default'}/${name}`),
        ...passRole([role], PASSED_TO.scheduler, scope.account),
      ];
    }
    default:
      return one(action, `${prefix}schedule/${group || 'default'}/${name}`);
  }
}
