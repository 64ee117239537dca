import type { Input, Output, QueueService } from '../../services/queues/service.ts';

/** SQS's operations, by name, onto the queue service. `sender` is the caller's access key id. */
export function sqsOperations(
  svc: QueueService,
): Record<string, (input: Input, sender: string) => Promise<Output>> {
  return {
    CreateQueue: (i) => svc.createQueue(i),
    GetQueueUrl: (i) => svc.getQueueUrl(i),
    ListQueues: (i) => svc.listQueues(i),
    DeleteQueue: (i) => svc.deleteQueue(i),
    PurgeQueue: (i) => svc.purgeQueue(i),
    GetQueueAttributes: (i) => svc.getQueueAttributes(i),
    SetQueueAttributes: (i) => svc.setQueueAttributes(i),
    TagQueue: (i) => svc.tagQueue(i),
    UntagQueue: (i) => svc.untagQueue(i),
    ListQueueTags: (i) => svc.listQueueTags(i),
    SendMessage: (i, sender) => svc.sendMessage(i, sender),
    SendMessageBatch: (i, sender) => svc.sendMessageBatch(i, sender),
    ReceiveMessage: (i) => svc.receiveMessage(i),
    DeleteMessage: (i) => svc.deleteMessage(i),
    DeleteMessageBatch: (i) => svc.deleteMessageBatch(i),
    ChangeMessageVisibility: (i) => svc.changeMessageVisibility(i),
    ChangeMessageVisibilityBatch: (i) => svc.changeMessageVisibilityBatch(i),
    StartMessageMoveTask: (i) => svc.startMessageMoveTask(i),
    ListMessageMoveTasks: (i) => svc.listMessageMoveTasks(i),
    CancelMessageMoveTask: (i) => svc.cancelMessageMoveTask(i),
  };
}
