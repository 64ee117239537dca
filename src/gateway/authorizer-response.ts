import {
  type CompiledPolicy,
  compilePolicy,
  evaluate,
  isPolicyError,
  userPrincipal,
} from '../governance/policy/index.ts';
import type { LambdaGrant } from './auth.ts';

/**
 * What a Lambda authorizer answered, checked once and cached as is: a simple response
 * (`{ isAuthorized, context }`), or an IAM policy response, its policy compiled. A cached policy
 * is evaluated again for each request's route ARN, as API Gateway applies a cached policy to
 * every route that shares the authorizer. Pure.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * Guarded by `test/gateway/lambda-authorizer.test.ts`.
 */
export type AuthorizerResponse =
  | { kind: 'simple'; isAuthorized: boolean; context: Record<string, unknown> }
  | {
      kind: 'policy';
      principalId: string | undefined;
      policy: CompiledPolicy;
      context: Record<string, unknown>;
    };

/** The only action an authorizer's policy is asked about. */
const INVOKE = 'execute-api:Invoke';

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the authorizer function's result (its JSON payload). Returns why it is malformed as a
 * string: the gateway then answers 500, as API Gateway does.
 */
export function parseAuthorizerResponse(payload: string, simple: boolean): AuthorizerResponse | string {
  let r: unknown;
  try {
    r = JSON.parse(payload);
  } catch {
    return 'the result is not JSON';
  }
  if (!isMapping(r)) return 'the result is not an object';
  const context = r.context ?? {};
  if (!isMapping(context)) return '"context" is not an object';
  if (simple) {
    if (typeof r.isAuthorized !== 'boolean') return '"isAuthorized" is not true or false';
    return { kind: 'simple', isAuthorized: r.isAuthorized, context };
  }
  if (r.principalId !== undefined && typeof r.principalId !== 'string')
    return '"principalId" is not a string';
  if (!isMapping(r.policyDocument)) return '"policyDocument" is missing';
  try {
    const policy = compilePolicy(r.policyDocument, {
      kind: 'identity',
      name: 'lambda-authorizer',
      actionCache: 0,
    });
    return { kind: 'policy', principalId: r.principalId, policy, context };
  } catch (e) {
    if (isPolicyError(e)) return `"policyDocument" is not a policy: ${e.message}`;
    throw e;
  }
}

/**
 * Whether the response lets the request reach its route: `isAuthorized`, or a policy that allows
 * `execute-api:Invoke` on the route ARN (an explicit Deny wins; no statement is a deny).
 * Returns what the route's event gets, or undefined for 403.
 */
export function grantFor(
  response: AuthorizerResponse,
  routeArn: string,
  accountId: string,
): LambdaGrant | undefined {
  if (response.kind === 'simple') return response.isAuthorized ? { context: response.context } : undefined;
  const decision = evaluate({
    principal: userPrincipal(accountId, 'lambda-authorizer'),
    isRoot: false,
    action: INVOKE,
    resource: routeArn,
    identityPolicies: [response.policy],
  });
  if (decision.decision !== 'Allow') return undefined;
  return response.principalId === undefined
    ? { context: response.context }
    : { context: response.context, principalId: response.principalId };
}
