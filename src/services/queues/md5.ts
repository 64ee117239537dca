import { createHash } from 'node:crypto';

/** A message attribute as SQS carries it: a data type and a string or binary value. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

/** MD5 of a message body, hex, as SQS returns it in `MD5OfMessageBody`. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(parts: Buffer[], value: Buffer): void {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  parts.push(len, value);
}

/**
 * MD5 of message attributes as SQS computes it (and the SDKs check it): for each attribute, in
 * name order, the name, the data type, a transport byte (1 string, 2 binary) and the value, each
 * string and value prefixed with its 4-byte big-endian length.
 */
export function md5OfAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    lengthPrefixed(parts, Buffer.from(name, 'utf8'));
    lengthPrefixed(parts, Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(parts, a.BinaryValue);
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(parts, Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}
