import { type RequestPrincipal, rootPrincipal } from '../policy/index.ts';
import type { Role, User } from './records.ts';

/** Who signed a request, by its access key (`IamService.principalOf`). */
export type KeyPrincipal = { kind: 'root' } | { kind: 'user'; user: User };

/** Whose identity-based policies apply (`IamService.policiesOf`): a user's, a role's, or none (root). */
export type Principal = KeyPrincipal | { kind: 'role'; role: Role };

/**
 * The policy engine's view of a key's principal: the root account, or the user with its path in
 * its ARN and its unique id as `aws:userid`.
 */
export function requestPrincipal(p: KeyPrincipal, account: string): RequestPrincipal {
  if (p.kind === 'root') return rootPrincipal(account);
  return { type: 'User', arn: p.user.arn, account, userId: p.user.id };
}
