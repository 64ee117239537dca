import { type ConditionEntry, validateCondition } from './conditions.ts';
import { MalformedPolicy, malformed } from './errors.ts';
import { type PrincipalSpec, validatePrincipal } from './principals.ts';

/**
 * Parsing and validating AWS JSON policy documents. Pure.
 *
 * Two kinds: identity-based policies (a user's or role's inline policies), which may not name a
 * Principal, and resource-based policies (queue, topic and function policies), which must.
 * The result is normalised: every list is an array, every condition value a string.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * Guarded by `test/governance/policy/parse.test.ts`.
 */

export type PolicyKind = 'identity' | 'resource';
export type Effect = 'Allow' | 'Deny';

/** `2012-10-17` is current; `2008-10-17` (also what a missing Version means) has no variables. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly condition: readonly ConditionEntry[];
}

export interface PolicyDocument {
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);
const VENDOR = /^[A-Za-z0-9*?-]+$/;
const PARTITION = /^(aws(-[a-z]+)*|[a-z0-9*?-]*[*?][a-z0-9*?-]*)$/;
const SID = /^[0-9A-Za-z]*$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a policy document (JSON text, or an already-parsed value) and checks it against IAM's
 * grammar for its kind. Throws `PolicyError` (`MalformedPolicyDocument`).
 * @example
 * parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}', 'identity')
 */
export function parsePolicy(source: string | unknown, kind: PolicyKind): PolicyDocument {
  let doc: unknown = source;
  if (typeof source === 'string') {
    try {
      doc = JSON.parse(source);
    } catch {
      return malformed(MalformedPolicy.syntax);
    }
  }
  if (!isObject(doc)) return malformed(MalformedPolicy.syntax);
  for (const k of Object.keys(doc)) if (!DOCUMENT_KEYS.has(k)) malformed(MalformedPolicy.syntax);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') malformed(MalformedPolicy.syntax);
  if (doc.Id !== undefined && typeof doc.Id !== 'string') malformed(MalformedPolicy.syntax);
  const raw = Array.isArray(doc.Statement) ? doc.Statement : isObject(doc.Statement) ? [doc.Statement] : [];
  if (raw.length === 0) malformed(MalformedPolicy.syntax);
  const statements = raw.map((s) => parseStatement(s, kind));
  const sids = new Set<string>();
  for (const s of statements) {
    if (s.sid === undefined || s.sid === '') continue;
    if (sids.has(s.sid)) malformed(MalformedPolicy.duplicateSid);
    sids.add(s.sid);
  }
  return {
    version: version as PolicyVersion,
    ...(typeof doc.Id === 'string' ? { id: doc.Id } : {}),
    statements,
  };
}

function parseStatement(s: unknown, kind: PolicyKind): PolicyStatement {
  if (!isObject(s)) return malformed(MalformedPolicy.syntax);
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) malformed(MalformedPolicy.syntax);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return malformed(MalformedPolicy.syntax);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') malformed(MalformedPolicy.syntax);
  const sid = s.Sid as string | undefined;

  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) malformed(MalformedPolicy.principalInIdentityPolicy);
  if (kind === 'resource' && !hasPrincipal) malformed(MalformedPolicy.noPrincipal);
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) malformed(MalformedPolicy.syntax);
  if (kind === 'identity' && sid !== undefined && !SID.test(sid))
    malformed(MalformedPolicy.sidNotAlphanumeric);

  const [action, notAction] = exclusive(s.Action, s.NotAction, MalformedPolicy.noActions);
  for (const a of action ?? notAction ?? []) validateAction(a);
  const [resource, notResource] = exclusive(s.Resource, s.NotResource, MalformedPolicy.noResources);
  for (const r of resource ?? notResource ?? []) validateResource(r);
  const principal = s.Principal === undefined ? undefined : parsePrincipal(s.Principal);
  const notPrincipal = s.NotPrincipal === undefined ? undefined : parsePrincipal(s.NotPrincipal);
  const condition = s.Condition === undefined ? [] : parseCondition(s.Condition);

  return {
    ...(sid === undefined ? {} : { sid }),
    effect: s.Effect,
    ...(action ? { action } : {}),
    ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    condition,
  };
}

/** A string or a list of strings. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return malformed(MalformedPolicy.syntax);
}

/** An element and its `Not` form: one of them, non-empty; both is a syntax error. */
function exclusive(a: unknown, notA: unknown, missing: string): [string[]?, string[]?] {
  if (a !== undefined && notA !== undefined) malformed(MalformedPolicy.syntax);
  const list = a !== undefined ? strings(a) : notA !== undefined ? strings(notA) : [];
  if (list.length === 0) malformed(missing);
  return a !== undefined ? [list] : [undefined, list];
}

function validateAction(a: string): void {
  if (a === '*') return;
  const colon = a.indexOf(':');
  if (colon < 0) malformed(MalformedPolicy.noVendor);
  if (a.indexOf(':', colon + 1) >= 0) malformed(MalformedPolicy.twoColons);
  const vendor = a.slice(0, colon);
  if (!VENDOR.test(vendor)) malformed(MalformedPolicy.vendor(vendor));
}

/** IAM's checks on a Resource entry, with its texts (as observed from PutUserPolicy). */
function validateResource(r: string): void {
  if (r === '*') return;
  if (!r.includes(':')) malformed(MalformedPolicy.resourceFormat(r));
  if (r.startsWith('arn:')) {
    const fields = r.slice(4).split(':');
    if (fields.length < 5) malformed(MalformedPolicy.legacyParsing);
    if (!PARTITION.test(fields[0]!)) malformed(MalformedPolicy.partition(fields[0]!, r));
    return;
  }
  // Not an ARN: IAM reads it as one anyway, and names the partition it finds in the second field.
  const t = r.split(':');
  const f = (i: number) => (i < t.length ? (i === 5 ? t.slice(5).join(':') : t[i]!) : '*');
  malformed(MalformedPolicy.partition(f(1), `arn:${f(1)}:${f(2)}:${f(3)}:${f(4)}:${f(5)}`));
}

function parsePrincipal(p: unknown): PrincipalSpec {
  if (p === '*') return '*';
  if (!isObject(p) || Object.keys(p).length === 0) return malformed(MalformedPolicy.syntax);
  const spec: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(p)) spec[type] = strings(values);
  validatePrincipal(spec);
  return spec;
}

function parseCondition(c: unknown): ConditionEntry[] {
  if (!isObject(c)) return malformed(MalformedPolicy.syntax);
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(c)) {
    if (!isObject(block) || Object.keys(block).length === 0) malformed(MalformedPolicy.syntax);
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      if (!key.includes(':')) malformed(MalformedPolicy.noVendor);
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) malformed(MalformedPolicy.syntax);
      const values = list.map((v) =>
        typeof v === 'string'
          ? v
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : malformed(MalformedPolicy.syntax),
      );
      const entry = { operator, key, values };
      validateCondition(entry);
      out.push(entry);
    }
  }
  return out;
}
