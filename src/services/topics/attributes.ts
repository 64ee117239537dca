import type { Protocol } from './backend.ts';
import { parseSubscriptionDeliveryPolicy, parseTopicDeliveryPolicy } from './delivery-policy.ts';
import { invalidParameter } from './errors.ts';
import {
  compileFilterPolicy,
  type FilterPolicy,
  FilterPolicyError,
  type FilterScope,
} from './filter-policy.ts';

/**
 * Topic and subscription attributes as SNS accepts them (values are strings on the wire).
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 */

const bool = (v: string) => v === 'true' || v === 'false';

function checkJson(name: string, value: string): void {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  } catch {
    throw invalidParameter(`Attributes Reason: ${name}: Invalid JSON`);
  }
}

/** Delivery status logging attributes: stored and shown, not acted on. */
const FEEDBACK_RE =
  /^(HTTP|Firehose|Lambda|SQS|Application)(SuccessFeedbackRoleArn|SuccessFeedbackSampleRate|FailureFeedbackRoleArn)$/;

/**
 * Checks one topic attribute. `creating` allows FifoTopic; FIFO-only attributes need a FIFO topic.
 * Empty values are allowed where SNS allows them (they clear the attribute).
 */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  const fifoOnly = () => {
    if (!fifo) throw invalidParameter(`Attributes Reason: ${name} is only valid for FIFO topics`);
  };
  switch (name) {
    case 'DisplayName':
      if (value.length > 100) throw invalidParameter('DisplayName');
      return;
    case 'Policy':
    case 'DataProtectionPolicy':
      if (value !== '') checkJson(name, value);
      return;
    case 'DeliveryPolicy':
      if (value !== '') parseTopicDeliveryPolicy(value);
      return;
    case 'KmsMasterKeyId':
      return;
    case 'SignatureVersion':
      if (value !== '1' && value !== '2')
        throw invalidParameter('Attributes Reason: SignatureVersion must be 1 or 2');
      return;
    case 'TracingConfig':
      if (value !== 'PassThrough' && value !== 'Active')
        throw invalidParameter('Attributes Reason: TracingConfig must be PassThrough or Active');
      return;
    case 'FifoTopic':
      if (!creating) throw invalidParameter('AttributeName');
      if (!bool(value)) throw invalidParameter('Attributes Reason: FifoTopic must be true or false');
      return;
    case 'ContentBasedDeduplication':
      fifoOnly();
      if (!bool(value))
        throw invalidParameter('Attributes Reason: ContentBasedDeduplication must be true or false');
      return;
    case 'FifoThroughputScope':
      fifoOnly();
      if (value !== 'Topic' && value !== 'MessageGroup')
        throw invalidParameter('Attributes Reason: FifoThroughputScope must be Topic or MessageGroup');
      return;
    case 'ArchivePolicy':
      fifoOnly();
      if (value !== '') checkJson(name, value);
      return;
    default:
      if (FEEDBACK_RE.test(name)) return;
      throw invalidParameter(creating ? `Attributes Reason: Unknown attribute ${name}` : 'AttributeName');
  }
}

/** A subscription's RedrivePolicy: the dead-letter queue's name. */
export function parseRedrivePolicy(value: string): { deadLetterQueue: string; arn: string } {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw invalidParameter('RedrivePolicy: Invalid JSON');
  }
  const arn = (v as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
  if (typeof arn !== 'string') throw invalidParameter('RedrivePolicy: deadLetterTargetArn is missing');
  const m = /^arn:aws[a-zA-Z-]*:sqs:[^:]*:\d{12}:([a-zA-Z0-9_-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!m) throw invalidParameter('RedrivePolicy: deadLetterTargetArn is an invalid arn');
  return { deadLetterQueue: m[1]!, arn };
}

export const SUBSCRIPTION_ATTRIBUTES = [
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'RedrivePolicy',
  'DeliveryPolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
] as const;

/**
 * Checks a subscription's attributes together (a FilterPolicy is checked under the scope it will
 * have), returning the compiled filter policy. `attrs` holds the values it will have once set.
 */
export function checkSubscriptionAttributes(
  attrs: Readonly<Record<string, string>>,
  protocol: Protocol,
  topicFifo: boolean,
): FilterPolicy | undefined {
  for (const name of Object.keys(attrs))
    if (!(SUBSCRIPTION_ATTRIBUTES as readonly string[]).includes(name))
      throw invalidParameter(`Attributes Reason: Unknown attribute ${name}`);
  const raw = attrs.RawMessageDelivery;
  if (raw !== undefined) {
    if (!bool(raw)) throw invalidParameter('Attributes Reason: RawMessageDelivery must be true or false');
    if (raw === 'true' && protocol === 'lambda')
      throw invalidParameter(
        'Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
      );
  }
  if (attrs.DeliveryPolicy !== undefined && attrs.DeliveryPolicy !== '') {
    if (protocol !== 'http' && protocol !== 'https')
      throw invalidParameter(
        'DeliveryPolicy: Delivery policies are only supported for the http and https protocols',
      );
    parseSubscriptionDeliveryPolicy(attrs.DeliveryPolicy);
  }
  if (attrs.SubscriptionRoleArn !== undefined && attrs.SubscriptionRoleArn !== '')
    throw invalidParameter('Attributes Reason: SubscriptionRoleArn is only valid for the firehose protocol');
  if (attrs.ReplayPolicy !== undefined && attrs.ReplayPolicy !== '')
    throw invalidParameter(
      'Attributes Reason: ReplayPolicy needs a topic with message archiving, which Baton lacks',
    );
  if (attrs.RedrivePolicy !== undefined && attrs.RedrivePolicy !== '') {
    const dlq = parseRedrivePolicy(attrs.RedrivePolicy).deadLetterQueue;
    if (dlq.endsWith('.fifo') !== topicFifo)
      throw invalidParameter(
        'RedrivePolicy: must use a FIFO queue as the dead-letter queue of a FIFO topic, and a standard one otherwise',
      );
  }
  const scope = attrs.FilterPolicyScope ?? 'MessageAttributes';
  if (scope !== 'MessageAttributes' && scope !== 'MessageBody')
    throw invalidParameter('Attributes Reason: FilterPolicyScope must be MessageAttributes or MessageBody');
  return filterOf(attrs);
}

/** The compiled filter policy of a subscription's attributes (checked), if it has one. */
export function filterOf(attrs: Readonly<Record<string, string>>): FilterPolicy | undefined {
  const text = attrs.FilterPolicy;
  if (text === undefined || text === '') return undefined;
  try {
    return compileFilterPolicy(text, (attrs.FilterPolicyScope ?? 'MessageAttributes') as FilterScope);
  } catch (e) {
    if (e instanceof FilterPolicyError) throw invalidParameter(`FilterPolicy: ${e.message}`);
    throw e;
  }
}
