/**
 * The IAM action and resource of each EventBridge operation, from its parsed input. Pure.
 *
 * Buses are `arn:aws:events:<region>:<account>:event-bus/<name>`; rules are `…:rule/<name>` on
 * the default bus and `…:rule/<bus>/<name>` on another, as EventBridge names them. The lists that
 * take resource-level permissions act on the wildcard ARN of what they list (ListRules on
 * `rule/*`, ListEventBuses on `event-bus/*`); TestEventPattern has none (`*`). PutEvents acts on
 * each entry's bus, with `events:source` and `events:detail-type` for conditions. PutTargets also
 * needs `iam:PassRole` on each target's `RoleArn`, with `iam:PassedToService` `events.amazonaws.com`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, member, one, PASSED_TO, passRole } from '../access.ts';

const DEFAULT_BUS = 'default';

export function eventsAccess(
  operation: string,
  input: Record<string, unknown>,
  scope: ArnScope,
): AccessRequest[] {
  const action = `events:${operation}`;
  const bus = member(input, 'EventBusName');
  switch (operation) {
    case 'CreateEventBus':
    case 'DescribeEventBus':
    case 'DeleteEventBus':
      return one(action, busArn(scope, member(input, 'Name')));
    case 'ListEventBuses':
      return one(action, `${prefix(scope)}event-bus/*`);
    case 'PutRule':
    case 'DescribeRule':
    case 'EnableRule':
    case 'DisableRule':
    case 'DeleteRule':
      return one(action, ruleArn(scope, bus, member(input, 'Name')));
    case 'PutTargets':
      return [
        ...one(action, ruleArn(scope, bus, member(input, 'Rule')), targetKeys(operation, input)),
        ...passRole(targetRoles(input), PASSED_TO.events, scope.account),
      ];
    case 'RemoveTargets':
    case 'ListTargetsByRule':
      return one(action, ruleArn(scope, bus, member(input, 'Rule')), targetKeys(operation, input));
    case 'ListRules':
    case 'ListRuleNamesByTarget':
      return one(action, ruleArn(scope, bus, '*'));
    case 'PutEvents':
      return putEvents(input, scope);
    default:
      return one(action, '*');
  }
}

const prefix = (scope: ArnScope) => `arn:aws:events:${scope.region}:${scope.account}:`;

/** A bus's ARN from its name or ARN (the default bus when absent). */
function busArn(scope: ArnScope, nameOrArn: string | undefined): string {
  if (nameOrArn?.startsWith('arn:')) return nameOrArn;
  return `${prefix(scope)}event-bus/${nameOrArn ?? DEFAULT_BUS}`;
}

function ruleArn(scope: ArnScope, bus: string | undefined, name: string | undefined): string {
  const busName = bus?.startsWith('arn:') ? bus.slice(bus.indexOf('event-bus/') + 10) : bus;
  const path = busName === undefined || busName === DEFAULT_BUS ? '' : `${busName}/`;
  return `${prefix(scope)}rule/${path}${name ?? '*'}`;
}

/** `events:TargetArn`: the ARNs PutTargets points the rule at. */
function targetKeys(operation: string, input: Record<string, unknown>): Record<string, string[]> | undefined {
  if (operation !== 'PutTargets' || !Array.isArray(input.Targets)) return undefined;
  const arns = input.Targets.map((t) => (t as { Arn?: unknown } | null)?.Arn).filter(
    (a): a is string => typeof a === 'string',
  );
  return { 'events:TargetArn': arns };
}

/** The `RoleArn` of each target PutTargets puts. */
function targetRoles(input: Record<string, unknown>): unknown[] {
  return Array.isArray(input.Targets)
    ? input.Targets.map((t) => (t as { RoleArn?: unknown } | null)?.RoleArn)
    : [];
}

/** One request per distinct (bus, source, detail-type) among the entries. */
function putEvents(input: Record<string, unknown>, scope: ArnScope): AccessRequest[] {
  const entries = Array.isArray(input.Entries) ? input.Entries : [];
  const seen = new Map<string, AccessRequest>();
  for (const raw of entries) {
    const e = (raw ?? {}) as Record<string, unknown>;
    const resource = busArn(scope, member(e, 'EventBusName'));
    const source = member(e, 'Source');
    const detailType = member(e, 'DetailType');
    const key = `${resource}\n${source}\n${detailType}`;
    if (seen.has(key)) continue;
    const context: Record<string, string> = {};
    if (source !== undefined) context['events:source'] = source;
    if (detailType !== undefined) context['events:detail-type'] = detailType;
    seen.set(key, { action: 'events:PutEvents', resource, context });
  }
  return seen.size > 0 ? [...seen.values()] : one('events:PutEvents', busArn(scope, undefined));
}
