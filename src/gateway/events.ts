import type { LambdaGrant } from './auth.ts';
import {
  apiGatewayTime,
  dict,
  domainOf,
  encodeBody,
  type GatewayRequest,
  headerOf,
  joinedHeaders,
  multiHeaders,
  queryPairs,
} from './request.ts';

/**
 * The events API Gateway HTTP APIs send to a Lambda function: payload format 2.0 (the default)
 * and 1.0 (the REST API shape).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * Guarded by `test/gateway/events.test.ts`.
 */

/** The API the event claims to come from. */
export interface ApiIdentity {
  accountId: string;
  /** Stable per Baton installation (see `apiIdFor`). */
  apiId: string;
  /** For route ARNs (`arn:aws:execute-api:REGION:…`); default `us-east-1`. */
  region?: string;
}

/** What route selection and authorization add to a request. */
export interface RouteInfo {
  /** `GET /items/{id}` or `$default`. */
  routeKey: string;
  /** The route's path template (`/items/{id}`), or `$default`. */
  resourcePath: string;
  pathParameters: Record<string, string> | undefined;
  /** Set when a JWT authorizer let the request through. */
  jwt: { claims: Record<string, unknown>; scopes: string[] | undefined } | undefined;
  /** Set when a Lambda authorizer let the request through. */
  lambda?: LambdaGrant;
}

export function eventV2(req: GatewayRequest, route: RouteInfo, api: ApiIdentity): Record<string, unknown> {
  const { headers, cookies } = joinedHeaders(req.rawHeaders);
  const { domainName, domainPrefix } = domainOf(headers.host);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQuery,
  };
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  if (req.rawQuery !== '') {
    const q = dict<string>();
    for (const [k, v] of queryPairs(req.rawQuery)) {
      const prev = q[k];
      q[k] = prev === undefined ? v : `${prev},${v}`;
    }
    event.queryStringParameters = q;
  }
  if (route.pathParameters) event.pathParameters = route.pathParameters;
  const requestContext: Record<string, unknown> = { accountId: api.accountId, apiId: api.apiId };
  if (route.jwt)
    requestContext.authorizer = { jwt: { claims: route.jwt.claims, scopes: route.jwt.scopes ?? null } };
  else if (route.lambda) requestContext.authorizer = { lambda: route.lambda.context };
  requestContext.domainName = domainName;
  requestContext.domainPrefix = domainPrefix;
  requestContext.http = {
    method: req.method,
    path: req.rawPath,
    protocol: req.protocol,
    sourceIp: req.sourceIp,
    userAgent: headers['user-agent'] ?? '',
  };
  requestContext.requestId = req.requestId;
  requestContext.routeKey = route.routeKey;
  requestContext.stage = '$default';
  requestContext.time = apiGatewayTime(req.timeEpoch);
  requestContext.timeEpoch = req.timeEpoch;
  event.requestContext = requestContext;
  const body = encodeBody(req.body, headers['content-type']);
  if (body.body !== undefined) event.body = body.body;
  event.isBase64Encoded = body.isBase64Encoded;
  return event;
}

export function eventV1(req: GatewayRequest, route: RouteInfo, api: ApiIdentity): Record<string, unknown> {
  const { headers, multi } = multiHeaders(req.rawHeaders);
  const { domainName, domainPrefix } = domainOf(headers.host);
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  if (req.rawQuery !== '') {
    query = dict<string>();
    multiQuery = dict<string[]>();
    for (const [k, v] of queryPairs(req.rawQuery)) {
      query[k] = v;
      const list = multiQuery[k];
      if (list) list.push(v);
      else multiQuery[k] = [v];
    }
  }
  const userAgent = headers['user-agent'] ?? '';
  const body = encodeBody(req.body, headerOf(req.rawHeaders, 'content-type'));
  return {
    version: '1.0',
    resource: route.resourcePath,
    path: req.rawPath,
    httpMethod: req.method,
    headers,
    multiValueHeaders: multi,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      authorizer: route.jwt
        ? { claims: route.jwt.claims, scopes: route.jwt.scopes ?? null }
        : route.lambda
          ? authorizerV1(route.lambda)
          : undefined,
      domainName,
      domainPrefix,
      extendedRequestId: req.requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: req.rawPath,
      protocol: req.protocol,
      requestId: req.requestId,
      requestTime: apiGatewayTime(req.timeEpoch),
      requestTimeEpoch: req.timeEpoch,
      resourceId: route.routeKey,
      resourcePath: route.resourcePath,
      stage: '$default',
    },
    pathParameters: route.pathParameters ?? null,
    stageVariables: null,
    body: body.body ?? null,
    isBase64Encoded: body.isBase64Encoded,
  };
}

/** 1.0 events carry a Lambda authorizer's context as REST APIs do: its keys, and `principalId`. */
function authorizerV1(grant: LambdaGrant): Record<string, unknown> {
  const out: Record<string, unknown> = { ...grant.context };
  if (grant.principalId !== undefined) out.principalId = grant.principalId;
  return out;
}
