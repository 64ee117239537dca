import type { QueueAttributes } from './attributes.ts';

/** A queue as stored: its own attributes (defaults are not stored) and tags. */
export interface QueueRecord {
  name: string;
  fifo: boolean;
  attributes: QueueAttributes;
  tags: Record<string, string>;
  /** Epoch ms. */
  createdAt: number;
  lastModified: number;
}

/** A message to store. `meta` is opaque to the backend (attributes and their digests, as JSON). */
export interface NewMessage {
  id: string;
  body: string;
  meta: string;
  groupId: string | null;
  dedupId: string | null;
  /** Epoch ms before which it is not delivered (its delay). */
  visibleAt: number;
}

export interface StoredMessage {
  id: string;
  body: string;
  meta: string;
  groupId: string | null;
  dedupId: string | null;
  /** Position in the store; FIFO queues report it as the SequenceNumber. */
  seq: number;
  sentAt: number;
  firstReceiveAt: number | null;
  receiveCount: number;
  /** The nonce of the current receipt handle (set by the receive that returned it). */
  receipt: string;
  /** On a dead-letter queue: the queue the message was moved from. */
  sourceQueue: string | null;
}

export interface SendOutcome {
  id: string;
  seq: number;
  /** True when a FIFO deduplication id matched a message sent within the window. */
  duplicate: boolean;
}

export interface ReceiveOptions {
  now: number;
  max: number;
  visibilityMs: number;
  fifo: boolean;
  /** Messages received this many times already go to `deadLetterQueue` instead. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
  /** New receipt nonces, one per message returned (the backend takes them in order). */
  nonce: () => string;
}

/**
 * Where queues and their messages live. Implementations: `backends/sqlite/queues.ts` (and
 * PostgreSQL for clusters); every one passes `test/contract/queues.contract.ts`. Each method is
 * one transaction: a send is durable when it resolves, and a receive's visibility change and
 * dead-letter moves happen together.
 */
export interface QueueBackend {
  /** Creates the queue, or returns the one that exists under that name. */
  createQueue(record: QueueRecord): Promise<{ created: boolean; record: QueueRecord }>;
  getQueue(name: string): Promise<QueueRecord | undefined>;
  listQueues(): Promise<QueueRecord[]>;
  updateQueue(record: QueueRecord): Promise<void>;
  /** Deletes the queue with its messages; false when there was none. */
  deleteQueue(name: string): Promise<boolean>;

  /**
   * Stores messages in order. On FIFO queues a deduplication id seen within `dedupWindowMs`
   * (scoped to the queue, or to the message group) returns the earlier message instead.
   */
  send(
    queue: string,
    messages: NewMessage[],
    now: number,
    dedup: { windowMs: number; perGroup: boolean } | null,
  ): Promise<SendOutcome[]>;
  /**
   * Takes up to `max` visible messages, oldest first, and hides them for `visibilityMs`. On FIFO
   * queues a message group with a message in flight gives none.
   */
  receive(queue: string, opts: ReceiveOptions): Promise<StoredMessage[]>;
  /** Deletes a message if `nonce` is its current receipt: 'stale' when it was received again since. */
  deleteMessage(queue: string, id: string, nonce: string): Promise<'deleted' | 'stale' | 'gone'>;
  /** `deleteMessage` for several messages, in one transaction (DeleteMessageBatch). */
  deleteMessages(
    queue: string,
    entries: readonly { id: string; nonce: string }[],
  ): Promise<('deleted' | 'stale' | 'gone')[]>;
  /** Sets when a received message becomes visible again, if `nonce` is its current receipt. */
  changeVisibility(
    queue: string,
    id: string,
    nonce: string,
    visibleAt: number,
    now: number,
  ): Promise<'ok' | 'not-inflight' | 'gone'>;
  purge(queue: string): Promise<void>;
  counts(queue: string, now: number): Promise<{ visible: number; inflight: number; delayed: number }>;
  /** The earliest time after `now` at which a hidden message becomes visible. */
  nextVisible(queue: string, now: number): Promise<number | undefined>;
  /**
   * When the oldest message in the queue (visible, in flight or delayed) was first sent, or
   * undefined when it is empty: SQS's ApproximateAgeOfOldestMessage, read by metrics on scrape.
   */
  oldestSentAt(queue: string): Promise<number | undefined>;
  /** Removes messages sent before `sentBefore` (retention) from one queue. */
  expire(queue: string, sentBefore: number): Promise<number>;
}
