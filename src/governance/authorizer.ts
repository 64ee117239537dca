/**
 * Authorization of every signed request: who signed it (root, an IAM user, or a function's role
 * session), their identity-based policies, and the resource's own policy where it has one, decided
 * by the policy engine the way AWS decides within one account. The wire adapters map each
 * operation to the actions and ARNs AWS checks (`src/aws/<service>/access.ts`), call `checkAll`
 * after SigV4 verification and before the operation runs, and turn a denial into their service's
 * own error (`AccessDeniedException`, SQS's `AccessDenied`, SNS's `AuthorizationError` …).
 * Per request: two map lookups, a WeakMap hit for the compiled policies, and the evaluation; no
 * policy is parsed or compiled on the request path once cached.
 * Guarded by `test/governance/authorization.test.ts`.
 */
import type { Principal } from './iam/principals.ts';
import { requestPrincipal } from './iam/principals.ts';
import {
  accessDeniedMessage,
  type CompiledPolicy,
  compilePolicy,
  type Decision,
  evaluate,
  type RequestContext,
  type RequestPrincipal,
  roleSessionPrincipal,
} from './policy/index.ts';

/** What a signed request asks to do. */
export interface AccessRequest {
  /** `service:Action`, e.g. `sqs:SendMessage`. */
  action: string;
  /** The resource's ARN, or `*`. */
  resource: string;
  /** Extra condition keys (`aws:SourceArn`, service keys). */
  context?: RequestContext;
  /** The resource's policy document (queue, topic or function policy), as stored. */
  resourcePolicy?: string;
}

/** The principal behind an access key: a root or user key, or a function's role session. */
export interface Caller {
  principal: RequestPrincipal;
  /** Whose identity-based policies apply. */
  holder: Principal;
}

export interface AuthorizerDeps {
  accountId: string;
  /** The principal of an access key; undefined for an unknown or inactive key. */
  principalOf(accessKeyId: string): Caller | undefined;
  /** Inline policy documents of a user or role (the same array until they change). */
  policiesOf(holder: Principal): readonly string[];
  now(): number;
}

/**
 * A denied request, with AWS's message. The wire adapters map it to their own error code; those
 * whose service spells the action its own way in the message (SQS `sqs:sendmessage`, SNS
 * `SNS:Publish`) rebuild it with `messageFor`.
 */
export class AccessDenied extends Error {
  override readonly name = 'AccessDenied';
  constructor(
    message: string,
    readonly decision: Decision,
    /** The caller's ARN, the action and the resource that were denied (absent for an unknown key). */
    readonly denied?: { principal: string; action: string; resource: string },
  ) {
    super(message);
  }

  /** The message with the action spelled as the service spells it. */
  messageFor(action: (a: string) => string): string {
    const d = this.denied;
    if (!d || this.decision.decision === 'Allow') return this.message;
    return accessDeniedMessage(d.principal, action(d.action), d.resource, this.decision);
  }
}

export function isAccessDenied(e: unknown): e is AccessDenied {
  return e instanceof AccessDenied;
}

/** A role session's caller (function credentials). */
export function roleCaller(
  accountId: string,
  holder: Extract<Principal, { kind: 'role' }>,
  session: string,
): Caller {
  return { principal: roleSessionPrincipal(accountId, holder.role.name, session, holder.role.id), holder };
}

/** A root or user key's caller. */
export function keyCaller(accountId: string, holder: Extract<Principal, { kind: 'root' | 'user' }>): Caller {
  return { principal: requestPrincipal(holder, accountId), holder };
}

const NONE: readonly CompiledPolicy[] = Object.freeze([]);

export class Authorizer {
  /** Compiled policies by the document arrays `policiesOf` hands out. */
  readonly #compiled = new WeakMap<readonly string[], CompiledPolicy[]>();
  readonly #resourcePolicies = new Map<string, CompiledPolicy | null>();

  constructor(private readonly deps: AuthorizerDeps) {}

  /** Decides a request; throws AccessDenied unless it is allowed. */
  check(accessKeyId: string, request: AccessRequest): void {
    this.checkCaller(this.#caller(accessKeyId), request);
  }

  #caller(accessKeyId: string): Caller {
    const caller = this.deps.principalOf(accessKeyId);
    if (caller) return caller;
    // SigV4 verification found the key, so it was revoked in between: deny.
    throw new AccessDenied('The security token included in the request is invalid.', {
      decision: 'ImplicitDeny',
    });
  }

  /**
   * Decides every request of one call (a batch may touch several tables, a transaction several
   * actions); throws AccessDenied for the first that is not allowed. `context` holds the keys of
   * the HTTP request (`aws:SourceIp` …) and is merged under each request's own keys.
   */
  checkAll(accessKeyId: string, requests: readonly AccessRequest[], context?: RequestContext): void {
    const caller = this.#caller(accessKeyId);
    for (const r of requests)
      this.#check(caller, r, context && r.context ? { ...context, ...r.context } : (r.context ?? context));
  }

  /** Decides a request of a known caller; throws AccessDenied unless it is allowed. */
  checkCaller(caller: Caller, request: AccessRequest): void {
    this.#check(caller, request, request.context);
  }

  decide(caller: Caller, request: AccessRequest, context = request.context): Decision {
    const isRoot = caller.holder.kind === 'root';
    // One object shape for every call, no spreads: this runs on every request.
    return evaluate({
      principal: caller.principal,
      action: request.action,
      resource: request.resource,
      context,
      identityPolicies: isRoot ? NONE : this.#identity(caller.holder),
      resourcePolicy:
        request.resourcePolicy === undefined ? undefined : this.#resource(request.resourcePolicy),
      isRoot,
      now: this.deps.now(),
    });
  }

  #check(caller: Caller, request: AccessRequest, context: RequestContext | undefined): void {
    const decision = this.decide(caller, request, context);
    if (decision.decision === 'Allow') return;
    const principal = caller.principal.arn;
    const { action, resource } = request;
    const message = accessDeniedMessage(principal, action, resource, decision);
    // A denial is an answer, not a fault: its stack is of no use, and capturing it costs more
    // than the whole decision (bench/authorize.ts).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      throw new AccessDenied(message, decision, { principal, action, resource });
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  #identity(holder: Principal): CompiledPolicy[] {
    const docs = this.deps.policiesOf(holder);
    let compiled = this.#compiled.get(docs);
    if (!compiled) {
      compiled = docs.map((d, i) => compilePolicy(d, { kind: 'identity', name: `inline-${i}` }));
      this.#compiled.set(docs, compiled);
    }
    return compiled;
  }

  /**
   * A resource policy, compiled once per text. One that does not compile (a queue's `Policy`
   * attribute is stored as any JSON) is weighed as absent: it neither grants nor denies.
   */
  #resource(text: string): CompiledPolicy | undefined {
    let compiled = this.#resourcePolicies.get(text);
    if (compiled === undefined) {
      try {
        compiled = compilePolicy(text, { kind: 'resource', name: 'resource-policy' });
      } catch {
        compiled = null;
      }
      if (this.#resourcePolicies.size > 10_000) this.#resourcePolicies.clear();
      this.#resourcePolicies.set(text, compiled);
    }
    return compiled ?? undefined;
  }
}
