import { createHash } from 'node:crypto';
import { invalidParameter, TopicError } from './errors.ts';

/** Loose JSON shapes: what the wire adapter hands over, and what the service answers. */
export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** A message attribute as SNS carries it (binary values as base64). */
export interface SnsAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A checked publish: what every subscription's delivery is built from. */
export interface Publication {
  /** The message for protocols without their own entry (`default` with MessageStructure=json). */
  message: string;
  /** MessageStructure=json: a message per protocol (`sqs`, `lambda`, `http`, `https` …). */
  perProtocol: Record<string, string> | undefined;
  subject: string | undefined;
  attributes: Record<string, SnsAttribute>;
  groupId: string | undefined;
  dedupId: string | undefined;
}

/** SNS's limit on a message with its attributes (and on a batch's messages together). */
export const MAX_MESSAGE_BYTES = 262_144;
const ATTR_NAME_RE = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-zA-Z0-9_.-]{1,256}$/;
const ID_RE = /^[\x21-\x7e]{1,128}$/;

const paramInvalid = (message: string) => new TopicError('ParameterValueInvalid', message);

function str(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(name);
  return v;
}

/** Checks message attributes: names, types (String, String.Array, Number, Binary and custom labels), values. */
export function checkAttributes(raw: unknown): Record<string, SnsAttribute> {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('MessageAttributes');
  const out: Record<string, SnsAttribute> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!ATTR_NAME_RE.test(name) || /^(aws|amazon)\./i.test(name))
      throw paramInvalid(`The message attribute name '${name}' is invalid.`);
    const a = (v ?? {}) as { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown };
    const type = a.DataType;
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\.[a-zA-Z0-9_.-]+)?$/.test(type))
      throw paramInvalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    if (type.startsWith('Binary')) {
      const bin = a.BinaryValue;
      const b64 =
        typeof bin === 'string' ? bin : bin instanceof Uint8Array ? Buffer.from(bin).toString('base64') : '';
      if (b64 === '' || Buffer.from(b64, 'base64').length === 0)
        throw paramInvalid(`The message attribute '${name}' must contain non-empty message attribute value.`);
      out[name] = { DataType: type, BinaryValue: b64 };
      continue;
    }
    const value = a.StringValue;
    if (typeof value !== 'string' || value === '')
      throw paramInvalid(`The message attribute '${name}' must contain non-empty message attribute value.`);
    const array = type === 'String.Array' || type === 'Number.Array';
    if (!array && type.startsWith('Number') && !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim()))
      throw paramInvalid(`Could not cast message attribute '${name}' value to number.`);
    if (array) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || parsed.some((e) => typeof e === 'object' && e !== null))
        throw paramInvalid(
          `The message attribute '${name}' with type '${type}' must be a JSON array of strings, numbers, true, false or null.`,
        );
    }
    out[name] = { DataType: type, StringValue: value };
  }
  return out;
}

/** Bytes a message takes against the 256 KB limit: the body plus each attribute's name, type and value. */
export function publicationSize(message: string, attributes: Record<string, SnsAttribute>): number {
  let n = Buffer.byteLength(message);
  for (const [name, a] of Object.entries(attributes))
    n +=
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.BinaryValue !== undefined
        ? Buffer.from(a.BinaryValue, 'base64').length
        : Buffer.byteLength(a.StringValue!));
  return n;
}

/**
 * Checks a Publish (or PublishBatch entry) input for a topic, as SNS does: a non-empty message
 * within 256 KB, a valid Subject, MessageStructure=json with a `default` entry, attributes, and
 * the FIFO rules (a MessageGroupId, and a MessageDeduplicationId unless the topic deduplicates
 * by content; neither on a standard topic).
 */
export function checkPublication(
  input: Input,
  topic: { fifo: boolean; contentBasedDedup: boolean },
): Publication {
  const message = str(input, 'Message');
  if (message === undefined) throw new TopicError('ValidationError', 'Invalid parameter: Message');
  if (message === '') throw invalidParameter('Empty message');
  const attributes = checkAttributes(input.MessageAttributes);
  if (publicationSize(message, attributes) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const subject = str(input, 'Subject');
  if (subject !== undefined && (subject === '' || subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject)))
    throw invalidParameter('Subject');
  let defaultMessage = message;
  let perProtocol: Record<string, string> | undefined;
  const structure = str(input, 'MessageStructure');
  if (structure !== undefined) {
    if (structure !== 'json') throw invalidParameter('MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalidParameter('Message Structure - JSON message body failed to parse');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw invalidParameter('Message Structure - JSON message body failed to parse');
    const entries = parsed as Record<string, unknown>;
    if (typeof entries.default !== 'string')
      throw invalidParameter('Message Structure - No default entry in JSON message body');
    for (const [k, v] of Object.entries(entries))
      if (typeof v !== 'string')
        throw invalidParameter(`Message Structure - the ${k} entry must be a string`);
    defaultMessage = entries.default;
    perProtocol = entries as Record<string, string>;
  }
  let groupId = str(input, 'MessageGroupId');
  let dedupId = str(input, 'MessageDeduplicationId');
  if (topic.fifo) {
    if (groupId === undefined)
      throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (!ID_RE.test(groupId)) throw invalidParameter('MessageGroupId');
    if (dedupId === undefined) {
      if (!topic.contentBasedDedup)
        throw invalidParameter(
          'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      dedupId = createHash('sha256').update(message).digest('hex');
    } else if (!ID_RE.test(dedupId)) throw invalidParameter('MessageDeduplicationId');
  } else {
    if (dedupId !== undefined)
      throw invalidParameter(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    if (groupId !== undefined)
      throw invalidParameter(
        'MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type',
      );
    groupId = undefined;
  }
  return { message: defaultMessage, perProtocol, subject, attributes, groupId, dedupId };
}

/** The message a protocol gets: its own entry with MessageStructure=json, else the default. */
export function messageFor(p: Publication, protocol: string): string {
  return p.perProtocol?.[protocol] ?? p.message;
}
