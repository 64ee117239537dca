import { QueueError } from './errors.ts';

/** Queue attributes a caller may set, as SQS names them (values are strings on the wire). */
export type QueueAttributes = Record<string, string>;

interface IntRule {
  kind: 'int';
  min: number;
  max: number;
  default: number;
}
interface Rule {
  kind: 'int' | 'bool' | 'json' | 'string' | 'enum';
  min?: number;
  max?: number;
  default?: number | string;
  values?: readonly string[];
  /** Only on FIFO queues. */
  fifoOnly?: boolean;
  /** Only at creation. */
  createOnly?: boolean;
}

/**
 * The settable attributes with SQS's documented ranges and defaults.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export const SETTABLE: Record<string, Rule> = {
  DelaySeconds: { kind: 'int', min: 0, max: 900, default: 0 },
  MaximumMessageSize: { kind: 'int', min: 1024, max: 262_144, default: 262_144 },
  MessageRetentionPeriod: { kind: 'int', min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { kind: 'int', min: 0, max: 20, default: 0 },
  VisibilityTimeout: { kind: 'int', min: 0, max: 43_200, default: 30 },
  Policy: { kind: 'json' },
  RedrivePolicy: { kind: 'json' },
  RedriveAllowPolicy: { kind: 'json' },
  KmsMasterKeyId: { kind: 'string' },
  KmsDataKeyReusePeriodSeconds: { kind: 'int', min: 60, max: 86_400, default: 300 },
  SqsManagedSseEnabled: { kind: 'bool', default: 'true' },
  FifoQueue: { kind: 'bool', createOnly: true },
  ContentBasedDeduplication: { kind: 'bool', fifoOnly: true, default: 'false' },
  DeduplicationScope: { kind: 'enum', values: ['messageGroup', 'queue'], fifoOnly: true, default: 'queue' },
  FifoThroughputLimit: {
    kind: 'enum',
    values: ['perQueue', 'perMessageGroupId'],
    fifoOnly: true,
    default: 'perQueue',
  },
};

/** Attributes computed by the service, readable with GetQueueAttributes. */
export const READ_ONLY = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

const invalidValue = (name: string, why: string) =>
  new QueueError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${why}`);

export function intAttribute(attrs: QueueAttributes, name: keyof typeof SETTABLE & string): number {
  const v = attrs[name];
  return v === undefined ? ((SETTABLE[name] as IntRule).default ?? 0) : Number(v);
}

/** The redrive policy of a queue, parsed. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(text: string): RedrivePolicy {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw invalidValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const p = o as Record<string, unknown> | null;
  const arn = p?.deadLetterTargetArn;
  const count = Number(p?.maxReceiveCount);
  if (
    typeof arn !== 'string' ||
    !/^arn:aws[a-zA-Z-]*:sqs:[^:]+:\d{12}:[a-zA-Z0-9_-]{1,80}(\.fifo)?$/.test(arn)
  )
    throw invalidValue('RedrivePolicy', 'Dead-letter target ARN is not a valid SQS queue ARN.');
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw invalidValue('RedrivePolicy', 'Value for maxReceiveCount must be an integer between 1 and 1000.');
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes and returns them normalised.
 * `fifo` is the queue's type; `creating` allows `FifoQueue`.
 */
export function validateAttributes(
  input: QueueAttributes,
  fifo: boolean,
  creating: boolean,
): QueueAttributes {
  const out: QueueAttributes = {};
  for (const [name, raw] of Object.entries(input)) {
    // Own properties only: `toString` or `__proto__` are not attributes.
    const rule = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
    if (!rule || (rule.createOnly && !creating))
      throw new QueueError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    if (typeof raw !== 'string') throw invalidValue(name, 'must be a string.');
    const value = raw;
    if (rule.fifoOnly && !fifo) throw new QueueError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    switch (rule.kind) {
      case 'int': {
        const n = Number(value);
        if (value.trim() === '' || !Number.isInteger(n) || n < rule.min! || n > rule.max!)
          throw invalidValue(name, `must be an integer between ${rule.min} and ${rule.max}.`);
        out[name] = String(n);
        break;
      }
      case 'bool': {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') throw invalidValue(name, 'must be true or false.');
        out[name] = v;
        break;
      }
      case 'enum':
        if (!rule.values!.includes(value))
          throw invalidValue(name, `must be one of ${rule.values!.join(', ')}.`);
        out[name] = value;
        break;
      case 'json':
        if (value !== '') {
          if (name === 'RedrivePolicy') parseRedrivePolicy(value);
          else
            try {
              JSON.parse(value);
            } catch {
              throw invalidValue(name, 'must be a valid JSON document.');
            }
        }
        out[name] = value;
        break;
      default:
        out[name] = value;
    }
  }
  if (creating && 'FifoQueue' in out && (out.FifoQueue === 'true') !== fifo)
    throw invalidValue(
      'FifoQueue',
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.',
    );
  return out;
}

/** Every settable attribute's effective value: the queue's own, else SQS's default. */
export function effectiveAttributes(attrs: QueueAttributes, fifo: boolean): QueueAttributes {
  const out: QueueAttributes = {};
  for (const [name, rule] of Object.entries(SETTABLE)) {
    if (rule.fifoOnly && !fifo) continue;
    if (name === 'FifoQueue') {
      if (fifo) out.FifoQueue = 'true';
      continue;
    }
    const v = attrs[name] ?? (rule.default === undefined ? undefined : String(rule.default));
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}
