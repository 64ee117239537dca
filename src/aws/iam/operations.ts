import type { Input } from '../../governance/iam/input.ts';
import type { PolicyHolder } from '../../governance/iam/records.ts';
import type { IamService } from '../../governance/iam/service.ts';
import { accessKeyShape, keyMetadataShape, listShape, policyText, roleShape, userShape } from './shapes.ts';
import type { XmlValue } from './xml.ts';

/** One IAM action: its input (form parameters) and the caller's access key id → its result members. */
export type IamOperation = (input: Input, caller: string) => Promise<Record<string, XmlValue>>;

const done = {};

/** The inline-policy actions, the same for users and roles but for the holder's member name. */
function policyOperations(iam: IamService, holder: PolicyHolder, kind: 'User' | 'Role') {
  return {
    [`Put${kind}Policy`]: async (i: Input) => {
      await iam.putPolicy(holder, i);
      return done;
    },
    [`Get${kind}Policy`]: async (i: Input) => {
      const p = iam.getPolicy(holder, i);
      return { [`${kind}Name`]: p.holderName, PolicyName: p.name, PolicyDocument: policyText(p.document) };
    },
    [`Delete${kind}Policy`]: async (i: Input) => {
      await iam.deletePolicy(holder, i);
      return done;
    },
    [`List${kind}Policies`]: async (i: Input) =>
      listShape('PolicyNames', iam.listPolicyNames(holder, i), (n) => n),
  } satisfies Record<string, IamOperation>;
}

/** The IAM actions Baton serves, by name. https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html */
export function iamOperations(iam: IamService): Record<string, IamOperation> {
  return {
    CreateUser: async (i) => ({ User: userShape(await iam.createUser(i)) }),
    GetUser: async (i, caller) => ({ User: userShape(iam.getUser(i, caller)) }),
    DeleteUser: async (i) => {
      await iam.deleteUser(i);
      return done;
    },
    ListUsers: async (i) => listShape('Users', iam.listUsers(i), userShape),
    CreateAccessKey: async (i, caller) => ({
      AccessKey: accessKeyShape(await iam.createAccessKey(i, caller)),
    }),
    DeleteAccessKey: async (i, caller) => {
      await iam.deleteAccessKey(i, caller);
      return done;
    },
    UpdateAccessKey: async (i, caller) => {
      await iam.updateAccessKey(i, caller);
      return done;
    },
    ListAccessKeys: async (i, caller) =>
      listShape('AccessKeyMetadata', iam.listAccessKeys(i, caller), keyMetadataShape),
    CreateRole: async (i) => ({ Role: roleShape(await iam.createRole(i)) }),
    GetRole: async (i) => ({ Role: roleShape(iam.getRole(i)) }),
    DeleteRole: async (i) => {
      await iam.deleteRole(i);
      return done;
    },
    ListRoles: async (i) => listShape('Roles', iam.listRoles(i), roleShape),
    UpdateAssumeRolePolicy: async (i) => {
      await iam.updateAssumeRolePolicy(i);
      return done;
    },
    ...policyOperations(iam, 'user', 'User'),
    ...policyOperations(iam, 'role', 'Role'),
  };
}
