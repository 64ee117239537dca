import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Authenticate } from '../aws/auth.ts';
import { iamApi } from '../aws/iam/router.ts';
import type { Backends } from '../backends/index.ts';
import type { Clock } from '../core/clock.ts';
import type { AccessKeys } from '../governance/access-keys.ts';
import { IamService } from '../governance/iam/service.ts';
import type { Credentials } from './credentials.ts';
import type { RequestTarget } from './http-io.ts';

export interface ComposedIam {
  /** Root and IAM users' keys, for SigV4 verification and the admin API's `/access-keys`. */
  accessKeys: AccessKeys;
  /** Users, roles, inline policies; `principalOf` and `policiesOf` for authorization. */
  service: IamService;
  /** The IAM API (awsQuery, signed for `iam`) as a control-plane route. */
  api(
    authenticate: Authenticate,
    log: Logger,
  ): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>;
}

/** IAM and the access keys it shares with the admin API, over the server's backends. */
export async function composeIam(deps: {
  backends: Backends;
  credentials: Credentials;
  clock: Clock;
  accountId: string;
}): Promise<ComposedIam> {
  const service = await IamService.open({
    backend: deps.backends.iam,
    keyBackend: deps.backends.accessKeys,
    root: deps.credentials,
    clock: deps.clock,
    accountId: deps.accountId,
  });
  return {
    accessKeys: service.accessKeys,
    service,
    api: (authenticate, log) => iamApi({ iam: service, authenticate, log }),
  };
}
