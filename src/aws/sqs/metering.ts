import { attributesBytes, chunks64k } from '../../governance/costs/usage.ts';

type Obj = Record<string, unknown>;

/**
 * What one successful SQS call bills: every API action is a request, and each 64 KB chunk of its
 * payload (message bodies and attributes sent or received) is billed as one request, a batch's
 * entries summed. https://aws.amazon.com/sqs/pricing/ — guarded by test/aws/service-metering.test.ts.
 */
export function sqsUsage(
  action: string,
  input: Obj,
  out: Obj,
): { queue: string | undefined; requests: number } {
  const queue = queueName(input);
  let bytes = 0;
  if (action === 'SendMessage') bytes = messageBytes(input);
  else if (action === 'SendMessageBatch') bytes = sumBytes(input.Entries);
  else if (action === 'ReceiveMessage') bytes = sumBytes(out.Messages);
  return { queue, requests: chunks64k(bytes) };
}

/** The queue a call names: the last segment of `QueueUrl`, or `QueueName`. */
function queueName(input: Obj): string | undefined {
  const url = input.QueueUrl;
  if (typeof url === 'string') return url.slice(url.lastIndexOf('/') + 1) || undefined;
  return typeof input.QueueName === 'string' ? input.QueueName : undefined;
}

function sumBytes(list: unknown): number {
  if (!Array.isArray(list)) return 0;
  let n = 0;
  for (const m of list) if (typeof m === 'object' && m !== null) n += messageBytes(m as Obj);
  return n;
}

/** A message's body and attributes (name, type and value), as SQS sizes it against its limit. */
export function messageBytes(m: Obj): number {
  let n = typeof m.MessageBody === 'string' ? Buffer.byteLength(m.MessageBody) : 0;
  if (typeof m.Body === 'string') n += Buffer.byteLength(m.Body);
  return n + attributesBytes(m.MessageAttributes);
}
