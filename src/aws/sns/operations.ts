import type { Input, Output } from '../../services/topics/message.ts';
import type { TopicService } from '../../services/topics/service.ts';

/**
 * SNS's actions, by name, onto the topic service. `caller` is the signer's access key id; `trace`
 * the request's X-Amzn-Trace-Id, which a publish's deliveries continue.
 */
export function snsOperations(
  svc: TopicService,
): Record<string, (input: Input, caller: string, trace?: string) => Promise<Output>> {
  return {
    CreateTopic: (i) => svc.createTopic(i),
    DeleteTopic: (i) => svc.deleteTopic(i),
    ListTopics: (i) => svc.listTopics(i),
    GetTopicAttributes: (i) => svc.getTopicAttributes(i),
    SetTopicAttributes: (i) => svc.setTopicAttributes(i),
    TagResource: (i) => svc.tagResource(i),
    UntagResource: (i) => svc.untagResource(i),
    ListTagsForResource: (i) => svc.listTagsForResource(i),
    Subscribe: (i) => svc.subscribe(i),
    ConfirmSubscription: (i) => svc.confirmSubscription(i, true),
    Unsubscribe: (i) => svc.unsubscribe(i),
    ListSubscriptions: (i) => svc.listSubscriptions(i),
    ListSubscriptionsByTopic: (i) => svc.listSubscriptionsByTopic(i),
    GetSubscriptionAttributes: (i) => svc.getSubscriptionAttributes(i),
    SetSubscriptionAttributes: (i) => svc.setSubscriptionAttributes(i),
    Publish: (i, _caller, trace) => svc.publish(i, trace),
    PublishBatch: (i, _caller, trace) => svc.publishBatch(i, trace),
  };
}
