/**
 * The IAM action and resource of each IAM API operation, from its form parameters. Pure, given
 * the lookups of users' and roles' paths.
 *
 * A user's operations (its keys and inline policies included) act on the user's ARN, path and
 * all (`arn:aws:iam::<account>:user/eng/alice`); without UserName, the caller's own ARN (GetUser,
 * the access-key operations). Roles likewise. CreateUser and CreateRole act on the ARN the new
 * entity will have; ListUsers and ListRoles on their PathPrefix (`…:user/`, as IAM names them in
 * its messages). IAM is global: its ARNs have no region.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import type { Input } from '../../governance/iam/input.ts';
import { one } from '../access.ts';

export interface IamLookups {
  account: string;
  /** A user's ARN, if the user exists. */
  userArn(name: string): string | undefined;
  roleArn(name: string): string | undefined;
  /** The ARN of the user (or the root) that an access key belongs to. */
  callerArn(accessKeyId: string): string | undefined;
}

const ON_CALLER = new Set([
  'GetUser',
  'CreateAccessKey',
  'DeleteAccessKey',
  'UpdateAccessKey',
  'ListAccessKeys',
]);

export function iamAccess(
  operation: string,
  input: Input,
  caller: string,
  lookups: IamLookups,
): AccessRequest[] {
  const action = `iam:${operation}`;
  const arn = (kind: 'user' | 'role', name: string | undefined, path?: string) =>
    `arn:aws:iam::${lookups.account}:${kind}${path ?? '/'}${name ?? '*'}`;
  switch (operation) {
    case 'CreateUser':
      return one(action, arn('user', input.UserName, input.Path));
    case 'CreateRole':
      return one(action, arn('role', input.RoleName, input.Path));
    case 'ListUsers':
      return one(action, arn('user', '', input.PathPrefix));
    case 'ListRoles':
      return one(action, arn('role', '', input.PathPrefix));
  }
  const user = input.UserName;
  if (user !== undefined) return one(action, lookups.userArn(user) ?? arn('user', user));
  if (ON_CALLER.has(operation)) return one(action, lookups.callerArn(caller) ?? arn('user', undefined));
  if (/Role/.test(operation)) {
    const role = input.RoleName;
    return one(action, (role !== undefined && lookups.roleArn(role)) || arn('role', role));
  }
  return one(action, arn('user', undefined));
}
