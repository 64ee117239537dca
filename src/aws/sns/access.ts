/**
 * The IAM action and resource of each SNS operation, from its parsed input. Pure.
 *
 * Topic operations act on the topic's ARN (CreateTopic on the ARN its Name gives); PublishBatch
 * is authorized as `sns:Publish`. Operations on a subscription (Unsubscribe, Get/Set
 * SubscriptionAttributes) and the account-wide lists have no resource-level permission (`*`).
 * Subscribe carries `sns:Protocol` and `sns:Endpoint` for conditions.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { type ArnScope, member, one } from '../access.ts';

const NO_RESOURCE = new Set([
  'ListTopics',
  'ListSubscriptions',
  'Unsubscribe',
  'GetSubscriptionAttributes',
  'SetSubscriptionAttributes',
]);

export function snsAccess(
  operation: string,
  input: Record<string, unknown>,
  scope: ArnScope,
): AccessRequest[] {
  const action = `sns:${operation === 'PublishBatch' ? 'Publish' : operation}`;
  if (NO_RESOURCE.has(operation)) return one(action, '*');
  switch (operation) {
    case 'CreateTopic':
      return one(action, `arn:aws:sns:${scope.region}:${scope.account}:${member(input, 'Name') ?? '*'}`);
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource':
      return one(action, member(input, 'ResourceArn') ?? '*');
    case 'Publish':
      return one(action, member(input, 'TopicArn') ?? member(input, 'TargetArn') ?? '*');
    case 'Subscribe': {
      const context: Record<string, string> = {};
      const protocol = member(input, 'Protocol');
      const endpoint = member(input, 'Endpoint');
      if (protocol !== undefined) context['sns:Protocol'] = protocol;
      if (endpoint !== undefined) context['sns:Endpoint'] = endpoint;
      return one(action, member(input, 'TopicArn') ?? '*', context);
    }
    default:
      return one(action, member(input, 'TopicArn') ?? '*');
  }
}

/** SNS writes the action's service prefix in capitals in its messages: `SNS:Publish`. */
export const snsSpelling = (action: string): string => action.replace(/^sns:/, 'SNS:');
