/** The rows of `../authorization.test.ts` for DynamoDB (and Streams), Lambda, IAM, the admin API, and the root. */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand, InvokeCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { strToU8 } from 'fflate';
import {
  arn,
  deniedMessage as denied,
  fetched,
  no,
  ok,
  type Row,
  url,
  world,
} from '../../helpers/authorization.ts';

const S = { S: 'a' };

export const PLATFORM_ROWS: Row[] = [
  // DynamoDB: AccessDeniedException 400; indexes, batches and transactions per table and item.
  ok('alice', 'GetItem from items', (c) =>
    c.dynamodb.send(new GetItemCommand({ TableName: 'items', Key: { pk: S } })),
  ),
  ok('alice', 'PutItem into items', (c) =>
    c.dynamodb.send(new PutItemCommand({ TableName: 'items', Item: { pk: S, o: S } })),
  ),
  no(
    'alice',
    'DeleteItem from items',
    (c) => c.dynamodb.send(new DeleteItemCommand({ TableName: 'items', Key: { pk: S } })),
    'AccessDeniedException',
    400,
    denied('alice', 'dynamodb:DeleteItem', arn.table('items')),
  ),
  ok('alice', 'Query index byO of items', (c) =>
    c.dynamodb.send(
      new QueryCommand({
        TableName: 'items',
        IndexName: 'byO',
        KeyConditionExpression: 'o = :o',
        ExpressionAttributeValues: { ':o': S },
      }),
    ),
  ),
  no(
    'alice',
    'Query items itself',
    (c) =>
      c.dynamodb.send(
        new QueryCommand({
          TableName: 'items',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': S },
        }),
      ),
    'AccessDeniedException',
    400,
    denied('alice', 'dynamodb:Query', arn.table('items')),
  ),
  ok('alice', 'BatchWriteItem into items', (c) =>
    c.dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { items: [{ PutRequest: { Item: { pk: { S: 'b' } } } }] } }),
    ),
  ),
  no(
    'alice',
    'BatchWriteItem into items and other',
    (c) =>
      c.dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            items: [{ PutRequest: { Item: { pk: S } } }],
            other: [{ PutRequest: { Item: { pk: S } } }],
          },
        }),
      ),
    'AccessDeniedException',
    400,
    denied('alice', 'dynamodb:BatchWriteItem', arn.table('other')),
  ),
  ok('alice', 'TransactWriteItems Put (dynamodb:PutItem)', (c) =>
    c.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'items', Item: { pk: { S: 'c' } } } }],
      }),
    ),
  ),
  no(
    'alice',
    'TransactWriteItems Put and Delete',
    (c) =>
      c.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'items', Item: { pk: { S: 'd' } } } },
            { Delete: { TableName: 'items', Key: { pk: S } } },
          ],
        }),
      ),
    'AccessDeniedException',
    400,
    denied('alice', 'dynamodb:DeleteItem', arn.table('items')),
  ),
  ok('alice', 'TransactGetItems (dynamodb:GetItem)', (c) =>
    c.dynamodb.send(
      new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'items', Key: { pk: S } } }] }),
    ),
  ),
  ok('alice', "DescribeStream of items' stream", (c) =>
    c.streams.send(new DescribeStreamCommand({ StreamArn: world.streamArn })),
  ),
  no(
    'alice',
    'ListTables',
    (c) => c.dynamodb.send(new ListTablesCommand({})),
    'AccessDeniedException',
    400,
    denied('alice', 'dynamodb:ListTables', '*'),
  ),
  ok('carol', 'DescribeTable items (dynamodb:* on table/*)', (c) =>
    c.dynamodb.send(new DescribeTableCommand({ TableName: 'items' })),
  ),
  no(
    'carol',
    'DeleteTable other (explicit Deny)',
    (c) => c.dynamodb.send(new DeleteTableCommand({ TableName: 'other' })),
    'AccessDeniedException',
    400,
    denied('carol', 'dynamodb:DeleteTable', arn.table('other'), 'explicit'),
  ),
  // Lambda: AccessDeniedException 403; a qualified call acts on the qualified ARN.
  ok('alice', 'Invoke echo', (c) =>
    c.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: strToU8('{}') })),
  ),
  no(
    'alice',
    'Invoke echo:live',
    (c) => c.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live' })),
    'AccessDeniedException',
    403,
    denied('alice', 'lambda:InvokeFunction', `${arn.fn('echo')}:live`),
  ),
  no(
    'alice',
    'GetFunction echo',
    (c) => c.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' })),
    'AccessDeniedException',
    403,
    denied('alice', 'lambda:GetFunction', arn.fn('echo')),
  ),
  no(
    'alice',
    'ListFunctions',
    (c) => c.lambda.send(new ListFunctionsCommand({})),
    'AccessDeniedException',
    403,
    denied('alice', 'lambda:ListFunctions', '*'),
  ),
  // IAM: AccessDenied 403; `${aws:username}` in a Resource.
  ok('alice', 'GetUser of herself', (c) => c.iam.send(new GetUserCommand({}))),
  no(
    'alice',
    'GetUser carol',
    (c) => c.iam.send(new GetUserCommand({ UserName: 'carol' })),
    'AccessDenied',
    403,
    denied('alice', 'iam:GetUser', arn.user('carol')),
  ),
  no(
    'alice',
    'CreateUser eve',
    (c) => c.iam.send(new CreateUserCommand({ UserName: 'eve' })),
    'AccessDenied',
    403,
    denied('alice', 'iam:CreateUser', arn.user('eve')),
  ),
  // The admin API: 403 AccessDeniedException in its JSON shape; AWS actions where one exists.
  ok(
    'alice',
    'admin: invoke echo (lambda:InvokeFunction)',
    fetched(200, (c) => c.admin('POST', 'functions/echo/invoke', '{}')),
  ),
  ok(
    'alice',
    'admin: logs of echo (logs:FilterLogEvents)',
    fetched(200, (c) => c.admin('GET', 'functions/echo/logs')),
  ),
  no(
    'alice',
    'admin: list functions',
    fetched(200, (c) => c.admin('GET', 'functions')),
    'HttpError',
    403,
    `"__type":"AccessDeniedException","Type":"User","message":"${denied('alice', 'lambda:ListFunctions', '*')}"`,
  ),
  ok(
    'alice',
    'admin: cache get in her namespace',
    fetched(200, (c) => c.admin('GET', 'cache/alice/k')),
  ),
  no(
    'alice',
    "admin: cache get in bob's namespace",
    fetched(200, (c) => c.admin('GET', 'cache/bob/k')),
    'HttpError',
    403,
    denied('alice', 'baton:CacheGet', '*'),
  ),
  no(
    'alice',
    'admin: metrics',
    fetched(200, (c) => c.admin('GET', 'metrics')),
    'HttpError',
    403,
    denied('alice', 'baton:GetMetrics', '*'),
  ),
  // The root may do everything.
  ok('root', 'ListQueues', (c) => c.sqs.send(new ListQueuesCommand({}))),
  ok('root', 'ReceiveMessage from jobs', (c) =>
    c.sqs.send(new ReceiveMessageCommand({ QueueUrl: url('jobs') })),
  ),
  ok('root', 'CreateTopic', (c) => c.sns.send(new CreateTopicCommand({ Name: 'root-topic' }))),
  ok('root', 'ListRules', (c) => c.events.send(new ListRulesCommand({}))),
  ok('root', 'ListSchedules', (c) => c.scheduler.send(new ListSchedulesCommand({}))),
  ok('root', 'DeleteItem from items', (c) =>
    c.dynamodb.send(new DeleteItemCommand({ TableName: 'items', Key: { pk: S } })),
  ),
  ok('root', 'Invoke echo:live', (c) =>
    c.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live' })),
  ),
  ok('root', 'GetUser carol', (c) => c.iam.send(new GetUserCommand({ UserName: 'carol' }))),
  ok(
    'root',
    'admin: list functions',
    fetched(200, (c) => c.admin('GET', 'functions')),
  ),
  ok(
    'root',
    'admin: metrics',
    fetched(200, (c) => c.admin('GET', 'metrics')),
  ),
];
