// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:username}` is an IAM policy variable, written in a plain string on purpose.
/**
 * The world `test/governance/authorization.test.ts` checks access in: one server, the real SDK
 * clients of every service for a set of credentials, the resources the root makes first, and the
 * users' policies.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { signRequest } from '../../src/aws/sigv4-sign.ts';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Every service's client for one set of credentials, plus signed fetches for the other protocols. */
export function clientsFor(endpoint: string, credentials: Credentials) {
  const config = { endpoint, region: REGION, credentials, maxAttempts: 1 };
  /** A signed request to the admin API (`baton`) or a form post in the query protocol (`sqs`). */
  const signed = async (service: string, method: string, path: string, body = '') => {
    const url = new URL(`${endpoint}${path}`);
    const given: Record<string, string> = body ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
    if (service === 'baton' && body) given['content-type'] = 'application/json';
    const headers = signRequest(method, url, given, body, credentials, {
      region: REGION,
      service,
      now: Date.now(),
    });
    delete headers.host;
    const res = await fetch(url, { method, headers, ...(body ? { body } : {}) });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), text: await res.text() };
  };
  return {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    events: new EventBridgeClient(config),
    scheduler: new SchedulerClient(config),
    dynamodb: new DynamoDBClient(config),
    streams: new DynamoDBStreamsClient(config),
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
    admin: (method: string, path: string, body?: string) =>
      signed('baton', method, `/admin/v1/${path}`, body),
    sqsQuery: (params: Record<string, string>) =>
      signed('sqs', 'POST', '/', new URLSearchParams({ Version: '2012-11-05', ...params }).toString()),
    destroy() {
      for (const c of [
        this.sqs,
        this.sns,
        this.events,
        this.scheduler,
        this.dynamodb,
        this.streams,
        this.lambda,
      ])
        c.destroy();
      this.iam.destroy();
    },
  };
}

export type Clients = ReturnType<typeof clientsFor>;

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource: string, condition?: object) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

/** Alice may do a little of everything, on named resources only. */
export const ALICE_POLICY = doc([
  allow(['sqs:SendMessage', 'sqs:GetQueueUrl'], 'arn:aws:sqs:*:*:jobs'),
  allow('sns:Publish', 'arn:aws:sns:*:*:news'),
  allow('events:PutEvents', 'arn:aws:events:*:*:event-bus/default'),
  allow('scheduler:GetSchedule', 'arn:aws:scheduler:*:*:schedule/default/*'),
  allow(
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
    'arn:aws:dynamodb:*:*:table/items',
  ),
  allow('dynamodb:Query', 'arn:aws:dynamodb:*:*:table/items/index/*'),
  allow('dynamodb:DescribeStream', 'arn:aws:dynamodb:*:*:table/items/stream/*'),
  allow('lambda:InvokeFunction', 'arn:aws:lambda:*:*:function:echo'),
  allow('iam:GetUser', 'arn:aws:iam::*:user/${aws:username}'),
  allow('logs:FilterLogEvents', 'arn:aws:logs:*:*:log-group:/aws/lambda/echo:*'),
  allow('baton:CacheGet', '*', { StringEquals: { 'baton:CacheNamespace': '${aws:username}' } }),
]);

/** Carol: broad Allows cut by explicit Denys, and Allows that hold only under a Condition. */
export const CAROL_POLICY = doc([
  allow('sqs:*', 'arn:aws:sqs:*:*:audit-*'),
  { Effect: 'Deny', Action: ['sqs:DeleteQueue', 'sqs:PurgeQueue'], Resource: 'arn:aws:sqs:*:*:audit-*' },
  allow('sqs:GetQueueAttributes', '*', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }),
  allow('sqs:ListQueues', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
  allow('sns:Subscribe', 'arn:aws:sns:*:*:news', {
    StringLike: { 'sns:Endpoint': 'arn:aws:sqs:*:*:audit-*' },
  }),
  allow('dynamodb:*', 'arn:aws:dynamodb:*:*:table/*'),
  { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' },
]);

/** AWS's access-denied message; `action` as the service spells it. */
export function deniedMessage(
  user: string,
  action: string,
  resource: string,
  why: 'implicit' | 'explicit' = 'implicit',
): string {
  const head = `User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: ${action} on resource: ${resource}`;
  return why === 'implicit'
    ? `${head} because no identity-based policy allows the ${action} action`
    : `${head} with an explicit deny in an identity-based policy`;
}

/** ARNs in the test's account and region. */
export const arn = {
  queue: (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
  topic: (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`,
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  fn: (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  events: (rest: string) => `arn:aws:events:${REGION}:${ACCOUNT}:${rest}`,
  scheduler: (rest: string) => `arn:aws:scheduler:${REGION}:${ACCOUNT}:${rest}`,
  user: (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`,
};

export type Who = 'root' | 'alice' | 'carol';

/** One check: who makes which call, and whether it is allowed. */
export interface Row {
  who: Who;
  what: string;
  run(c: Clients): Promise<unknown>;
  /** Absent: allowed. An SDK call: the error's name and status; a signed fetch: status and body. */
  deny?: { name: string; status: number; message: string };
}

/** What the rows need of the running server, filled in by the test's setup. */
export const world = { controlUrl: '', streamArn: '' };
export const url = (name: string) => `${world.controlUrl}/${ACCOUNT}/${name}`;

export const ok = (who: Who, what: string, run: Row['run']): Row => ({ who, what, run });
export const no = (
  who: Who,
  what: string,
  run: Row['run'],
  name: string,
  status: number,
  message: string,
): Row => ({
  who,
  what,
  run,
  deny: { name, status, message },
});

/** A signed fetch (admin API, SQS query protocol) answers `status`, or throws an `HttpError`. */
export const fetched =
  (status: number, run: (c: Clients) => Promise<{ status: number; text: string }>) => async (c: Clients) => {
    const r = await run(c);
    if (r.status !== status) throw Object.assign(new Error(r.text), { name: 'HttpError', status: r.status });
    return r;
  };
