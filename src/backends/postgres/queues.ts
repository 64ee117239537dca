import type {
  NewMessage,
  QueueBackend,
  QueueRecord,
  ReceiveOptions,
  SendOutcome,
  StoredMessage,
} from '../../services/queues/backend.ts';
import { type QueueMessageRow, toStoredMessage } from '../queue-rows.ts';
import type { PgQuery, PostgresDatabase } from './database.ts';

interface Row extends QueueMessageRow {
  queue: string;
  visible_at: number;
}

// A transaction-scoped lock on one queue (per schema). FIFO receives and FIFO sends take it, so
// a group is never handed to two receivers, and seq order is commit order within a FIFO queue.
// Deletes of many rows (purge, expire, delete queue) take it too: a FIFO receive waits for the
// rows it wants, and a bulk delete locking them in another order would deadlock with it.
const LOCK_QUEUE = `SELECT pg_advisory_xact_lock(hashtext('baton:queue'), hashtext(coalesce(current_schema(), '') || '.' || $1))`;

const VISIBLE = `SELECT * FROM queue_messages WHERE queue = $1 AND visible_at <= $2
  ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED`;

// FIFO: the oldest visible messages of groups with nothing in flight and nothing older hidden.
// Receives of one FIFO queue run one at a time (LOCK_QUEUE), so rows are locked, not skipped:
// skipping a row locked by a delete or visibility change could hand out a later message of its group.
const VISIBLE_FIFO = `SELECT * FROM queue_messages m
  WHERE m.queue = $1 AND m.visible_at <= $2
    AND NOT EXISTS (
      SELECT 1 FROM queue_messages f
      WHERE f.queue = $1 AND f.group_id = m.group_id AND f.visible_at > $2
        AND (f.receipt IS NOT NULL OR f.seq < m.seq)
    )
  ORDER BY m.seq LIMIT $3 FOR UPDATE OF m`;

// To the dead-letter queue, keeping id and first enqueue time (retention counts from it); it
// takes a new seq there, so it queues behind what the dead-letter queue holds.
const MOVE = `WITH moved AS (DELETE FROM queue_messages WHERE seq = ANY($1::bigint[]) RETURNING *)
  INSERT INTO queue_messages (queue, id, body, meta, group_id, dedup_id, sent_at, visible_at, source_queue)
  SELECT $2, id, body, meta, group_id, dedup_id, sent_at, $3, queue FROM moved ORDER BY seq`;

const TAKE = `UPDATE queue_messages m SET visible_at = $1, receive_count = m.receive_count + 1,
    first_receive_at = coalesce(m.first_receive_at, $2), receipt = t.receipt
  FROM unnest($3::bigint[], $4::text[]) AS t(seq, receipt) WHERE m.seq = t.seq`;

// Messages given their seqs (FIFO sends take them first, to claim deduplication ids with them).
const INSERT = `INSERT INTO queue_messages (seq, queue, id, body, meta, group_id, dedup_id, sent_at, visible_at)
  SELECT t.seq, $1, t.id, t.body, t.meta, t.group_id, t.dedup_id, $2, t.visible_at
  FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
    AS t(seq, id, body, meta, group_id, dedup_id, visible_at)`;

// Standard sends: one statement, seqs drawn in batch order.
const INSERT_NEW = `INSERT INTO queue_messages (queue, id, body, meta, group_id, dedup_id, sent_at, visible_at)
  SELECT $1, t.id, t.body, t.meta, t.group_id, t.dedup_id, $2, t.visible_at
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) WITH ORDINALITY
    AS t(id, body, meta, group_id, dedup_id, visible_at, n)
  ORDER BY t.n
  RETURNING id, seq`;

// Claims a deduplication id, unless a live claim holds it (then it returns no row).
const CLAIM_DEDUP = `INSERT INTO queue_dedup AS d (queue, scope, dedup_id, message_id, seq, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (queue, scope, dedup_id) DO UPDATE
    SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at
    WHERE d.expires_at <= $7
  RETURNING d.seq`;

/**
 * Queues in PostgreSQL, for nodes that share one database. Every operation is one transaction
 * (or one statement). Standard receives claim rows with `FOR UPDATE SKIP LOCKED`, so concurrent
 * receivers never wait for each other nor take the same message.
 */
