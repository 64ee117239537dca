import type { NewMessage } from '../queues/backend.ts';

/** A topic as stored: its own attributes (defaults are not stored), tags and sequence counter. */
export interface TopicRecord {
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Epoch ms. */
  createdAt: number;
}

export type Protocol = 'sqs' | 'lambda' | 'http' | 'https';

export interface SubscriptionRecord {
  /** The last part of the subscription's ARN (`<topic ARN>:<id>`). */
  id: string;
  topic: string;
  protocol: Protocol;
  endpoint: string;
  /** The account that subscribed. */
  owner: string;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy … as set. */
  attributes: Record<string, string>;
  /** The token ConfirmSubscription presents (HTTP/S subscriptions); null for the others. */
  token: string | null;
  /** False while an HTTP/S subscription awaits ConfirmSubscription. */
  confirmed: boolean;
  /** Whether the ConfirmSubscription call was signed (false for the unsigned SubscribeURL). */
  authenticated: boolean;
  /** AuthenticateOnUnsubscribe, as confirmed. */
  authenticateOnUnsubscribe: boolean;
  createdAt: number;
}

/**
 * A delivery that leaves the database after the publish (to a function or an HTTP endpoint): kept
 * in an outbox until it succeeds, is handed to a dead-letter queue, or is given up.
 */
export interface OutboxEntry {
  id: string;
  /** The subscription's id. */
  subscription: string;
  /** `sqs` only when the queues live in another database than the topics (see TopicServiceDeps). */
  kind: 'lambda' | 'http' | 'sqs';
  /** What to send, as JSON (built at publish time: the signature covers the publish). */
  payload: string;
  createdAt: number;
  /** When it is next tried (epoch ms). While it is being tried, the end of its lease. */
  dueAt: number;
  /** Attempts made so far. */
  attempts: number;
}

/** A message for one queue, as the queue service prepared it. */
export interface QueueWrite {
  queue: string;
  message: NewMessage;
  dedup: { windowMs: number; perGroup: boolean } | null;
}

/** One published message and everything it fans out to. */
export interface PublishWrite {
  topic: string;
  messageId: string;
  /** FIFO topics: a deduplication id seen within `windowMs` makes the publish a duplicate. */
  dedup: { id: string; windowMs: number } | null;
  /**
   * Builds the deliveries once the topic's sequence number for this message is known. Called
   * inside the publish's transaction, and not at all for a duplicate.
   */
  deliveries(seq: number): { queues: QueueWrite[]; outbox: OutboxEntry[] };
}

export interface PublishOutcome {
  messageId: string;
  /** The topic's sequence number of the message (FIFO topics report it). */
  seq: number;
  duplicate: boolean;
  /** Queues that got a message (to wake their long polls). */
  queues: string[];
}

/**
 * Where topics, subscriptions and undelivered messages live. Implementation:
 * `backends/sqlite/topics.ts`, beside the queues in the same database (PostgreSQL for clusters,
 * likewise beside its queues); every one passes `test/contract/topics.contract.ts`.
 *
 * `publish` is the durability seam: it stores every delivery of a batch of publishes in one
 * transaction, writing messages straight into the subscribed queues and the rest into the
 * outbox, so an acknowledged publish reaches every subscriber even across a crash.
 */
export interface TopicBackend {
  /** Creates the topic, or returns the one that exists under that name. */
  createTopic(record: TopicRecord): Promise<{ created: boolean; record: TopicRecord }>;
  getTopic(name: string): Promise<TopicRecord | undefined>;
  listTopics(): Promise<TopicRecord[]>;
  updateTopic(record: TopicRecord): Promise<void>;
  /** Deletes the topic with its subscriptions and their pending deliveries; false when there was none. */
  deleteTopic(name: string): Promise<boolean>;

  /** Creates or replaces a subscription. */
  putSubscription(record: SubscriptionRecord): Promise<void>;
  getSubscription(id: string): Promise<SubscriptionRecord | undefined>;
  /** A topic's subscriptions, or every subscription, oldest first. */
  listSubscriptions(topic?: string): Promise<SubscriptionRecord[]>;
  /** Deletes a subscription and its pending deliveries; false when there was none. */
  deleteSubscription(id: string): Promise<boolean>;

  /** Stores publishes and all their deliveries in one transaction. */
  publish(writes: PublishWrite[], now: number): Promise<PublishOutcome[]>;

  /** Adds outbox entries (a subscription confirmation, say). */
  addDeliveries(entries: OutboxEntry[]): Promise<void>;
  /**
   * Takes up to `limit` entries due at `now`, earliest first, and moves their due time to
   * `leaseUntil`: if the process dies while one is tried, it is tried again after its lease.
   */
  claimDeliveries(now: number, limit: number, leaseUntil: number): Promise<OutboxEntry[]>;
  /** Sets when an entry is tried next, and its attempts (ending its lease). */
  rescheduleDelivery(id: string, dueAt: number, attempts: number): Promise<void>;
  removeDelivery(id: string): Promise<void>;
  /** Makes entries that were being tried when the node stopped due at `now` (at start, one node). */
  releaseDeliveryLeases(now: number): Promise<number>;
  /** The earliest due time in the outbox. */
  nextDeliveryDue(): Promise<number | undefined>;
}
