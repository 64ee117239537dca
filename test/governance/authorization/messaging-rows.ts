/** The rows of `../authorization.test.ts` for SQS (both protocols), SNS, EventBridge and Scheduler. */
import { ListRulesCommand, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import {
  CreateTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { arn, deniedMessage as denied, fetched, no, ok, type Row, url } from '../../helpers/authorization.ts';

export const MESSAGING_ROWS: Row[] = [
  // SQS, JSON protocol: the batch is authorized as sqs:SendMessage; messages spell actions in lower case.
  ok('alice', 'SendMessage to jobs', (c) =>
    c.sqs.send(new SendMessageCommand({ QueueUrl: url('jobs'), MessageBody: 'x' })),
  ),
  ok('alice', 'SendMessageBatch to jobs', (c) =>
    c.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url('jobs'), Entries: [{ Id: '1', MessageBody: 'x' }] }),
    ),
  ),
  no(
    'alice',
    'ReceiveMessage from jobs',
    (c) => c.sqs.send(new ReceiveMessageCommand({ QueueUrl: url('jobs') })),
    'AccessDenied',
    403,
    denied('alice', 'sqs:receivemessage', arn.queue('jobs')),
  ),
  no(
    'alice',
    'SendMessage to other',
    (c) => c.sqs.send(new SendMessageCommand({ QueueUrl: url('other'), MessageBody: 'x' })),
    'AccessDenied',
    403,
    denied('alice', 'sqs:sendmessage', arn.queue('other')),
  ),
  no(
    'alice',
    'ListQueues',
    (c) => c.sqs.send(new ListQueuesCommand({})),
    'AccessDenied',
    403,
    denied('alice', 'sqs:listqueues', '*'),
  ),
  // SQS, query protocol.
  ok(
    'alice',
    'SendMessage to jobs (query)',
    fetched(200, (c) => c.sqsQuery({ Action: 'SendMessage', QueueUrl: url('jobs'), MessageBody: 'q' })),
  ),
  no(
    'alice',
    'DeleteQueue other (query)',
    fetched(200, (c) => c.sqsQuery({ Action: 'DeleteQueue', QueueUrl: url('other') })),
    'HttpError',
    403,
    `<Code>AccessDenied</Code><Message>${denied('alice', 'sqs:deletequeue', arn.queue('other'))}</Message>`,
  ),
  // An explicit Deny beats an Allow; Conditions on aws:SourceIp (the test runs on loopback).
  ok('carol', 'GetQueueAttributes of audit-log (sqs:* on audit-*)', (c) =>
    c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url('audit-log') })),
  ),
  no(
    'carol',
    'DeleteQueue audit-log (explicit Deny)',
    (c) => c.sqs.send(new DeleteQueueCommand({ QueueUrl: url('audit-log') })),
    'AccessDenied',
    403,
    denied('carol', 'sqs:deletequeue', arn.queue('audit-log'), 'explicit'),
  ),
  no(
    'carol',
    'PurgeQueue audit-log (explicit Deny)',
    (c) => c.sqs.send(new PurgeQueueCommand({ QueueUrl: url('audit-log') })),
    'AccessDenied',
    403,
    denied('carol', 'sqs:purgequeue', arn.queue('audit-log'), 'explicit'),
  ),
  ok('carol', 'GetQueueAttributes of jobs from 127.0.0.0/8', (c) =>
    c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url('jobs') })),
  ),
  no(
    'carol',
    'ListQueues, allowed only from 10.0.0.0/8',
    (c) => c.sqs.send(new ListQueuesCommand({})),
    'AccessDenied',
    403,
    denied('carol', 'sqs:listqueues', '*'),
  ),
  // SNS: AuthorizationError 403, the action as `SNS:Publish`; PublishBatch needs sns:Publish.
  ok('alice', 'Publish to news', (c) =>
    c.sns.send(new PublishCommand({ TopicArn: arn.topic('news'), Message: 'm' })),
  ),
  ok('alice', 'PublishBatch to news', (c) =>
    c.sns.send(
      new PublishBatchCommand({
        TopicArn: arn.topic('news'),
        PublishBatchRequestEntries: [{ Id: '1', Message: 'm' }],
      }),
    ),
  ),
  no(
    'alice',
    'Publish to other-topic',
    (c) => c.sns.send(new PublishCommand({ TopicArn: arn.topic('other-topic'), Message: 'm' })),
    'AuthorizationErrorException',
    403,
    denied('alice', 'SNS:Publish', arn.topic('other-topic')),
  ),
  no(
    'alice',
    'CreateTopic',
    (c) => c.sns.send(new CreateTopicCommand({ Name: 'mine' })),
    'AuthorizationErrorException',
    403,
    denied('alice', 'SNS:CreateTopic', arn.topic('mine')),
  ),
  no(
    'alice',
    'ListTopics',
    (c) => c.sns.send(new ListTopicsCommand({})),
    'AuthorizationErrorException',
    403,
    denied('alice', 'SNS:ListTopics', '*'),
  ),
  ok('carol', 'Subscribe audit-log to news (StringLike sns:Endpoint)', (c) =>
    c.sns.send(
      new SubscribeCommand({
        TopicArn: arn.topic('news'),
        Protocol: 'sqs',
        Endpoint: arn.queue('audit-log'),
      }),
    ),
  ),
  no(
    'carol',
    'Subscribe jobs to news (the Condition fails)',
    (c) =>
      c.sns.send(
        new SubscribeCommand({ TopicArn: arn.topic('news'), Protocol: 'sqs', Endpoint: arn.queue('jobs') }),
      ),
    'AuthorizationErrorException',
    403,
    denied('carol', 'SNS:Subscribe', arn.topic('news')),
  ),
  // EventBridge: AccessDeniedException 400.
  ok('alice', 'PutEvents on the default bus', (c) =>
    c.events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 't', Detail: '{}' }] })),
  ),
  no(
    'alice',
    'PutRule r2',
    (c) => c.events.send(new PutRuleCommand({ Name: 'r2', EventPattern: '{"source":["app"]}' })),
    'AccessDeniedException',
    400,
    denied('alice', 'events:PutRule', arn.events('rule/r2')),
  ),
  no(
    'alice',
    'ListRules',
    (c) => c.events.send(new ListRulesCommand({})),
    'AccessDeniedException',
    400,
    denied('alice', 'events:ListRules', arn.events('rule/*')),
  ),
  // Scheduler: AccessDeniedException 403.
  ok('alice', 'GetSchedule s1', (c) => c.scheduler.send(new GetScheduleCommand({ Name: 's1' }))),
  no(
    'alice',
    'CreateScheduleGroup g',
    (c) => c.scheduler.send(new CreateScheduleGroupCommand({ Name: 'g' })),
    'AccessDeniedException',
    403,
    denied('alice', 'scheduler:CreateScheduleGroup', arn.scheduler('schedule-group/g')),
  ),
  no(
    'alice',
    'ListSchedules',
    (c) => c.scheduler.send(new ListSchedulesCommand({})),
    'AccessDeniedException',
    403,
    denied('alice', 'scheduler:ListSchedules', '*'),
  ),
];
