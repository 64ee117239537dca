/**
 * The per-service mappings from an operation and its input to the IAM actions and ARNs AWS
 * checks (`src/aws/<service>/access.ts`): one table per service, each row the operation, its
 * input, and the `[action, resource]` pairs it must ask for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dynamodbAccess } from '../../src/aws/dynamodb/access.ts';
import { eventsAccess } from '../../src/aws/events/access.ts';
import { type IamLookups, iamAccess } from '../../src/aws/iam/access.ts';
import { type LambdaCall, lambdaAccess } from '../../src/aws/lambda/access.ts';
import { schedulerAccess } from '../../src/aws/scheduler/access.ts';
import { snsAccess } from '../../src/aws/sns/access.ts';
import { sqsAccess } from '../../src/aws/sqs/access.ts';
import type { AccessRequest } from '../../src/governance/authorizer.ts';

const SCOPE = { region: 'eu-west-1', account: '111122223333' };
const pairs = (rs: AccessRequest[]) => rs.map((r) => [r.action, r.resource]);
type Case = [operation: string, input: Record<string, unknown>, expected: string[][]];

function table(
  name: string,
  map: (op: string, input: Record<string, unknown>) => AccessRequest[],
  cases: Case[],
) {
  describe(name, () => {
    for (const [op, input, expected] of cases)
      it(`${op} ${JSON.stringify(input).slice(0, 80)}`, () =>
        assert.deepEqual(pairs(map(op, input)), expected));
  });
}

const Q = 'arn:aws:sqs:eu-west-1:111122223333:';
table('SQS', (op, i) => sqsAccess(op, i, SCOPE), [
  ['SendMessage', { QueueUrl: 'http://127.0.0.1:4748/111122223333/jobs' }, [['sqs:SendMessage', `${Q}jobs`]]],
  ['SendMessageBatch', { QueueUrl: 'http://h/111122223333/jobs' }, [['sqs:SendMessage', `${Q}jobs`]]],
  ['DeleteMessageBatch', { QueueUrl: 'http://h/111122223333/jobs' }, [['sqs:DeleteMessage', `${Q}jobs`]]],
  [
    'ChangeMessageVisibilityBatch',
    { QueueUrl: 'jobs.fifo' },
    [['sqs:ChangeMessageVisibility', `${Q}jobs.fifo`]],
  ],
  [
    'ReceiveMessage',
    { QueueUrl: 'http://h/444455556666/theirs' },
    [['sqs:ReceiveMessage', 'arn:aws:sqs:eu-west-1:444455556666:theirs']],
  ],
  ['CreateQueue', { QueueName: 'new' }, [['sqs:CreateQueue', `${Q}new`]]],
  [
    'GetQueueUrl',
    { QueueName: 'q', QueueOwnerAWSAccountId: '444455556666' },
    [['sqs:GetQueueUrl', 'arn:aws:sqs:eu-west-1:444455556666:q']],
  ],
  ['ListQueues', {}, [['sqs:ListQueues', '*']]],
  ['StartMessageMoveTask', { SourceArn: `${Q}dlq` }, [['sqs:StartMessageMoveTask', `${Q}dlq`]]],
  [
    'CancelMessageMoveTask',
    { TaskHandle: Buffer.from(`${Q}dlq\nsome-uuid`).toString('base64url') },
    [['sqs:CancelMessageMoveTask', `${Q}dlq`]],
  ],
  ['PurgeQueue', {}, [['sqs:PurgeQueue', `${Q}*`]]],
]);

const T = 'arn:aws:sns:eu-west-1:111122223333:';
table('SNS', (op, i) => snsAccess(op, i, SCOPE), [
  ['Publish', { TopicArn: `${T}news` }, [['sns:Publish', `${T}news`]]],
  ['PublishBatch', { TopicArn: `${T}news` }, [['sns:Publish', `${T}news`]]],
  ['CreateTopic', { Name: 'news' }, [['sns:CreateTopic', `${T}news`]]],
  ['ListTopics', {}, [['sns:ListTopics', '*']]],
  ['Unsubscribe', { SubscriptionArn: `${T}news:abc` }, [['sns:Unsubscribe', '*']]],
  ['GetSubscriptionAttributes', {}, [['sns:GetSubscriptionAttributes', '*']]],
  ['ListSubscriptionsByTopic', { TopicArn: `${T}news` }, [['sns:ListSubscriptionsByTopic', `${T}news`]]],
  ['TagResource', { ResourceArn: `${T}news` }, [['sns:TagResource', `${T}news`]]],
]);

describe('SNS condition keys', () => {
  it('Subscribe carries sns:Protocol and sns:Endpoint', () => {
    const [r] = snsAccess('Subscribe', { TopicArn: `${T}n`, Protocol: 'sqs', Endpoint: 'arn:q' }, SCOPE);
    assert.deepEqual(r?.context, { 'sns:Protocol': 'sqs', 'sns:Endpoint': 'arn:q' });
  });
});

const E = 'arn:aws:events:eu-west-1:111122223333:';
table('EventBridge', (op, i) => eventsAccess(op, i, SCOPE), [
  ['PutRule', { Name: 'r' }, [['events:PutRule', `${E}rule/r`]]],
  ['PutRule', { Name: 'r', EventBusName: 'orders' }, [['events:PutRule', `${E}rule/orders/r`]]],
  [
    'DescribeRule',
    { Name: 'r', EventBusName: `${E}event-bus/orders` },
    [['events:DescribeRule', `${E}rule/orders/r`]],
  ],
  ['PutTargets', { Rule: 'r', EventBusName: 'default' }, [['events:PutTargets', `${E}rule/r`]]],
  ['ListRules', {}, [['events:ListRules', `${E}rule/*`]]],
  ['ListRules', { EventBusName: 'orders' }, [['events:ListRules', `${E}rule/orders/*`]]],
  ['ListEventBuses', {}, [['events:ListEventBuses', `${E}event-bus/*`]]],
  ['DescribeEventBus', {}, [['events:DescribeEventBus', `${E}event-bus/default`]]],
  ['CreateEventBus', { Name: 'orders' }, [['events:CreateEventBus', `${E}event-bus/orders`]]],
  ['TestEventPattern', {}, [['events:TestEventPattern', '*']]],
  [
    'PutEvents',
    { Entries: [{ Source: 'a' }, { Source: 'a' }, { Source: 'b', EventBusName: 'orders' }] },
    [
      ['events:PutEvents', `${E}event-bus/default`],
      ['events:PutEvents', `${E}event-bus/orders`],
    ],
  ],
]);

describe('EventBridge condition keys', () => {
  it('PutEvents carries events:source and events:detail-type; PutTargets events:TargetArn', () => {
    const [r] = eventsAccess('PutEvents', { Entries: [{ Source: 'app', DetailType: 'Order' }] }, SCOPE);
    assert.deepEqual(r?.context, { 'events:source': 'app', 'events:detail-type': 'Order' });
    const [t] = eventsAccess('PutTargets', { Rule: 'r', Targets: [{ Id: '1', Arn: 'arn:x' }] }, SCOPE);
    assert.deepEqual(t?.context, { 'events:TargetArn': ['arn:x'] });
  });

  it('PutTargets needs iam:PassRole on each distinct target role, passed to events.amazonaws.com', () => {
    const role = (n: string) => `arn:aws:iam::111122223333:role/${n}`;
    const targets = [
      { Id: '1', Arn: 'arn:x', RoleArn: role('a') },
      { Id: '2', Arn: 'arn:y' },
      { Id: '3', Arn: 'arn:z', RoleArn: role('a') },
      { Id: '4', Arn: 'arn:w', RoleArn: role('b') },
    ];
    const rs = eventsAccess('PutTargets', { Rule: 'r', Targets: targets }, SCOPE);
    assert.deepEqual(pairs(rs), [
      ['events:PutTargets', `${E}rule/r`],
      ['iam:PassRole', role('a')],
      ['iam:PassRole', role('b')],
    ]);
    assert.deepEqual(rs[1]?.context, { 'iam:PassedToService': 'events.amazonaws.com' });
  });
});

describe('Scheduler', () => {
  const S = 'arn:aws:scheduler:eu-west-1:111122223333:';
  it('maps schedules (default group), groups and the lists', () => {
    assert.deepEqual(pairs(schedulerAccess('CreateSchedule', 'n', undefined, SCOPE)), [
      ['scheduler:CreateSchedule', `${S}schedule/default/n`],
    ]);
    assert.deepEqual(pairs(schedulerAccess('GetSchedule', 'n', 'g', SCOPE)), [
      ['scheduler:GetSchedule', `${S}schedule/g/n`],
    ]);
    assert.deepEqual(pairs(schedulerAccess('DeleteScheduleGroup', 'g', undefined, SCOPE)), [
      ['scheduler:DeleteScheduleGroup', `${S}schedule-group/g`],
      ['scheduler:DeleteSchedule', `${S}schedule/g/*`],
    ]);
    assert.deepEqual(pairs(schedulerAccess('ListSchedules', '', undefined, SCOPE)), [
      ['scheduler:ListSchedules', '*'],
    ]);
  });

  it("CreateSchedule and UpdateSchedule need iam:PassRole on the target's role, passed to scheduler.amazonaws.com", () => {
    const role = 'arn:aws:iam::111122223333:role/sched';
    for (const op of ['CreateSchedule', 'UpdateSchedule'] as const) {
      const rs = schedulerAccess(op, 'n', 'g', SCOPE, { Target: { Arn: 'arn:x', RoleArn: role } });
      assert.deepEqual(pairs(rs), [
        [`scheduler:${op}`, `${S}schedule/g/n`],
        ['iam:PassRole', role],
      ]);
      assert.deepEqual(rs[1]?.context, { 'iam:PassedToService': 'scheduler.amazonaws.com' });
    }
    // No role, or one that is no role ARN: the operation's own validation answers.
    for (const Target of [{ Arn: 'arn:x' }, { Arn: 'arn:x', RoleArn: 'not-an-arn!' }, 'junk'])
      assert.deepEqual(pairs(schedulerAccess('CreateSchedule', 'n', undefined, SCOPE, { Target })), [
        ['scheduler:CreateSchedule', `${S}schedule/default/n`],
      ]);
  });
});

const D = 'arn:aws:dynamodb:eu-west-1:111122223333:table/';
const iterator = Buffer.from(JSON.stringify({ arn: `${D}t/stream/L`, after: 0, issued: 0 })).toString(
  'base64url',
);
table('DynamoDB', (op, i) => dynamodbAccess(op, i, SCOPE), [
  ['GetItem', { TableName: 't' }, [['dynamodb:GetItem', `${D}t`]]],
  ['GetItem', { TableName: `${D}t` }, [['dynamodb:GetItem', `${D}t`]]],
  ['Query', { TableName: 't', IndexName: 'i' }, [['dynamodb:Query', `${D}t/index/i`]]],
  ['Scan', { TableName: 't' }, [['dynamodb:Scan', `${D}t`]]],
  [
    'BatchGetItem',
    { RequestItems: { a: {}, b: {} } },
    [
      ['dynamodb:BatchGetItem', `${D}a`],
      ['dynamodb:BatchGetItem', `${D}b`],
    ],
  ],
  [
    'TransactWriteItems',
    {
      TransactItems: [
        { Put: { TableName: 'a' } },
        { Update: { TableName: 'a' } },
        { Delete: { TableName: 'b' } },
        { ConditionCheck: { TableName: 'b' } },
        { Put: { TableName: 'a' } },
      ],
    },
    [
      ['dynamodb:PutItem', `${D}a`],
      ['dynamodb:UpdateItem', `${D}a`],
      ['dynamodb:DeleteItem', `${D}b`],
      ['dynamodb:ConditionCheckItem', `${D}b`],
    ],
  ],
  ['TransactGetItems', { TransactItems: [{ Get: { TableName: 'a' } }] }, [['dynamodb:GetItem', `${D}a`]]],
  ['ListTables', {}, [['dynamodb:ListTables', '*']]],
  ['ListStreams', { TableName: 't' }, [['dynamodb:ListStreams', '*']]],
  ['DescribeStream', { StreamArn: `${D}t/stream/L` }, [['dynamodb:DescribeStream', `${D}t/stream/L`]]],
  ['GetRecords', { ShardIterator: iterator }, [['dynamodb:GetRecords', `${D}t/stream/L`]]],
  ['GetRecords', { ShardIterator: 'garbage' }, [['dynamodb:GetRecords', `${D}*/stream/*`]]],
  ['TagResource', { ResourceArn: `${D}t` }, [['dynamodb:TagResource', `${D}t`]]],
]);

describe('Lambda', () => {
  const F = 'arn:aws:lambda:eu-west-1:111122223333:function:';
  const call = (name: string, over: Partial<LambdaCall> = {}): LambdaCall => ({
    name,
    qualifier: undefined,
    body: () => ({}),
    mappingFunction: () => undefined,
    ...over,
  });
  const cases: [string, LambdaCall, string[][]][] = [
    ['InvokeFunction', call('f'), [['lambda:InvokeFunction', `${F}f`]]],
    ['InvokeFunction', call('f', { qualifier: 'live' }), [['lambda:InvokeFunction', `${F}f:live`]]],
    ['InvokeFunction', call(`${F}f:3`), [['lambda:InvokeFunction', `${F}f:3`]]],
    ['InvokeFunction', call('111122223333:function:f'), [['lambda:InvokeFunction', `${F}f`]]],
    ['GetFunction', call('f', { qualifier: '$LATEST' }), [['lambda:GetFunction', `${F}f:$LATEST`]]],
    ['UpdateFunctionCode', call('f:live'), [['lambda:UpdateFunctionCode', `${F}f`]]],
    ['GetAlias', call('f'), [['lambda:GetAlias', `${F}f`]]],
    [
      'CreateFunction',
      call('', { body: () => ({ FunctionName: 'g' }) }),
      [['lambda:CreateFunction', `${F}g`]],
    ],
    ['ListFunctions', call(''), [['lambda:ListFunctions', '*']]],
    ['GetAccountSettings', call(''), [['lambda:GetAccountSettings', '*']]],
    ['ListEventSourceMappings', call(''), [['lambda:ListEventSourceMappings', '*']]],
    ['CreateEventSourceMapping', call(''), [['lambda:CreateEventSourceMapping', '*']]],
    [
      'DeleteEventSourceMapping',
      call('uuid-1'),
      [
        [
          'lambda:DeleteEventSourceMapping',
          'arn:aws:lambda:eu-west-1:111122223333:event-source-mapping:uuid-1',
        ],
      ],
    ],
  ];
  for (const [op, c, expected] of cases)
    it(`${op} ${c.name} ${c.qualifier ?? ''}`, () =>
      assert.deepEqual(pairs(lambdaAccess(op, c, SCOPE)), expected));

  it('CreateFunction and UpdateFunctionConfiguration with a Role need iam:PassRole on it, passed to lambda.amazonaws.com', () => {
    const R = 'arn:aws:iam::111122223333:role/';
    const roleArn = (n: string) => (n === 'worker' ? `${R}svc/worker` : undefined);
    const created = lambdaAccess(
      'CreateFunction',
      call('', { body: () => ({ FunctionName: 'g', Role: `${R}exec` }) }),
      SCOPE,
    );
    assert.deepEqual(pairs(created), [
      ['lambda:CreateFunction', `${F}g`],
      ['iam:PassRole', `${R}exec`],
    ]);
    assert.deepEqual(created[1]?.context, { 'iam:PassedToService': 'lambda.amazonaws.com' });
    for (const [role, resource] of [
      ['worker', `${R}svc/worker`],
      ['absent', `${R}absent`],
    ])
      assert.deepEqual(
        pairs(
          lambdaAccess(
            'UpdateFunctionConfiguration',
            call('f', { body: () => ({ Role: role }), roleArn }),
            SCOPE,
          ),
        ),
        [
          ['lambda:UpdateFunctionConfiguration', `${F}f`],
          ['iam:PassRole', resource],
        ],
        'a bare name is the IAM role of that name, path and all, or role/NAME',
      );
    assert.deepEqual(
      pairs(
        lambdaAccess('UpdateFunctionConfiguration', call('f', { body: () => ({ MemorySize: 256 }) }), SCOPE),
      ),
      [['lambda:UpdateFunctionConfiguration', `${F}f`]],
      'no Role, no PassRole',
    );
  });

  it('event source mappings carry lambda:FunctionArn', () => {
    const created = lambdaAccess(
      'CreateEventSourceMapping',
      call('', { body: () => ({ FunctionName: 'f:live' }) }),
      SCOPE,
    );
    assert.deepEqual(created[0]?.context, { 'lambda:FunctionArn': `${F}f:live` });
    const updated = lambdaAccess(
      'UpdateEventSourceMapping',
      call('u', { mappingFunction: () => `${F}g` }),
      SCOPE,
    );
    assert.deepEqual(updated[0]?.context, { 'lambda:FunctionArn': `${F}g` });
  });
});

describe('IAM', () => {
  const lookups: IamLookups = {
    account: '111122223333',
    userArn: (n) => (n === 'alice' ? 'arn:aws:iam::111122223333:user/eng/alice' : undefined),
    roleArn: (n) => (n === 'worker' ? 'arn:aws:iam::111122223333:role/svc/worker' : undefined),
    callerArn: (k) => (k === 'AKIAALICE' ? 'arn:aws:iam::111122223333:user/eng/alice' : undefined),
  };
  const I = 'arn:aws:iam::111122223333:';
  const cases: [string, Record<string, string>, string][] = [
    ['CreateUser', { UserName: 'bob', Path: '/ops/' }, `${I}user/ops/bob`],
    ['GetUser', { UserName: 'alice' }, `${I}user/eng/alice`],
    ['GetUser', {}, `${I}user/eng/alice`],
    ['ListAccessKeys', {}, `${I}user/eng/alice`],
    ['PutUserPolicy', { UserName: 'nobody' }, `${I}user/nobody`],
    ['ListUsers', {}, `${I}user/`],
    ['ListRoles', { PathPrefix: '/svc/' }, `${I}role/svc/`],
    ['CreateRole', { RoleName: 'r' }, `${I}role/r`],
    ['GetRole', { RoleName: 'worker' }, `${I}role/svc/worker`],
    ['PutRolePolicy', { RoleName: 'other' }, `${I}role/other`],
  ];
  for (const [op, input, resource] of cases)
    it(`${op} ${JSON.stringify(input)}`, () =>
      assert.deepEqual(pairs(iamAccess(op, input, 'AKIAALICE', lookups)), [[`iam:${op}`, resource]]));
});
