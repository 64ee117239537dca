import type { StoredMessage } from '../services/queues/backend.ts';

/** A `queue_messages` row as both SQL backends read it (same columns in SQLite and PostgreSQL). */
export interface QueueMessageRow {
  seq: number;
  id: string;
  body: string;
  meta: string;
  group_id: string | null;
  dedup_id: string | null;
  sent_at: number;
  first_receive_at: number | null;
  receive_count: number;
  receipt: string | null;
  source_queue: string | null;
}

export const toStoredMessage = (r: QueueMessageRow): StoredMessage => ({
  id: r.id,
  body: r.body,
  meta: r.meta,
  groupId: r.group_id,
  dedupId: r.dedup_id,
  seq: r.seq,
  sentAt: r.sent_at,
  firstReceiveAt: r.first_receive_at,
  receiveCount: r.receive_count,
  receipt: r.receipt ?? '',
  sourceQueue: r.source_queue,
});
