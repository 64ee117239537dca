import type { LambdaAuthSpec } from './auth.ts';
import { type ApiIdentity, eventV1, eventV2, type RouteInfo } from './events.ts';
import { type GatewayRequest, queryPairs } from './request.ts';

/**
 * The events API Gateway HTTP APIs send to a Lambda authorizer: the route's request, without its
 * body, as a `REQUEST` event in payload format 2.0 or 1.0.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * Guarded by `test/gateway/lambda-authorizer.test.ts`.
 */

/** `arn:aws:execute-api:us-east-1:000000000000:r3pmxmplak/$default/GET/items/42`. */
export function routeArn(api: ApiIdentity, method: string, rawPath: string): string {
  return `arn:aws:execute-api:${api.region ?? 'us-east-1'}:${api.accountId}:${api.apiId}/$default/${method}${rawPath}`;
}

/**
 * The values of the identity sources, in order; undefined when one is missing or empty (the
 * gateway then answers 401 without invoking the authorizer). Repeated headers or query
 * parameters are joined with commas, as the 2.0 event joins them.
 */
export function identityValues(
  sources: readonly string[],
  rawHeaders: readonly string[],
  rawQuery: string,
): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const [, kind, name] = source.split('.', 3) as [string, string, string];
    const found: string[] = [];
    if (kind === 'header') {
      const lower = name.toLowerCase();
      for (let i = 0; i < rawHeaders.length; i += 2)
        if (rawHeaders[i]!.toLowerCase() === lower) found.push(rawHeaders[i + 1]!);
    } else for (const [k, v] of queryPairs(rawQuery)) if (k === name) found.push(v);
    const value = found.join(',');
    if (value === '') return undefined;
    values.push(value);
  }
  return values;
}

/** The authorizer's event, for its payload format. */
export function authorizerEvent(
  spec: LambdaAuthSpec,
  req: GatewayRequest,
  route: RouteInfo,
  api: ApiIdentity,
  arn: string,
  identity: readonly string[],
): Record<string, unknown> {
  const bodiless = { ...req, body: undefined };
  if (spec.payloadFormatVersion === '2.0') {
    const { version: _v, body: _b, isBase64Encoded: _i, ...rest } = eventV2(bodiless, route, api);
    return { version: '2.0', type: 'REQUEST', routeArn: arn, identitySource: identity, ...rest };
  }
  const { version: _v, body: _b, isBase64Encoded: _i, ...rest } = eventV1(bodiless, route, api);
  const joined = identity.join(',');
  return {
    version: '1.0',
    type: 'REQUEST',
    methodArn: arn,
    identitySource: joined,
    authorizationToken: joined,
    ...rest,
  };
}
