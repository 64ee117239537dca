/**
 * The IAM action and resource of each Lambda API operation. Pure.
 *
 * Function operations act on `arn:aws:lambda:<region>:<account>:function:<name>`. Those that take
 * a qualifier (Invoke, GetFunction, GetFunctionConfiguration, DeleteFunction and the event-invoke
 * configuration) act on the qualified ARN (`function:<name>:<qualifier>`) when the call names a
 * version or alias, in its FunctionName or `Qualifier`: a policy on the unqualified ARN then does
 * not cover it, as on AWS (grant `function:<name>:*` for every version and alias). Alias and
 * version management acts on the unqualified function. Event source mappings are
 * `…:event-source-mapping:<uuid>`, with `lambda:FunctionArn` for conditions; CreateEventSourceMapping,
 * ListEventSourceMappings, ListFunctions and GetAccountSettings act on `*`. AddPermission,
 * RemovePermission and GetPolicy act on the qualified ARN too: each qualifier has its own policy.
 * A call on a function carries the policy of the ARN it acts on (`functionPolicyOf`).
 * CreateFunction and UpdateFunctionConfiguration with a `Role` also need `iam:PassRole` on it, with
 * `iam:PassedToService` `lambda.amazonaws.com`, after their own action (`passRole`).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, member, one, PASSED_TO, passRole, type RoleArnLookup } from '../access.ts';
import { parseFunctionRef } from './names.ts';

/** What the mapping reads of a call. */
export interface LambdaCall {
  /**
   * The path's first parameter: a function name as sent (a name, a partial or full ARN, maybe
   * with `:qualifier`), or an event source mapping's UUID.
   */
  name: string;
  /** The `Qualifier` query parameter. */
  qualifier: string | undefined;
  /** The JSON body, parsed on demand (only CreateFunction and CreateEventSourceMapping read it). */
  body(): Record<string, unknown>;
  /** The function ARN an event source mapping invokes, if it exists. */
  mappingFunction(uuid: string): string | undefined;
  /** The ARN of the IAM role a bare `Role` name names, for `iam:PassRole`. */
  roleArn?: RoleArnLookup;
}

const NO_RESOURCE = new Set(['ListFunctions', 'GetAccountSettings', 'ListEventSourceMappings']);
const QUALIFIED = new Set([
  'InvokeFunction',
  'GetFunction',
  'GetFunctionConfiguration',
  'DeleteFunction',
  'PutFunctionEventInvokeConfig',
  'UpdateFunctionEventInvokeConfig',
  'GetFunctionEventInvokeConfig',
  'DeleteFunctionEventInvokeConfig',
  'AddPermission',
  'RemovePermission',
  'GetPolicy',
]);

export function lambdaAccess(operation: string, call: LambdaCall, scope: ArnScope): AccessRequest[] {
  const action = `lambda:${operation}`;
  if (NO_RESOURCE.has(operation)) return one(action, '*');
  const fn = (raw: string, qualifier?: string) => functionArn(scope, raw, qualifier);
  switch (operation) {
    case 'CreateFunction':
      return [...one(action, fn(bodyMember(call, 'FunctionName'))), ...passedRole(call, scope)];
    case 'UpdateFunctionConfiguration':
      return [...one(action, fn(call.name)), ...passedRole(call, scope)];
    case 'CreateEventSourceMapping':
      return one(action, '*', { 'lambda:FunctionArn': fn(bodyMember(call, 'FunctionName'), '') });
    case 'GetEventSourceMapping':
    case 'UpdateEventSourceMapping':
    case 'DeleteEventSourceMapping': {
      const resource = `arn:aws:lambda:${scope.region}:${scope.account}:event-source-mapping:${call.name}`;
      const target = call.mappingFunction(call.name);
      return one(action, resource, target === undefined ? undefined : { 'lambda:FunctionArn': target });
    }
    default:
      return one(action, QUALIFIED.has(operation) ? fn(call.name, call.qualifier ?? '') : fn(call.name));
  }
}

/**
 * A function's ARN in Baton's scope. `qualifier`: undefined for the unqualified ARN; a string
 * (possibly empty) to keep the name's own qualifier, or that one when the name has none.
 */
export function functionArn(scope: ArnScope, raw: string, qualifier?: string): string {
  let name = raw;
  let own: string | undefined;
  try {
    ({ name, qualifier: own } = parseFunctionRef(raw));
  } catch {
    // An invalid name fails the operation right after; authorize it as written.
  }
  const q = qualifier === undefined ? undefined : own || qualifier || undefined;
  return `arn:aws:lambda:${scope.region}:${scope.account}:function:${name || '*'}${q ? `:${q}` : ''}`;
}

/** `iam:PassRole` on the body's `Role`, when it has one. */
function passedRole(call: LambdaCall, scope: ArnScope): AccessRequest[] {
  const role = bodyMember(call, 'Role');
  return role ? passRole([role], PASSED_TO.lambda, scope.account, call.roleArn) : [];
}

function bodyMember(call: LambdaCall, key: string): string {
  try {
    return member(call.body(), key) ?? '';
  } catch {
    return '';
  }
}

/**
 * The stored policy of the function (or version, or alias) an ARN in Baton's scope names, for
 * `withResourcePolicies`; undefined for other ARNs (event source mappings, other accounts).
 */
export function functionPolicyOf(
  scope: ArnScope,
  policyOf: (name: string, qualifier: string) => string | undefined,
): (resource: string) => string | undefined {
  const prefix = `arn:aws:lambda:${scope.region}:${scope.account}:function:`;
  return (resource) => {
    if (!resource.startsWith(prefix)) return undefined;
    const rest = resource.slice(prefix.length);
    const colon = rest.indexOf(':');
    return colon < 0 ? policyOf(rest, '') : policyOf(rest.slice(0, colon), rest.slice(colon + 1));
  };
}