export function postgresQueues(db: PostgresDatabase): QueueBackend {
  const parse = (rows: { record: string }[]) => rows.map((r) => JSON.parse(r.record) as QueueRecord);

  async function getQueue(name: string): Promise<QueueRecord | undefined> {
    const { rows } = await db.query<{ record: string }>(
      'get queue',
      'SELECT record FROM queues WHERE name = $1',
      [name],
    );
    return parse(rows)[0];
  }

  const columns = (ms: NewMessage[]) => [
    ms.map((m) => m.id),
    ms.map((m) => m.body),
    ms.map((m) => m.meta),
    ms.map((m) => m.groupId),
    ms.map((m) => m.dedupId),
    ms.map((m) => m.visibleAt),
  ];

  /** A standard queue's send: one statement, no transaction to open. */
  async function sendPlain(queue: string, messages: NewMessage[], now: number): Promise<SendOutcome[]> {
    const { rows } = await db.query<{ id: string; seq: number }>('send messages', INSERT_NEW, [
      queue,
      now,
      ...columns(messages),
    ]);
    const seqs = new Map(rows.map((r) => [r.id, r.seq]));
    return messages.map((m) => ({ id: m.id, seq: seqs.get(m.id)!, duplicate: false }));
  }

  /** A FIFO queue's send, under the queue's lock: deduplication ids are claimed, then messages stored. */
  async function sendDeduplicated(
    q: PgQuery,
    queue: string,
    messages: NewMessage[],
    now: number,
    dedup: { windowMs: number; perGroup: boolean },
  ): Promise<SendOutcome[]> {
    await q(LOCK_QUEUE, [queue]);
    // Seqs are taken up front, in batch order: the messages keep the order they were given.
    const { rows } = await q<{ seq: number }>(
      `SELECT nextval(pg_get_serial_sequence('queue_messages', 'seq')) AS seq FROM generate_series(1, $1)`,
      [messages.length],
    );
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    await q('DELETE FROM queue_dedup WHERE queue = $1 AND expires_at <= $2', [queue, now]);
    const out: SendOutcome[] = [];
    const fresh: NewMessage[] = [];
    const freshSeqs: number[] = [];
    for (const [i, m] of messages.entries()) {
      const seq = seqs[i]!;
      if (m.dedupId !== null) {
        const scope = dedup.perGroup ? (m.groupId ?? '') : '';
        const claimed = await q(CLAIM_DEDUP, [queue, scope, m.dedupId, m.id, seq, now + dedup.windowMs, now]);
        if (claimed.rowCount === 0) {
          const seen = await q<{ message_id: string; seq: number }>(
            'SELECT message_id, seq FROM queue_dedup WHERE queue = $1 AND scope = $2 AND dedup_id = $3',
            [queue, scope, m.dedupId],
          );
          const s = seen.rows[0]!;
          out.push({ id: s.message_id, seq: s.seq, duplicate: true });
          continue;
        }
      }
      fresh.push(m);
      freshSeqs.push(seq);
      out.push({ id: m.id, seq, duplicate: false });
    }
    if (fresh.length > 0) await q(INSERT, [queue, now, freshSeqs, ...columns(fresh)]);
    return out;
  }

  async function receive(q: PgQuery, queue: string, opts: ReceiveOptions): Promise<StoredMessage[]> {
    if (opts.fifo) await q(LOCK_QUEUE, [queue]);
    const out: StoredMessage[] = [];
    // Messages past their receive limit are moved out of the way, then the search goes on.
    for (let round = 0; round < 10 && out.length < opts.max; round++) {
      const { rows } = await q<Row>(opts.fifo ? VISIBLE_FIFO : VISIBLE, [
        queue,
        opts.now,
        opts.max - out.length,
      ]);
      if (rows.length === 0) break;
      const redrive = opts.redrive;
      const dead = redrive ? rows.filter((r) => r.receive_count >= redrive.maxReceiveCount) : [];
      const taken = rows.filter((r) => !dead.includes(r));
      if (redrive && dead.length > 0)
        await q(MOVE, [dead.map((r) => r.seq), redrive.deadLetterQueue, opts.now]);
      if (taken.length > 0) {
        const receipts = taken.map(() => opts.nonce());
        await q(TAKE, [opts.now + opts.visibilityMs, opts.now, taken.map((r) => r.seq), receipts]);
        taken.forEach((r, i) => {
          out.push(
            toStoredMessage({
              ...r,
              receive_count: r.receive_count + 1,
              first_receive_at: r.first_receive_at ?? opts.now,
              receipt: receipts[i]!,
            }),
          );
        });
      }
      if (dead.length === 0) break;
    }
    return out;
  }

  return {
    async createQueue(record) {
      for (;;) {
        const inserted = await db.query(
          'create queue',
          'INSERT INTO queues (name, record) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
          [record.name, JSON.stringify(record)],
        );
        if (inserted.rowCount > 0) return { created: true, record };
        const existing = await getQueue(record.name);
        // Deleted between the two statements: try again.
        if (existing) return { created: false, record: existing };
      }
    },
    getQueue,
    async listQueues() {
      // Code-point order, whatever the database's collation: ListQueues pages by name.
      const { rows } = await db.query<{ record: string }>(
        'list queues',
        'SELECT record FROM queues ORDER BY name COLLATE "C"',
      );
      return parse(rows);
    },
    async updateQueue(record) {
      await db.query('update queue', 'UPDATE queues SET record = $2 WHERE name = $1', [
        record.name,
        JSON.stringify(record),
      ]);
    },
    async deleteQueue(name) {
      return db.transaction('delete queue', async (q) => {
        await q(LOCK_QUEUE, [name]);
        await q('DELETE FROM queue_messages WHERE queue = $1', [name]);
        await q('DELETE FROM queue_dedup WHERE queue = $1', [name]);
        return (await q('DELETE FROM queues WHERE name = $1', [name])).rowCount > 0;
      });
    },
    async send(queue, messages, now, dedup) {
      if (messages.length === 0) return [];
      if (!dedup) return sendPlain(queue, messages, now);
      return db.transaction('send messages', (q) => sendDeduplicated(q, queue, messages, now, dedup));
    },
    async receive(queue, opts) {
      if (opts.max <= 0) return [];
      return db.transaction('receive messages', (q) => receive(q, queue, opts));
    },
    async deleteMessage(queue, id, nonce) {
      // The outer SELECT sees the rows as they were before the DELETE.
      const { rows } = await db.query<{ deleted: boolean; present: boolean }>(
        'delete message',
        `WITH d AS (DELETE FROM queue_messages WHERE queue = $1 AND id = $2 AND receipt = $3 RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM d) AS deleted,
                EXISTS (SELECT 1 FROM queue_messages WHERE queue = $1 AND id = $2) AS present`,
        [queue, id, nonce],
      );
      const r = rows[0]!;
      return r.deleted ? 'deleted' : r.present ? 'stale' : 'gone';
    },
    async deleteMessages(queue, entries) {
      if (entries.length === 0) return [];
      // One statement: delete where the receipt is current, then tell stale from gone.
      const { rows } = await db.query<{ ord: string; deleted: boolean; present: boolean }>(
        'delete messages',
        `WITH input AS (
           SELECT * FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(id, nonce, ord)),
         d AS (
           DELETE FROM queue_messages m USING input i
           WHERE m.queue = $1 AND m.id = i.id AND m.receipt = i.nonce RETURNING m.id)
         SELECT i.ord,
                EXISTS (SELECT 1 FROM d WHERE d.id = i.id) AS deleted,
                EXISTS (SELECT 1 FROM queue_messages q WHERE q.queue = $1 AND q.id = i.id) AS present
         FROM input i ORDER BY i.ord`,
        [queue, entries.map((e) => e.id), entries.map((e) => e.nonce)],
      );
      return rows.map((r) => (r.deleted ? 'deleted' : r.present ? 'stale' : 'gone'));
    },
    async changeVisibility(queue, id, nonce, visibleAt, now) {
      const { rows } = await db.query<{ ok: boolean; current: boolean }>(
        'change visibility',
        `WITH u AS (
           UPDATE queue_messages SET visible_at = $4
           WHERE queue = $1 AND id = $2 AND receipt = $3 AND visible_at > $5 RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM u) AS ok,
                EXISTS (SELECT 1 FROM queue_messages WHERE queue = $1 AND id = $2 AND receipt = $3) AS current`,
        [queue, id, nonce, visibleAt, now],
      );
      const r = rows[0]!;
      return r.ok ? 'ok' : r.current ? 'not-inflight' : 'gone';
    },
    async purge(queue) {
      await db.transaction('purge queue', async (q) => {
        await q(LOCK_QUEUE, [queue]);
        await q('DELETE FROM queue_messages WHERE queue = $1', [queue]);
        await q('DELETE FROM queue_dedup WHERE queue = $1', [queue]);
      });
    },
    async counts(queue, now) {
      const { rows } = await db.query<{ visible: number; inflight: number; delayed: number }>(
        'count messages',
        `SELECT
           count(*) FILTER (WHERE visible_at <= $2) AS visible,
           count(*) FILTER (WHERE visible_at > $2 AND receipt IS NOT NULL) AS inflight,
           count(*) FILTER (WHERE visible_at > $2 AND receipt IS NULL) AS delayed
         FROM queue_messages WHERE queue = $1`,
        [queue, now],
      );
      return rows[0]!;
    },
    async nextVisible(queue, now) {
      const { rows } = await db.query<{ t: number | null }>(
        'next visible',
        'SELECT min(visible_at) AS t FROM queue_messages WHERE queue = $1 AND visible_at > $2',
        [queue, now],
      );
      return rows[0]?.t ?? undefined;
    },
    async oldestSentAt(queue) {
      const { rows } = await db.query<{ t: number | null }>(
        'oldest message',
        'SELECT min(sent_at) AS t FROM queue_messages WHERE queue = $1',
        [queue],
      );
      return rows[0]?.t ?? undefined;
    },
    async expire(queue, sentBefore) {
      return db.transaction('expire messages', async (q) => {
        await q(LOCK_QUEUE, [queue]);
        return (await q('DELETE FROM queue_messages WHERE queue = $1 AND sent_at < $2', [queue, sentBefore]))
          .rowCount;
      });
    },
  };
}
