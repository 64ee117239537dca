import type {
  NewMessage,
  QueueBackend,
  QueueRecord,
  SendOutcome,
  StoredMessage,
} from '../../services/queues/backend.ts';
import { type QueueMessageRow, toStoredMessage } from '../queue-rows.ts';
import { guard, type SqliteDatabase } from './database.ts';

const INSERT_MESSAGE = `INSERT INTO queue_messages (queue, id, body, meta, group_id, dedup_id, sent_at, visible_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Stores messages in a queue, FIFO deduplication included, inside the caller's transaction. The
 * queue backend's `send` wraps it in one; the topic backend calls it within a publish's
 * transaction, so a fan-out to queues commits with the publish (`backends/sqlite/topics.ts`).
 */
export function queueMessageWriter(
  db: SqliteDatabase,
): (
  queue: string,
  messages: NewMessage[],
  now: number,
  dedup: { windowMs: number; perGroup: boolean } | null,
) => SendOutcome[] {
  const insMsg =
    db.prepare<[string, string, string, string, string | null, string | null, number, number]>(
      INSERT_MESSAGE,
    );
  const findDedup = db.prepare<[string, string, string, number], { message_id: string; seq: number }>(
    'SELECT message_id, seq FROM queue_dedup WHERE queue = ? AND scope = ? AND dedup_id = ? AND expires_at > ?',
  );
  const putDedup = db.prepare<[string, string, string, string, number, number]>(
    `INSERT INTO queue_dedup (queue, scope, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (queue, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
  );
  const sweepDedup = db.prepare<[string, number]>(
    'DELETE FROM queue_dedup WHERE queue = ? AND expires_at <= ?',
  );
  return (queue, messages, now, dedup) => {
    const out: SendOutcome[] = [];
    if (dedup) sweepDedup.run(queue, now);
    for (const m of messages) {
      if (dedup && m.dedupId !== null) {
        const scope = dedup.perGroup ? (m.groupId ?? '') : '';
        const seen = findDedup.get(queue, scope, m.dedupId, now);
        if (seen) {
          out.push({ id: seen.message_id, seq: seen.seq, duplicate: true });
          continue;
        }
        const seq = Number(
          insMsg.run(queue, m.id, m.body, m.meta, m.groupId, m.dedupId, now, m.visibleAt).lastInsertRowid,
        );
        putDedup.run(queue, scope, m.dedupId, m.id, seq, now + dedup.windowMs);
        out.push({ id: m.id, seq, duplicate: false });
        continue;
      }
      const seq = Number(
        insMsg.run(queue, m.id, m.body, m.meta, m.groupId, m.dedupId, now, m.visibleAt).lastInsertRowid,
      );
      out.push({ id: m.id, seq, duplicate: false });
    }
    return out;
  };
}

