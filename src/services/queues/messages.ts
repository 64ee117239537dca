import { createHash, randomUUID } from 'node:crypto';
import { intAttribute } from './attributes.ts';
import type { NewMessage, QueueRecord, StoredMessage } from './backend.ts';
import { QueueError } from './errors.ts';
import { type Input, int, invalidParam, map, missing, type Output, str } from './input.ts';
import { type MessageAttributeValue, md5OfAttributes, md5OfBody } from './md5.ts';
import { encodeReceipt, seqString } from './receipts.ts';

/** What a message carries besides its body, stored as `meta` (binary values as base64). */
export interface Meta {
  a?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  s?: Record<string, { DataType: string; StringValue?: string }>;
  mb: string;
  ma?: string;
  ms?: string;
  sender: string;
}

export const ATTR_NAME_RE = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-zA-Z0-9_.-]{1,256}$/;
// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
export const BAD_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
export const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

/** Checks message (or system) attributes: at most 10, valid names, types and values. */
export function checkAttributes(
  raw: Record<string, unknown>,
  system: boolean,
): Record<string, MessageAttributeValue> {
  // No prototype: an attribute may be named `__proto__` (test/compat/sqs-bad-input.test.ts).
  const out: Record<string, MessageAttributeValue> = Object.create(null);
  const entries = Object.entries(raw);
  if (entries.length > 10)
    throw invalidParam(
      'Number of message attributes [' + entries.length + '] exceeds the allowed maximum [10].',
    );
  for (const [name, v] of entries) {
    if (!ATTR_NAME_RE.test(name) || /^(aws|amazon)\./i.test(name))
      throw invalidParam(`Message (user) attribute name '${name}' is invalid.`);
    if (system && name !== 'AWSTraceHeader')
      throw invalidParam(`Message system attribute name '${name}' is invalid.`);
    const a = v as { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown } | null;
    const type = a?.DataType;
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\.[a-zA-Z0-9_.-]{1,})?$/.test(type))
      throw invalidParam(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    if (type.startsWith('Binary')) {
      const bin = a?.BinaryValue;
      const buf =
        typeof bin === 'string'
          ? Buffer.from(bin, 'base64')
          : bin instanceof Uint8Array
            ? Buffer.from(bin)
            : undefined;
      if (!buf || buf.length === 0)
        throw invalidParam(
          `Message (user) attribute '${name}' must contain a non-empty value of type '${type}'.`,
        );
      out[name] = { DataType: type, BinaryValue: buf };
    } else {
      const s = a?.StringValue;
      if (typeof s !== 'string' || s.length === 0)
        throw invalidParam(
          `Message (user) attribute '${name}' must contain a non-empty value of type '${type}'.`,
        );
      if (BAD_CHARS.test(s))
        throw new QueueError(
          'InvalidMessageContents',
          `Message (user) attribute '${name}' contains invalid characters.`,
        );
      if (type.startsWith('Number') && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s))
        throw invalidParam(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      out[name] = { DataType: type, StringValue: s };
    }
  }
  return out;
}

/** Bytes that attributes add to a message's size, as SQS counts them. */
export function attributesSize(attrs: Record<string, MessageAttributeValue>): number {
  let n = 0;
  for (const [k, v] of Object.entries(attrs))
    n +=
      Buffer.byteLength(k) +
      Buffer.byteLength(v.DataType) +
      (v.BinaryValue?.length ?? Buffer.byteLength(v.StringValue ?? ''));
  return n;
}

