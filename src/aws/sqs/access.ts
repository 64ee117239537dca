/**
 * The IAM action and resource of each SQS operation, from its parsed input. Pure.
 *
 * Every queue operation acts on the queue's ARN (`arn:aws:sqs:<region>:<account>:<name>`), named
 * by its QueueUrl (the last path segment; the one before it, when twelve digits, is the owner's
 * account) or, for CreateQueue and GetQueueUrl, by QueueName. The batch operations are authorized
 * as their single forms (SendMessageBatch needs `sqs:SendMessage`, as AWS answers them); a
 * message-move task acts on its source queue; ListQueues has no resource-level permission (`*`).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, member, one } from '../access.ts';

/** Operations whose IAM action is another's. */
const ACTION_OF: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

export function sqsAccess(
  operation: string,
  input: Record<string, unknown>,
  scope: ArnScope,
): AccessRequest[] {
  const action = `sqs:${ACTION_OF[operation] ?? operation}`;
  switch (operation) {
    case 'ListQueues':
      return one(action, '*');
    case 'CreateQueue':
      return one(action, queueArn(scope, member(input, 'QueueName')));
    case 'GetQueueUrl':
      return one(
        action,
        queueArn(scope, member(input, 'QueueName'), member(input, 'QueueOwnerAWSAccountId')),
      );
    case 'StartMessageMoveTask':
    case 'ListMessageMoveTasks':
      return one(action, member(input, 'SourceArn') ?? queueArn(scope, undefined));
    case 'CancelMessageMoveTask':
      return one(action, taskSource(member(input, 'TaskHandle')) ?? queueArn(scope, undefined));
    default:
      return one(action, queueUrlArn(scope, member(input, 'QueueUrl')));
  }
}

/** The ARN of queue `name` (`*` for a missing name: the operation fails on its own after). */
function queueArn(scope: ArnScope, name: string | undefined, account = scope.account): string {
  return `arn:aws:sqs:${scope.region}:${account}:${name ?? '*'}`;
}

/** The ARN of the queue a QueueUrl (or a bare name, as Baton also accepts) names. */
export function queueUrlArn(scope: ArnScope, url: string | undefined): string {
  if (url === undefined) return queueArn(scope, undefined);
  const parts = url.split('/');
  const name = parts[parts.length - 1] || undefined;
  const owner = parts.length > 1 ? parts[parts.length - 2]! : '';
  return queueArn(scope, name, /^\d{12}$/.test(owner) ? owner : scope.account);
}

/** A move task's handle carries its source queue's ARN (`src/services/queues/move-tasks.ts`). */
function taskSource(handle: string | undefined): string | undefined {
  if (handle === undefined) return undefined;
  const text = Buffer.from(handle, 'base64url').toString('utf8');
  const arn = text.slice(0, text.indexOf('\n'));
  return arn.startsWith('arn:') ? arn : undefined;
}
