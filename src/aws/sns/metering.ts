import { attributesBytes, chunks64k } from '../../governance/costs/usage.ts';

type Obj = Record<string, unknown>;

/**
 * What one successful SNS call bills: a Publish is a request per 64 KB chunk of its message and
 * attributes; a PublishBatch bills its entries' total the same way. Other actions are not
 * metered. https://aws.amazon.com/sns/pricing/ — guarded by test/aws/service-metering.test.ts.
 */
export function snsUsage(
  action: string,
  input: Obj,
): { topic: string | undefined; requests: number } | undefined {
  let bytes: number;
  if (action === 'Publish') bytes = publicationBytes(input);
  else if (action === 'PublishBatch') {
    const entries = input.PublishBatchRequestEntries;
    bytes = 0;
    if (Array.isArray(entries))
      for (const e of entries) if (typeof e === 'object' && e !== null) bytes += publicationBytes(e as Obj);
  } else return undefined;
  const arn = input.TopicArn;
  const topic = typeof arn === 'string' ? arn.slice(arn.lastIndexOf(':') + 1) || undefined : undefined;
  return { topic, requests: chunks64k(bytes) };
}

/** The message and its attributes (name, type, value), as SNS sizes a publish. */
export function publicationBytes(p: Obj): number {
  const n = typeof p.Message === 'string' ? Buffer.byteLength(p.Message) : 0;
  return n + attributesBytes(p.MessageAttributes);
}