/** Validates one SendMessage (or batch entry) and turns it into a stored message. */
export function prepare(
  q: QueueRecord,
  e: Input,
  sender: string,
  now: number,
): { msg: NewMessage; reply: Output; size: number } {
  const body = str(e, 'MessageBody');
  if (body === undefined || body.length === 0) throw missing('MessageBody');
  if (BAD_CHARS.test(body))
    throw new QueueError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  const attrs = checkAttributes(map(e, 'MessageAttributes'), false);
  const sys = checkAttributes(map(e, 'MessageSystemAttributes'), true);
  const size = Buffer.byteLength(body) + attributesSize(attrs);
  const max = intAttribute(q.attributes, 'MaximumMessageSize');
  if (size > max)
    throw invalidParam(
      `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
    );
  const delay = int(e, 'DelaySeconds', 0, 900);
  let groupId: string | null = null;
  let dedupId: string | null = null;
  if (q.fifo) {
    if (delay !== undefined && delay !== 0)
      throw invalidParam(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    groupId = str(e, 'MessageGroupId') ?? null;
    if (!groupId) throw missing('MessageGroupId');
    if (!/^[\x21-\x7e]{1,128}$/.test(groupId))
      throw invalidParam('MessageGroupId is invalid: 1-128 printable ASCII characters.');
    dedupId = str(e, 'MessageDeduplicationId') ?? null;
    if (dedupId === null) {
      if (q.attributes.ContentBasedDeduplication !== 'true')
        throw invalidParam(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      dedupId = createHash('sha256').update(body).digest('hex');
    } else if (!/^[\x21-\x7e]{1,128}$/.test(dedupId))
      throw invalidParam('MessageDeduplicationId is invalid: 1-128 printable ASCII characters.');
  } else if (e.MessageGroupId !== undefined || e.MessageDeduplicationId !== undefined) {
    throw invalidParam('The request include parameter that is not valid for this queue type.');
  }
  const delayMs = (delay ?? intAttribute(q.attributes, 'DelaySeconds')) * 1000;
  const meta: Meta = { mb: md5OfBody(body), sender };
  const reply: Output = { MD5OfMessageBody: meta.mb };
  if (Object.keys(attrs).length > 0) {
    meta.a = Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        v.BinaryValue
          ? { DataType: v.DataType, BinaryValue: v.BinaryValue.toString('base64') }
          : { DataType: v.DataType, StringValue: v.StringValue! },
      ]),
    );
    meta.ma = md5OfAttributes(attrs);
    reply.MD5OfMessageAttributes = meta.ma;
  }
  if (Object.keys(sys).length > 0) {
    meta.s = Object.fromEntries(
      Object.entries(sys).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue! }]),
    );
    meta.ms = md5OfAttributes(sys);
    reply.MD5OfMessageSystemAttributes = meta.ms;
  }
  const id = randomUUID();
  return {
    msg: { id, body, meta: JSON.stringify(meta), groupId, dedupId, visibleAt: now + delayMs },
    reply,
    size,
  };
}

/** A stored message as ReceiveMessage returns it, with the attributes the caller asked for. */
export function view(
  q: QueueRecord,
  m: StoredMessage,
  systemNames: string[],
  attrNames: string[],
  ctx: { now: number; arnOf: (queue: string) => string },
): Output {
  const meta = JSON.parse(m.meta) as Meta;
  const out: Output = {
    MessageId: m.id,
    ReceiptHandle: encodeReceipt(q.name, m.id, m.receipt),
    MD5OfBody: meta.mb,
    Body: m.body,
  };
  const wantAll = systemNames.includes('All');
  const sys: Record<string, string> = {
    SenderId: meta.sender,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? ctx.now),
  };
  if (q.fifo) {
    sys.SequenceNumber = seqString(m.seq);
    if (m.dedupId) sys.MessageDeduplicationId = m.dedupId;
    if (m.groupId) sys.MessageGroupId = m.groupId;
  }
  if (meta.s?.AWSTraceHeader?.StringValue) sys.AWSTraceHeader = meta.s.AWSTraceHeader.StringValue;
  if (m.sourceQueue) sys.DeadLetterQueueSourceArn = ctx.arnOf(m.sourceQueue);
  const attributes: Record<string, string> = {};
  for (const k of SYSTEM_ATTRIBUTE_NAMES)
    if ((wantAll || systemNames.includes(k)) && sys[k] !== undefined) attributes[k] = sys[k];
  if (Object.keys(attributes).length > 0) out.Attributes = attributes;
  if (meta.a && attrNames.length > 0) {
    const picked: Record<string, MessageAttributeValue> = Object.create(null);
    for (const [k, v] of Object.entries(meta.a)) {
      const wanted = attrNames.some(
        (n) => n === 'All' || n === '.*' || n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))),
      );
      if (wanted)
        picked[k] =
          v.BinaryValue !== undefined
            ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, 'base64') }
            : { DataType: v.DataType, StringValue: v.StringValue! };
    }
    if (Object.keys(picked).length > 0) {
      out.MD5OfMessageAttributes = md5OfAttributes(picked);
      // Binary values travel as base64 in both wire protocols.
      out.MessageAttributes = Object.fromEntries(
        Object.entries(picked).map(([k, v]) => [
          k,
          v.BinaryValue ? { DataType: v.DataType, BinaryValue: v.BinaryValue.toString('base64') } : v,
        ]),
      );
    }
  }
  return out;
}
