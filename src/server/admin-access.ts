/**
 * The actions and resources of Baton's own admin API (`/admin/v1/…`), for authorization. Pure.
 *
 * A route that does what an AWS operation does is authorized as that operation, on the same ARN:
 * the function routes as Lambda's (`lambda:InvokeFunction`, `lambda:GetFunction` …; an update
 * needs `lambda:UpdateFunctionCode` when it carries code and `lambda:UpdateFunctionConfiguration`
 * when it changes settings), the logs route as CloudWatch Logs' `logs:FilterLogEvents` on the
 * function's log group, the access-key routes as IAM's, the alarm routes as CloudWatch's
 * (`cloudwatch:PutMetricAlarm`, `DescribeAlarms`, `DeleteAlarms`). Whatever gives a function a
 * role also needs `iam:PassRole` on it (`iam:PassedToService` `lambda.amazonaws.com`), after its
 * own action: a create or update with `role`, and a deploy on every role its manifest's functions
 * name (`deployPassRoles`; CloudFormation likewise needs it for a stack's functions). The rest have no AWS counterpart and take
 * actions in the `baton:` namespace on `*`: `baton:DeployApp`, `baton:GetMetrics`, the cost
 * routes' `baton:GetCosts`, `baton:PutBudget` …, and the
 * cache's `baton:CacheGet`, `baton:CacheSet` … (its namespace as the `baton:CacheNamespace` key).
 * The list is in the README ("Enforcement"). Guarded by `test/server/admin-access.test.ts`.
 */

import type { ArnScope } from '../aws/access.ts';
import { one, PASSED_TO, passRole } from '../aws/access.ts';
import { functionArn } from '../aws/lambda/access.ts';
import type { AccessRequest } from '../governance/authorizer.ts';

export interface AdminCall {
  /** The route's operation (`InvokeFunction`, `Deploy` …: `adminRoutes`' last column). */
  operation: string;
  /** The path parameter: a function name or an access key id. */
  name: string;
  /** The JSON body, parsed on demand. */
  body(): Record<string, unknown>;
  /** The ARN of an IAM user, if it exists. */
  userArn(name: string): string | undefined;
  /** The user an access key belongs to, if the key exists. */
  keyOwner(accessKeyId: string): string | undefined;
  /** The ARN of an IAM role, if it exists (`iam:PassRole` on a role named without its ARN). */
  roleArn?: (name: string) => string | undefined;
  /** Deploy: the roles the uploaded manifest gives its functions; none when it cannot be read. */
  manifestRoles?(): readonly unknown[];
}

const SAME_AS_LAMBDA = new Set(['InvokeFunction', 'GetFunction', 'DeleteFunction']);

export function adminAccess(call: AdminCall, scope: ArnScope): AccessRequest[] {
  const { operation, name } = call;
  if (SAME_AS_LAMBDA.has(operation)) return one(`lambda:${operation}`, functionArn(scope, name, ''));
  switch (operation) {
    case 'ListFunctions':
      return one('lambda:ListFunctions', '*');
    case 'CreateFunction':
      return [
        ...one('lambda:CreateFunction', functionArn(scope, text(call, 'name'))),
        ...passes(call, scope, [text(call, 'role')]),
      ];
    case 'UpdateFunction':
      return [
        ...updateFunction(call, functionArn(scope, name)),
        ...passes(call, scope, [text(call, 'role')]),
      ];
    case 'GetLogs':
      return one(
        'logs:FilterLogEvents',
        `arn:aws:logs:${scope.region}:${scope.account}:log-group:/aws/lambda/${name}:*`,
      );
    case 'Deploy':
      return one('baton:DeployApp', '*');
    case 'ListAccessKeys':
      return one('iam:ListAccessKeys', '*');
    case 'CreateAccessKey': {
      const user = text(call, 'name');
      const arn = call.userArn(user);
      const create = one('iam:CreateAccessKey', arn ?? userArn(scope, user));
      // `baton keys create NAME` makes user NAME when there is none.
      return arn ? create : [{ action: 'iam:CreateUser', resource: userArn(scope, user) }, ...create];
    }
    case 'DeleteAccessKey': {
      const owner = call.keyOwner(name);
      return one(
        'iam:DeleteAccessKey',
        owner === undefined ? userArn(scope, '*') : (call.userArn(owner) ?? userArn(scope, owner)),
      );
    }
    default:
      return one(`baton:${operation}`, '*');
  }
}

/** The cache routes: `baton:<operation>` (`CacheGet`, `CacheSet` …) with the namespace as a key. */
export function cacheAccess(operation: string, namespace: string): AccessRequest[] {
  return one(`baton:${operation}`, '*', namespace ? { 'baton:CacheNamespace': namespace } : undefined);
}

/**
 * The cost routes (`./costs-api.ts`): `baton:GetCosts`, `baton:ListBudgets`, `baton:PutBudget`
 * and `baton:DeleteBudget`, on `*`.
 */
export function costsAccess(operation: string): AccessRequest[] {
  return one(`baton:${operation}`, '*');
}

/**
 * The alarm routes (`./alarms-api.ts`) do what CloudWatch's PutMetricAlarm, DescribeAlarms and
 * DeleteAlarms do, so they are authorized as those, on the alarm's ARN (`*` for a listing).
 */
export function alarmAccess(operation: string, name: string, scope: ArnScope): AccessRequest[] {
  return one(`cloudwatch:${operation}`, name ? alarmArn(scope, name) : '*');
}

export const alarmArn = (scope: ArnScope, name: string) =>
  `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;

/** `GET /admin/v1/metrics`, and a signed `GET /metrics`. */
export const METRICS_ACCESS: readonly AccessRequest[] = Object.freeze(one('baton:GetMetrics', '*'));

/** An update needs the action of each part it changes: code, settings, or both. */
function updateFunction(call: AdminCall, resource: string): AccessRequest[] {
  let keys: string[];
  try {
    keys = Object.keys(call.body());
  } catch {
    keys = [];
  }
  const out: AccessRequest[] = [];
  if (keys.includes('code')) out.push({ action: 'lambda:UpdateFunctionCode', resource });
  if (keys.some((k) => k !== 'code') || out.length === 0)
    out.push({ action: 'lambda:UpdateFunctionConfiguration', resource });
  return out;
}

/**
 * A deploy's `iam:PassRole`, on each role its manifest's functions name. Asked apart, once
 * `baton:DeployApp` is allowed, so that only a deployer makes Baton read the upload.
 */
export function deployPassRoles(call: AdminCall, scope: ArnScope): AccessRequest[] {
  return passes(call, scope, call.manifestRoles?.() ?? []);
}

/** `iam:PassRole` on the roles a route gives functions. */
const passes = (call: AdminCall, scope: ArnScope, roles: readonly unknown[]) =>
  passRole(roles, PASSED_TO.lambda, scope.account, call.roleArn);

const userArn = (scope: ArnScope, name: string) => `arn:aws:iam::${scope.account}:user/${name || '*'}`;

function text(call: AdminCall, key: string): string {
  try {
    const v = call.body()[key];
    return typeof v === 'string' ? v : '';
  } catch {
    return '';
  }
}