/** Queues in the embedded SQLite database: every operation is one transaction. */
export function sqliteQueues(db: SqliteDatabase): QueueBackend {
  const getQ = db.prepare<[string], { record: string }>('SELECT record FROM queues WHERE name = ?');
  const listQ = db.prepare<[], { record: string }>('SELECT record FROM queues ORDER BY name');
  const insQ = db.prepare<[string, string]>('INSERT INTO queues (name, record) VALUES (?, ?)');
  const updQ = db.prepare<[string, string]>('UPDATE queues SET record = ? WHERE name = ?');
  const delQ = db.prepare<[string]>('DELETE FROM queues WHERE name = ?');
  const delMsgs = db.prepare<[string]>('DELETE FROM queue_messages WHERE queue = ?');
  const delDedup = db.prepare<[string]>('DELETE FROM queue_dedup WHERE queue = ?');
  const insMsg =
    db.prepare<[string, string, string, string, string | null, string | null, number, number]>(
      INSERT_MESSAGE,
    );
  const visible = db.prepare<[string, number, number], QueueMessageRow>(
    // Oldest first, walking the (queue, seq) index: no sort of the backlog, and it stops at `max`.
    'SELECT * FROM queue_messages INDEXED BY queue_messages_seq WHERE queue = ? AND visible_at <= ? ORDER BY seq LIMIT ?',
  );
  // FIFO: the oldest visible messages of groups with nothing in flight and nothing older hidden.
  const visibleFifo = db.prepare<[{ queue: string; now: number; limit: number }], QueueMessageRow>(
    `SELECT * FROM queue_messages m
     WHERE m.queue = @queue AND m.visible_at <= @now
       AND NOT EXISTS (
         SELECT 1 FROM queue_messages f
         WHERE f.queue = @queue AND f.group_id = m.group_id AND f.visible_at > @now
           AND (f.receipt IS NOT NULL OR f.seq < m.seq)
       )
     ORDER BY m.seq LIMIT @limit`,
  );
  const take = db.prepare<[number, number, string, number]>(
    `UPDATE queue_messages SET visible_at = ?, receive_count = receive_count + 1,
       first_receive_at = coalesce(first_receive_at, ?), receipt = ? WHERE seq = ?`,
  );
  const delSeq = db.prepare<[number]>('DELETE FROM queue_messages WHERE seq = ?');
  const setSource = db.prepare<[string, number]>('UPDATE queue_messages SET source_queue = ? WHERE seq = ?');
  const byId = db.prepare<[string, string], { seq: number; receipt: string | null; visible_at: number }>(
    'SELECT seq, receipt, visible_at FROM queue_messages WHERE queue = ? AND id = ?',
  );
  const setVisible = db.prepare<[number, number]>('UPDATE queue_messages SET visible_at = ? WHERE seq = ?');
  const counts = db.prepare<
    [{ queue: string; now: number }],
    { visible: number; inflight: number; delayed: number }
  >(
    `SELECT
       count(*) FILTER (WHERE visible_at <= @now) AS visible,
       count(*) FILTER (WHERE visible_at > @now AND receipt IS NOT NULL) AS inflight,
       count(*) FILTER (WHERE visible_at > @now AND receipt IS NULL) AS delayed
     FROM queue_messages WHERE queue = @queue`,
  );
  const nextVis = db.prepare<[string, number], { t: number | null }>(
    'SELECT min(visible_at) AS t FROM queue_messages WHERE queue = ? AND visible_at > ?',
  );
  const expire = db.prepare<[string, number]>('DELETE FROM queue_messages WHERE queue = ? AND sent_at < ?');
  const oldest = db.prepare<[string], { t: number | null }>(
    'SELECT min(sent_at) AS t FROM queue_messages WHERE queue = ?',
  );

  const send = db.transaction(queueMessageWriter(db));

  const receive = db.transaction((queue: string, opts: Parameters<QueueBackend['receive']>[1]) => {
    const out: StoredMessage[] = [];
    // Messages past their receive limit are moved out of the way, then the search goes on.
    for (let round = 0; round < 10 && out.length < opts.max; round++) {
      const want = opts.max - out.length;
      const rows = opts.fifo
        ? visibleFifo.all({ queue, now: opts.now, limit: want })
        : visible.all(queue, opts.now, want);
      if (rows.length === 0) break;
      let movedAny = false;
      const groupsTaken = new Set<string>();
      for (const r of rows) {
        if (opts.redrive && r.receive_count >= opts.redrive.maxReceiveCount) {
          // To the dead-letter queue, keeping its id and first enqueue time (retention counts from it).
          delSeq.run(r.seq);
          const moved = insMsg.run(
            opts.redrive.deadLetterQueue,
            r.id,
            r.body,
            r.meta,
            r.group_id,
            r.dedup_id,
            r.sent_at,
            opts.now,
          );
          setSource.run(queue, Number(moved.lastInsertRowid));
          movedAny = true;
          continue;
        }
        if (opts.fifo && r.group_id !== null) groupsTaken.add(r.group_id);
        const nonce = opts.nonce();
        take.run(opts.now + opts.visibilityMs, opts.now, nonce, r.seq);
        out.push(
          toStoredMessage({
            ...r,
            receive_count: r.receive_count + 1,
            first_receive_at: r.first_receive_at ?? opts.now,
            receipt: nonce,
          }),
        );
      }
      if (!movedAny) break;
    }
    return out;
  });

  const deleteMessage = db.transaction((queue: string, id: string, nonce: string) => {
    const row = byId.get(queue, id);
    if (!row) return 'gone' as const;
    if (row.receipt !== nonce) return 'stale' as const;
    delSeq.run(row.seq);
    return 'deleted' as const;
  });

  const deleteMessages = db.transaction((queue: string, entries: readonly { id: string; nonce: string }[]) =>
    entries.map((e) => deleteMessage(queue, e.id, e.nonce)),
  );

  const changeVisibility = db.transaction(
    (queue: string, id: string, nonce: string, visibleAt: number, now: number) => {
      const row = byId.get(queue, id);
      if (!row || row.receipt !== nonce) return 'gone' as const;
      if (row.visible_at <= now) return 'not-inflight' as const;
      setVisible.run(visibleAt, row.seq);
      return 'ok' as const;
    },
  );

  const deleteQueue = db.transaction((name: string) => {
    delMsgs.run(name);
    delDedup.run(name);
    return delQ.run(name).changes > 0;
  });

  const createQueue = db.transaction((record: QueueRecord) => {
    const existing = getQ.get(record.name);
    if (existing) return { created: false, record: JSON.parse(existing.record) as QueueRecord };
    insQ.run(record.name, JSON.stringify(record));
    return { created: true, record };
  });

  return {
    async createQueue(record) {
      return guard('create queue', () => createQueue(record));
    },
    async getQueue(name) {
      const row = guard('get queue', () => getQ.get(name));
      return row ? (JSON.parse(row.record) as QueueRecord) : undefined;
    },
    async listQueues() {
      return guard('list queues', () => listQ.all()).map((r) => JSON.parse(r.record) as QueueRecord);
    },
    async updateQueue(record) {
      guard('update queue', () => updQ.run(JSON.stringify(record), record.name));
    },
    async deleteQueue(name) {
      return guard('delete queue', () => deleteQueue(name));
    },
    async send(queue, messages, now, dedup) {
      return guard('send messages', () => send(queue, messages, now, dedup));
    },
    async receive(queue, opts) {
      return guard('receive messages', () => receive(queue, opts));
    },
    async deleteMessage(queue, id, nonce) {
      return guard('delete message', () => deleteMessage(queue, id, nonce));
    },
    async deleteMessages(queue, entries) {
      return guard('delete messages', () => deleteMessages(queue, entries));
    },
    async changeVisibility(queue, id, nonce, visibleAt, now) {
      return guard('change visibility', () => changeVisibility(queue, id, nonce, visibleAt, now));
    },
    async purge(queue) {
      guard('purge queue', () => {
        delMsgs.run(queue);
        delDedup.run(queue);
      });
    },
    async counts(queue, now) {
      return guard('count messages', () => counts.get({ queue, now })!);
    },
    async nextVisible(queue, now) {
      return guard('next visible', () => nextVis.get(queue, now))?.t ?? undefined;
    },
    async expire(queue, sentBefore) {
      return guard('expire messages', () => expire.run(queue, sentBefore)).changes;
    },
    async oldestSentAt(queue) {
      return guard('oldest message', () => oldest.get(queue))?.t ?? undefined;
    },
  };
}
