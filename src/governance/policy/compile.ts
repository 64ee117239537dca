import { type ConditionTest, compileCondition } from './conditions.ts';
import {
  type Effect,
  type PolicyDocument,
  type PolicyKind,
  type PolicyStatement,
  parsePolicy,
} from './document.ts';
import type { Decision } from './evaluate.ts';
import { compileNotPrincipal, compilePrincipal, type PrincipalTest } from './principals.ts';
import type { KeyLookup, PatternTest } from './variables.ts';
import { compilePattern, parseTemplate } from './variables.ts';
import { globMatcher, hasWildcard, type Matcher } from './wildcards.ts';

/**
 * Compiling a policy into matchers, once, when it is stored; `evaluate.ts` runs them per request.
 * Pure.
 *
 * - Actions compare lower-cased; `*`, exact names and globs each get their own test.
 * - Statements are indexed by the service prefix their actions can cover (`sqs`, `lambda`;
 *   NotAction and wildcard services are listed under every prefix), and the statements that
 *   cover one action are memoised per action, Deny statements apart, so a request only looks at
 *   the statements that name its action, and looks at Allow statements only when nothing denies.
 * - Resources are ARN globs (`wildcards.ts`), with policy variables in `2012-10-17` documents.
 */

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** The decision this statement makes when it applies, built once: deciding allocates nothing. */
  readonly decision: Decision;
  /** Whether Action (or NotAction) covers a lower-cased `service:Action`. */
  readonly matchesAction: Matcher;
  /** Whether Resource (or NotResource) covers the resource; false when a variable is unresolved. */
  readonly matchesResource: (resource: string, keys: KeyLookup) => boolean;
  /** Principal or NotPrincipal; only resource-based policies have one. */
  readonly principal: PrincipalTest | undefined;
  /** The Condition block, ANDed. */
  readonly conditions: readonly ConditionTest[];
}

/** The statements of one policy that cover one action. */
export interface ActionStatements {
  readonly deny: readonly CompiledStatement[];
  readonly allow: readonly CompiledStatement[];
}

export interface CompiledPolicy {
  /** How decisions name the policy: `alice/ReadQueues`, `queue:orders`. */
  readonly name: string;
  readonly kind: PolicyKind;
  readonly document: PolicyDocument;
  readonly statements: readonly CompiledStatement[];
  /** The statements covering a lower-cased action, in document order. */
  forAction(action: string): ActionStatements;
}

export interface CompileOptions {
  readonly kind: PolicyKind;
  readonly name: string;
  /** Actions whose statement lists are memoised (default 1,024; 0 turns the memo off). */
  readonly actionCache?: number;
}

const always = () => true;

/**
 * Parses (when given text or raw JSON), validates and compiles a policy. A `PolicyDocument` from
 * `parsePolicy` is taken as already validated for `options.kind`.
 * @example
 * const p = compilePolicy(text, { kind: 'identity', name: 'alice/ReadQueues' });
 */
export function compilePolicy(
  source: string | PolicyDocument | unknown,
  options: CompileOptions,
): CompiledPolicy {
  const document = isParsed(source) ? source : parsePolicy(source, options.kind);
  const variables = document.version === '2012-10-17';
  const statements = document.statements.map((s) => compileStatement(s, variables, options));
  return new Policy(options.name, options.kind, document, statements, options.actionCache ?? 1024);
}

const isParsed = (v: unknown): v is PolicyDocument =>
  typeof v === 'object' && v !== null && Array.isArray((v as PolicyDocument).statements);

function compileStatement(
  s: PolicyStatement,
  variables: boolean,
  { name, kind }: CompileOptions,
): CompiledStatement {
  const actions = s.action ?? s.notAction ?? [];
  const matchesAction = actionTest(actions, s.notAction !== undefined);
  const matchesResource = resourceTest(
    s.resource ?? s.notResource ?? [],
    s.notResource !== undefined,
    variables,
  );
  const principal = s.principal
    ? compilePrincipal(s.principal)
    : s.notPrincipal
      ? compileNotPrincipal(s.notPrincipal)
      : undefined;
  const conditions = s.condition.map((c) => compileCondition(c, variables));
  const matched = Object.freeze(s.sid ? { policy: name, sid: s.sid, kind } : { policy: name, kind });
  const decision = Object.freeze({
    decision: s.effect === 'Deny' ? 'ExplicitDeny' : 'Allow',
    matched,
  } as const);
  return { sid: s.sid, effect: s.effect, decision, matchesAction, matchesResource, principal, conditions };
}

