import { randomBytes } from 'node:crypto';
import { QueueError } from './errors.ts';

/**
 * Receipt nonces for one receive: one random draw, then a counter (a nonce only has to differ
 * from the message's earlier ones, and 96 random bits do that).
 */
export function nonces(): () => string {
  const base = randomBytes(12).toString('base64url');
  let n = 0;
  return () => `${base}${(n++).toString(36)}`;
}

/** FIFO sequence numbers are decimal strings, 20 digits in SQS's responses. */
export function seqString(seq: number): string {
  return String(seq).padStart(20, '0');
}

export function encodeReceipt(queue: string, id: string, nonce: string): string {
  return Buffer.from(`${queue}\n${id}\n${nonce}`).toString('base64url');
}

export function decodeReceipt(handle: string, queue: string): { id: string; nonce: string } {
  const parts = Buffer.from(handle, 'base64url').toString().split('\n');
  if (parts.length !== 3 || parts[0] !== queue)
    throw new QueueError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  return { id: parts[1]!, nonce: parts[2]! };
}
