// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:userid}` is an IAM policy variable, written in a plain string on purpose.
/**
 * The 50 statements the policy benchmarks evaluate against (issue 7's target: ≤ 20 µs with 50
 * statements), in three policies shaped like a function role's: exact and wildcard actions over
 * Lambda, SQS, SNS, EventBridge, DynamoDB, S3 and Logs; specific and wildcard ARNs, one with
 * `${aws:userid}`; about half the statements with conditions; two Deny statements and a region lock.
 */
import { type PolicyStatement, parsePolicy } from '../../src/governance/policy/index.ts';

export const ACCT = '000000000000';
export const arn = (service: string, rest: string, region = 'us-east-1') =>
  `arn:aws:${service}:${region}:${ACCT}:${rest}`;

const cond = {
  region: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
  office: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] } },
  tls: { Bool: { 'aws:SecureTransport': 'true' } },
  window: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
  fromRule: { ArnLike: { 'aws:SourceArn': arn('events', 'rule/orders-*') } },
  smallDelay: { NumericLessThanEquals: { 'sqs:DelaySeconds': '60' } },
};

/** The 50 statements, parsed, in three policies (20 + 20 + 10). */
export function statements(): PolicyStatement[][] {
  return policyDocuments().map((d) => parsePolicy(d, 'identity').statements.slice());
}

/** The three policy documents, as JSON objects. */
export function policyDocuments(): Record<string, unknown>[] {
  const s = (
    effect: 'Allow' | 'Deny',
    action: string[],
    resource: string[],
    condition: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    Effect: effect,
    Action: action,
    Resource: resource,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  });
  const services = ['orders', 'billing', 'users', 'audit', 'search'];
  const one: Record<string, unknown>[] = [
    {
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*', 'cloudfront:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
    s('Deny', ['dynamodb:DeleteTable', 'sqs:DeleteQueue', 'sns:DeleteTopic'], ['*']),
    s('Allow', ['logs:CreateLogStream', 'logs:PutLogEvents'], [arn('logs', 'log-group:/baton/*')]),
    s('Allow', ['lambda:List*', 'lambda:Get*'], ['*'], cond.region),
  ];
  for (const svc of services) {
    one.push(
      s(
        'Allow',
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
        [arn('dynamodb', `table/${svc}`)],
        { ...cond.tls },
      ),
    );
    one.push(
      s('Allow', ['dynamodb:PutItem', 'dynamodb:UpdateItem'], [arn('dynamodb', `table/${svc}`)], {
        ...cond.tls,
        ...cond.office,
      }),
    );
    one.push(s('Allow', ['lambda:InvokeFunction'], [arn('lambda', `function:${svc}-*`)], cond.window));
  }
  one.push(s('Allow', ['events:PutEvents'], [arn('events', 'event-bus/default')], cond.region));
  const two: Record<string, unknown>[] = [];
  for (const svc of services) {
    two.push(
      s(
        'Allow',
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
        [arn('sqs', `${svc}-jobs`)],
      ),
    );
    two.push(
      s('Allow', ['sqs:SendMessage'], [arn('sqs', `${svc}-*`), arn('sqs', `${svc}-*`, 'eu-west-1')], {
        ...cond.office,
        ...cond.smallDelay,
      }),
    );
    two.push(s('Allow', ['sns:Publish'], [arn('sns', `${svc}-events`)], cond.fromRule));
    two.push(
      s('Allow', ['s3:GetObject', 's3:PutObject'], [`arn:aws:s3:::${svc}-data/home/\${aws:userid}/*`]),
    );
  }
  const three: Record<string, unknown>[] = [
    s('Allow', ['dynamodb:*'], [arn('dynamodb', 'table/cache-*')], cond.region),
    s('Allow', ['sqs:Get*', 'sqs:List*'], ['*']),
    s('Allow', ['sns:Subscribe', 'sns:Unsubscribe'], [arn('sns', '*')], { ...cond.tls, ...cond.region }),
    s('Allow', ['events:Describe*', 'events:List*'], ['*']),
    s('Allow', ['lambda:InvokeAsync'], [arn('lambda', 'function:*')], cond.window),
    s('Allow', ['dynamodb:Scan'], [arn('dynamodb', 'table/reports')], { ...cond.office, ...cond.window }),
    s('Allow', ['sqs:SendMessageBatch'], [arn('sqs', 'bulk-*')], cond.office),
    s('Allow', ['s3:ListBucket'], ['arn:aws:s3:::reports']),
    // The Allow the first request reaches: the 49th statement.
    s('Allow', ['sqs:SendMessage'], [arn('sqs', 'payments-*')], {
      ...cond.office,
      ...cond.tls,
      ...cond.region,
      ...cond.window,
    }),
    s('Allow', ['sqs:PurgeQueue'], [arn('sqs', 'scratch-*')]),
  ];
  return [one, two, three].map((stmts, i) => ({
    Version: '2012-10-17',
    Statement: stmts.map((x, j) => ({ Sid: `P${i}S${j}`, ...x })),
  }));
}
