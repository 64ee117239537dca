import {
  checkInlinePolicySize,
  checkTrustPolicySize,
  isPolicyError,
  MalformedPolicy,
  type PolicyHolder,
  parsePolicy,
} from '../policy/index.ts';
import { IamError } from './errors.ts';

/**
 * The checks IAM makes on the documents it stores: identity-based inline policies (through the
 * policy engine's grammar), role trust policies, and the size quotas. Engine errors become
 * `IamError`s with the same code and IAM's text.
 */

function asIamError(e: unknown): never {
  if (isPolicyError(e)) throw new IamError(e.code, e.message);
  throw e;
}

/** An inline policy of a user or role: identity-based, so it names no Principal. */
export function validateIdentityPolicy(text: string): void {
  try {
    parsePolicy(text, 'identity');
  } catch (e) {
    asIamError(e);
  }
}

/** The actions a trust policy may grant (the STS calls that act on a role). */
const TRUST_ACTIONS = new Set(
  [
    'sts:AssumeRole',
    'sts:AssumeRoleWithSAML',
    'sts:AssumeRoleWithWebIdentity',
    'sts:TagSession',
    'sts:SetSourceIdentity',
    'sts:SetContext',
  ].map((a) => a.toLowerCase()),
);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A role's trust policy: a resource-based policy on the role, so each statement names a
 * Principal; it names no Resource (the role is the resource), and its actions are STS's.
 * The engine checks the rest of the grammar: each statement is given `"Resource": "*"` for that.
 */
export function validateTrustPolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new IamError('MalformedPolicyDocument', MalformedPolicy.syntax);
  }
  if (!isObject(doc)) throw new IamError('MalformedPolicyDocument', MalformedPolicy.syntax);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements)
    if (isObject(s) && (s.Resource !== undefined || s.NotResource !== undefined))
      throw new IamError('MalformedPolicyDocument', 'Has prohibited field Resource.');
  const withResource = statements.map((s) => (isObject(s) ? { ...s, Resource: '*' } : s));
  let parsed: ReturnType<typeof parsePolicy>;
  try {
    parsed = parsePolicy({ ...doc, Statement: withResource }, 'resource');
  } catch (e) {
    asIamError(e);
  }
  for (const s of parsed.statements)
    for (const a of s.action ?? s.notAction ?? [])
      if (!TRUST_ACTIONS.has(a.toLowerCase()))
        throw new IamError(
          'MalformedPolicyDocument',
          'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity',
        );
}

/** The sum of a holder's inline policies against IAM's quota (2048 characters for a user, 10240 for a role). */
export function checkInlineSize(holder: PolicyHolder, name: string, documents: readonly string[]): void {
  try {
    checkInlinePolicySize(holder, name, documents);
  } catch (e) {
    asIamError(e);
  }
}

/** A trust policy against IAM's 2048-character quota. */
export function checkTrustSize(text: string): void {
  try {
    checkTrustPolicySize(text);
  } catch (e) {
    asIamError(e);
  }
}