function actionTest(patterns: readonly string[], not: boolean): Matcher {
  const lower = patterns.map((p) => p.toLowerCase());
  let test: Matcher;
  if (lower.includes('*')) test = always;
  else {
    const exact = new Set(lower.filter((p) => !hasWildcard(p)));
    const globs = lower.filter(hasWildcard).map(globMatcher);
    test =
      globs.length === 0
        ? (a) => exact.has(a)
        : (a) => {
            if (exact.has(a)) return true;
            for (const g of globs) if (g(a)) return true;
            return false;
          };
  }
  return not ? (a) => !test(a) : test;
}

function resourceTest(
  patterns: readonly string[],
  not: boolean,
  variables: boolean,
): CompiledStatement['matchesResource'] {
  if (!not && patterns.includes('*')) return always;
  const templated = variables && patterns.some((p) => parseTemplate(p) !== undefined);
  const tests: PatternTest[] = patterns.map((p) => compilePattern(p, true, variables));
  if (!not && !templated && tests.length === 1) return tests[0] as (r: string) => boolean;
  return (resource, keys) => {
    let hit = false;
    for (const t of tests) {
      const r = t(resource, keys);
      if (r === undefined) return false; // an unresolved variable: the statement does not apply
      if (r) {
        hit = true;
        if (!templated) break;
      }
    }
    return hit !== not;
  };
}

/** The service prefixes an action pattern can cover, or `undefined` for any. */
function servicesOf(s: PolicyStatement): string[] | undefined {
  if (s.notAction !== undefined) return undefined;
  const out: string[] = [];
  for (const a of s.action ?? []) {
    const colon = a.indexOf(':');
    const service = colon < 0 ? a : a.slice(0, colon);
    if (colon < 0 || hasWildcard(service)) return undefined;
    out.push(service.toLowerCase());
  }
  return out;
}

class Policy implements CompiledPolicy {
  /** Statement positions by service prefix; `anyService` lists those that cover every service. */
  private readonly byService = new Map<string, number[]>();
  private readonly anyService: number[] = [];
  private readonly memo = new Map<string, ActionStatements>();

  constructor(
    readonly name: string,
    readonly kind: PolicyKind,
    readonly document: PolicyDocument,
    readonly statements: readonly CompiledStatement[],
    private readonly memoSize: number,
  ) {
    document.statements.forEach((s, i) => {
      const services = servicesOf(s);
      if (services === undefined) this.anyService.push(i);
      else
        for (const svc of new Set(services)) {
          const list = this.byService.get(svc);
          if (list) list.push(i);
          else this.byService.set(svc, [i]);
        }
    });
  }

  forAction(action: string): ActionStatements {
    const hit = this.memo.get(action);
    if (hit !== undefined) return hit;
    const found = this.scan(action);
    if (this.memoSize > 0) {
      if (this.memo.size >= this.memoSize) this.memo.clear();
      this.memo.set(action, found);
    }
    return found;
  }

  private scan(action: string): ActionStatements {
    const colon = action.indexOf(':');
    const own = this.byService.get(colon < 0 ? action : action.slice(0, colon)) ?? [];
    const deny: CompiledStatement[] = [];
    const allow: CompiledStatement[] = [];
    // Merge the two position lists so that statements keep their document order.
    let i = 0;
    let j = 0;
    while (i < own.length || j < this.anyService.length) {
      const a = own[i] ?? Number.POSITIVE_INFINITY;
      const b = this.anyService[j] ?? Number.POSITIVE_INFINITY;
      const at = a < b ? own[i++]! : this.anyService[j++]!;
      const s = this.statements[at]!;
      if (s.matchesAction(action)) (s.effect === 'Deny' ? deny : allow).push(s);
    }
    return { deny, allow };
  }
}
