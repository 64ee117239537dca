/**
 * A function policy's statements in AWS's format, built from AddPermission's input, and the
 * policy's text as GetPolicy returns it and the authorizer reads it. Pure.
 *
 * - `Principal`: a 12-digit account becomes `{"AWS": "arn:aws:iam::<account>:root"}`, an ARN
 *   `{"AWS": <arn>}`, `*` stays `*`, anything else (`sns.amazonaws.com`) is a service.
 * - `SourceArn` → `ArnLike AWS:SourceArn`, `SourceAccount` → `StringEquals AWS:SourceAccount`,
 *   `PrincipalOrgID` → `StringEquals aws:PrincipalOrgID`, `FunctionUrlAuthType` →
 *   `StringEquals lambda:FunctionUrlAuthType`, `EventSourceToken` →
 *   `StringEquals lambda:EventSourceToken`.
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 * Guarded by `test/governance/resource-policies.test.ts`.
 */
import type { FunctionPolicy } from '../../registry/records.ts';
import { invalid, optString } from './common.ts';

/** AddPermission's members, as the SDK sends them. */
export const ADD_PERMISSION_FIELDS = [
  'StatementId',
  'Action',
  'Principal',
  'SourceArn',
  'SourceAccount',
  'EventSourceToken',
  'RevisionId',
  'PrincipalOrgID',
  'FunctionUrlAuthType',
];

const SID_RE = /^[a-zA-Z0-9_-]{1,100}$/;
const ACTION_RE = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const ACCOUNT_RE = /^\d{12}$/;

const violation = (value: string, member: string, constraint: string) =>
  invalid(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

/** The statement AddPermission adds, checked as Lambda checks it. */
export function permissionStatement(o: Record<string, unknown>, resource: string): Record<string, unknown> {
  const sid = optString(o, 'StatementId', 100);
  if (sid === undefined) throw invalid('StatementId is required');
  if (!SID_RE.test(sid))
    throw violation(sid, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)');
  const action = optString(o, 'Action');
  if (action === undefined) throw invalid('Action is required');
  if (!ACTION_RE.test(action))
    throw violation(
      action,
      'action',
      'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])',
    );
  const principal = optString(o, 'Principal');
  if (principal === undefined || principal === '') throw invalid('Principal is required');
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value !== undefined) condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', optString(o, 'SourceAccount', 12));
  add('StringEquals', 'aws:PrincipalOrgID', optString(o, 'PrincipalOrgID', 34));
  add('StringEquals', 'lambda:EventSourceToken', optString(o, 'EventSourceToken'));
  const urlAuth = optString(o, 'FunctionUrlAuthType');
  if (urlAuth !== undefined && urlAuth !== 'NONE' && urlAuth !== 'AWS_IAM')
    throw violation(urlAuth, 'functionUrlAuthType', 'Member must satisfy enum value set: [AWS_IAM, NONE]');
  add('StringEquals', 'lambda:FunctionUrlAuthType', urlAuth);
  add('ArnLike', 'AWS:SourceArn', optString(o, 'SourceArn', 1024));
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principalElement(principal),
    Action: action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function principalElement(p: string): unknown {
  if (p === '*') return '*';
  if (ACCOUNT_RE.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith('arn:')) return { AWS: p };
  return { Service: p };
}

/** The policy's text, built once per stored record (the authorizer caches by text). */
const texts = new WeakMap<FunctionPolicy, string>();
export function policyText(p: FunctionPolicy): string {
  let text = texts.get(p);
  if (text === undefined) {
    text = JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: p.statements });
    texts.set(p, text);
  }
  return text;
}
