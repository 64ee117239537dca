import type {
  OutboxEntry,
  PublishOutcome,
  PublishWrite,
  SubscriptionRecord,
  TopicBackend,
  TopicRecord,
} from '../../services/topics/backend.ts';
import { guard, type SqliteDatabase } from './database.ts';
import { queueMessageWriter } from './queues.ts';

interface DeliveryRow {
  id: string;
  subscription: string;
  kind: OutboxEntry['kind'];
  payload: string;
  created_at: number;
  due_at: number;
  attempts: number;
}

const toEntry = (r: DeliveryRow): OutboxEntry => ({
  id: r.id,
  subscription: r.subscription,
  kind: r.kind,
  payload: r.payload,
  createdAt: r.created_at,
  dueAt: r.due_at,
  attempts: r.attempts,
});

/**
 * Topics in the embedded SQLite database, beside the queues: a publish writes its queue messages
 * (through the queue backend's own writer) and its outbox entries in one transaction.
 */
export function sqliteTopics(db: SqliteDatabase): TopicBackend {
  const writeQueue = queueMessageWriter(db);
  const getT = db.prepare<[string], { record: string }>('SELECT record FROM topics WHERE name = ?');
  const listT = db.prepare<[], { record: string }>('SELECT record FROM topics ORDER BY name');
  const insT = db.prepare<[string, string]>('INSERT INTO topics (name, record) VALUES (?, ?)');
  const updT = db.prepare<[string, string]>('UPDATE topics SET record = ? WHERE name = ?');
  const delT = db.prepare<[string]>('DELETE FROM topics WHERE name = ?');
  const bumpSeq = db.prepare<[string], { seq: number }>(
    'UPDATE topics SET seq = seq + 1 WHERE name = ? RETURNING seq',
  );
  const delTopicDedup = db.prepare<[string]>('DELETE FROM topic_dedup WHERE topic = ?');
  const findDedup = db.prepare<[string, string, number], { message_id: string; seq: number }>(
    'SELECT message_id, seq FROM topic_dedup WHERE topic = ? AND dedup_id = ? AND expires_at > ?',
  );
  const putDedup = db.prepare<[string, string, string, number, number]>(
    `INSERT INTO topic_dedup (topic, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (topic, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq,
       expires_at = excluded.expires_at`,
  );
  const sweepDedup = db.prepare<[string, number]>(
    'DELETE FROM topic_dedup WHERE topic = ? AND expires_at <= ?',
  );

  const putS = db.prepare<[string, string, number, string]>(
    `INSERT INTO topic_subscriptions (id, topic, created_at, record) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
  );
  const getS = db.prepare<[string], { record: string }>(
    'SELECT record FROM topic_subscriptions WHERE id = ?',
  );
  const listS = db.prepare<[string], { record: string }>(
    'SELECT record FROM topic_subscriptions WHERE topic = ? ORDER BY created_at, id',
  );
  const listAllS = db.prepare<[], { record: string }>(
    'SELECT record FROM topic_subscriptions ORDER BY created_at, id',
  );
  const delS = db.prepare<[string]>('DELETE FROM topic_subscriptions WHERE id = ?');
  const delTopicS = db.prepare<[string]>('DELETE FROM topic_subscriptions WHERE topic = ?');
  const delSubDeliveries = db.prepare<[string]>('DELETE FROM topic_deliveries WHERE subscription = ?');
  const delTopicDeliveries = db.prepare<[string]>(
    'DELETE FROM topic_deliveries WHERE subscription IN (SELECT id FROM topic_subscriptions WHERE topic = ?)',
  );

  const addD = db.prepare<[string, string, string, string, number, number, number]>(
    `INSERT INTO topic_deliveries (id, subscription, kind, payload, created_at, due_at, attempts)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const claimD = db.prepare<[{ lease: number; now: number; limit: number }], DeliveryRow>(
    `UPDATE topic_deliveries SET due_at = @lease, leased = 1
     WHERE id IN (SELECT id FROM topic_deliveries WHERE due_at <= @now AND leased = 0 ORDER BY due_at LIMIT @limit)
     RETURNING id, subscription, kind, payload, created_at, due_at, attempts`,
  );
  const rescheduleD = db.prepare<[number, number, string]>(
    'UPDATE topic_deliveries SET due_at = ?, attempts = ?, leased = 0 WHERE id = ?',
  );
  const removeD = db.prepare<[string]>('DELETE FROM topic_deliveries WHERE id = ?');
  const releaseD = db.prepare<[number]>(
    'UPDATE topic_deliveries SET due_at = ?, leased = 0 WHERE leased = 1',
  );
  const nextD = db.prepare<[], { due: number | null }>('SELECT min(due_at) AS due FROM topic_deliveries');

  const add = (e: OutboxEntry) =>
    addD.run(e.id, e.subscription, e.kind, e.payload, e.createdAt, e.dueAt, e.attempts);

  const createTopic = db.transaction((record: TopicRecord) => {
    const existing = getT.get(record.name);
    if (existing) return { created: false, record: JSON.parse(existing.record) as TopicRecord };
    insT.run(record.name, JSON.stringify(record));
    return { created: true, record };
  });

  const deleteTopic = db.transaction((name: string) => {
    delTopicDeliveries.run(name);
    delTopicS.run(name);
    delTopicDedup.run(name);
    return delT.run(name).changes > 0;
  });

  const deleteSubscription = db.transaction((id: string) => {
    delSubDeliveries.run(id);
    return delS.run(id).changes > 0;
  });

  const publish = db.transaction((writes: PublishWrite[], now: number) => {
    const out: PublishOutcome[] = [];
    const swept = new Set<string>();
    for (const w of writes) {
      if (w.dedup) {
        if (!swept.has(w.topic)) {
          sweepDedup.run(w.topic, now);
          swept.add(w.topic);
        }
        const seen = findDedup.get(w.topic, w.dedup.id, now);
        if (seen) {
          out.push({ messageId: seen.message_id, seq: seen.seq, duplicate: true, queues: [] });
          continue;
        }
      }
      const row = bumpSeq.get(w.topic);
      // The topic was deleted since the caller looked it up: nothing to deliver to.
      if (!row) {
        out.push({ messageId: w.messageId, seq: 0, duplicate: false, queues: [] });
        continue;
      }
      if (w.dedup) putDedup.run(w.topic, w.dedup.id, w.messageId, row.seq, now + w.dedup.windowMs);
      const d = w.deliveries(row.seq);
      for (const q of d.queues) writeQueue(q.queue, [q.message], now, q.dedup);
      for (const e of d.outbox) add(e);
      out.push({
        messageId: w.messageId,
        seq: row.seq,
        duplicate: false,
        queues: d.queues.map((q) => q.queue),
      });
    }
    return out;
  });

  const addDeliveries = db.transaction((entries: OutboxEntry[]) => {
    for (const e of entries) add(e);
  });

  return {
    async createTopic(record) {
      return guard('create topic', () => createTopic(record));
    },
    async getTopic(name) {
      const row = guard('get topic', () => getT.get(name));
      return row ? (JSON.parse(row.record) as TopicRecord) : undefined;
    },
    async listTopics() {
      return guard('list topics', () => listT.all()).map((r) => JSON.parse(r.record) as TopicRecord);
    },
    async updateTopic(record) {
      guard('update topic', () => updT.run(JSON.stringify(record), record.name));
    },
    async deleteTopic(name) {
      return guard('delete topic', () => deleteTopic(name));
    },
    async putSubscription(record) {
      guard('put subscription', () =>
        putS.run(record.id, record.topic, record.createdAt, JSON.stringify(record)),
      );
    },
    async getSubscription(id) {
      const row = guard('get subscription', () => getS.get(id));
      return row ? (JSON.parse(row.record) as SubscriptionRecord) : undefined;
    },
    async listSubscriptions(topic) {
      const rows = guard('list subscriptions', () =>
        topic === undefined ? listAllS.all() : listS.all(topic),
      );
      return rows.map((r) => JSON.parse(r.record) as SubscriptionRecord);
    },
    async deleteSubscription(id) {
      return guard('delete subscription', () => deleteSubscription(id));
    },
    async publish(writes, now) {
      return guard('publish', () => publish(writes, now));
    },
    async addDeliveries(entries) {
      guard('add deliveries', () => addDeliveries(entries));
    },
    async claimDeliveries(now, limit, leaseUntil) {
      const rows = guard('claim deliveries', () => claimD.all({ lease: leaseUntil, now, limit }));
      // RETURNING has no order: oldest first.
      return rows.map(toEntry).sort((a, b) => a.createdAt - b.createdAt);
    },
    async rescheduleDelivery(id, dueAt, attempts) {
      guard('reschedule delivery', () => rescheduleD.run(dueAt, attempts, id));
    },
    async removeDelivery(id) {
      guard('remove delivery', () => removeD.run(id));
    },
    async releaseDeliveryLeases(now) {
      return guard('release delivery leases', () => releaseD.run(now)).changes;
    },
    async nextDeliveryDue() {
      return guard('next delivery', () => nextD.get())?.due ?? undefined;
    },
  };
}
