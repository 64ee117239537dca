import type { AccessKey } from '../../governance/access-keys.ts';
import type { Page } from '../../governance/iam/input.ts';
import type { Role } from '../../governance/iam/records.ts';
import type { KeyView, UserView } from '../../governance/iam/service.ts';
import { awsUriEscape } from '../sigv4.ts';
import type { XmlValue } from './xml.ts';

/**
 * Baton's IAM records in the API's output shapes, members in the model's order. Policy
 * documents go out URL-encoded (RFC 3986), as IAM sends them; boto3 and the AWS CLI decode them,
 * the JavaScript SDK hands them over as sent.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
 */

export const policyText = (document: string): string => awsUriEscape(document);

export const userShape = (u: UserView): XmlValue => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: u.arn,
  CreateDate: new Date(u.createdAt),
});

export const roleShape = (r: Role): XmlValue => ({
  Path: r.path,
  RoleName: r.name,
  RoleId: r.id,
  Arn: r.arn,
  CreateDate: new Date(r.createdAt),
  AssumeRolePolicyDocument: policyText(r.assumeRolePolicyDocument),
  Description: r.description,
  MaxSessionDuration: r.maxSessionDuration,
});

export const accessKeyShape = (k: AccessKey): XmlValue => ({
  UserName: k.name,
  AccessKeyId: k.accessKeyId,
  Status: k.status ?? 'Active',
  SecretAccessKey: k.secretAccessKey,
  CreateDate: new Date(k.createdAt),
});

export const keyMetadataShape = (k: KeyView): XmlValue => ({
  UserName: k.userName,
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: new Date(k.createdAt),
});

/** A list answer: the list member, `IsTruncated`, and `Marker` when there is more. */
export function listShape<T>(
  member: string,
  p: Page<T>,
  shape: (item: T) => XmlValue,
): Record<string, XmlValue> {
  return { [member]: p.items.map(shape), IsTruncated: p.truncated, Marker: p.marker };
}
