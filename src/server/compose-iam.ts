import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type Authorize, authorizeWith } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import { iamApi } from '../aws/iam/router.ts';
import type { SessionSecret } from '../aws/sigv4.ts';
import type { Backends } from '../backends/index.ts';
import type { Clock } from '../core/clock.ts';
import type { AccessKeys } from '../governance/access-keys.ts';
import { Authorizer, type Caller, keyCaller } from '../governance/authorizer.ts';
import type { FunctionRoles } from '../governance/function-roles.ts';
import type { User } from '../governance/iam/records.ts';
import { IamService } from '../governance/iam/service.ts';
import type { Credentials } from './credentials.ts';
import type { RequestTarget } from './http-io.ts';

export interface ComposedIam {
  /** Root and IAM users' keys, for SigV4 verification and the admin API's `/access-keys`. */
  accessKeys: AccessKeys;
  /** Users, roles, inline policies; `principalOf` and `policiesOf` for authorization. */
  service: IamService;
  /** Decides every signed request against the signer's policies (root: everything). */
  authorizer: Authorizer;
  /** The routes' authorization step over `authorizer`. */
  authorize: Authorize;
  /** Users' and roles' ARNs by name, path and all, when they exist (actions on them, `iam:PassRole`). */
  lookups: {
    userArn(name: string): string | undefined;
    roleArn(name: string): string | undefined;
  };
  /** The secret of a root or user key, or of a function's session key, for SigV4 verification. */
  secretFor(accessKeyId: string): string | SessionSecret | undefined;
  /** The IAM API (awsQuery, signed for `iam`) as a control-plane route. */
  api(
    authenticate: Authenticate,
    authorize: Authorize,
    log: Logger,
  ): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>;
}

/** IAM and the access keys it shares with the admin API, over the server's backends. */
export async function composeIam(deps: {
  backends: Backends;
  credentials: Credentials;
  clock: Clock;
  accountId: string;
  /** Function session keys: their secrets, callers and (for roleless functions) policies. */
  functionRoles?: FunctionRoles;
}): Promise<ComposedIam> {
  const service = await IamService.open({
    backend: deps.backends.iam,
    keyBackend: deps.backends.accessKeys,
    root: deps.credentials,
    clock: deps.clock,
    accountId: deps.accountId,
  });
  const { accountId } = deps;
  const root = keyCaller(accountId, { kind: 'root' });
  // One caller per user object: IamService replaces the object when the user changes.
  const callers = new WeakMap<User, Caller>();
  const authorizer = new Authorizer({
    accountId,
    principalOf: (accessKeyId) => {
      const session = deps.functionRoles?.callerOf(accessKeyId, service);
      if (session) return session;
      const p = service.principalOf(accessKeyId);
      if (p?.kind !== 'user') return p && root;
      let caller = callers.get(p.user);
      if (!caller) {
        caller = keyCaller(accountId, p);
        callers.set(p.user, caller);
      }
      return caller;
    },
    policiesOf: (holder) => deps.functionRoles?.policiesOf(holder) ?? service.policiesOf(holder),
    now: () => deps.clock.now(),
  });
  return {
    accessKeys: service.accessKeys,
    service,
    authorizer,
    authorize: authorizeWith(authorizer),
    lookups: {
      userArn: (name) => service.user(name)?.arn,
      roleArn: (name) => service.role(name)?.arn,
    },
    secretFor: (id) => deps.functionRoles?.secretFor(id) ?? service.accessKeys.secretFor(id),
    api: (authenticate, authorize, log) => iamApi({ iam: service, authenticate, authorize, accountId, log }),
  };
}
