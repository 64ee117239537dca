import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type {
  NewMessage,
  QueueBackend,
  QueueRecord,
  ReceiveOptions,
  StoredMessage,
} from '../../src/services/queues/backend.ts';

const T0 = 1_700_000_000_000;
const WINDOW = 300_000;

const queue = (name: string, over: Partial<QueueRecord> = {}): QueueRecord => ({
  name,
  fifo: name.endsWith('.fifo'),
  attributes: {},
  tags: {},
  createdAt: T0,
  lastModified: T0,
  ...over,
});

/** A message whose body names it; ids are unique across queues and runs. */
const msg = (body: string, over: Partial<NewMessage> = {}): NewMessage => ({
  id: `${body}-${randomUUID()}`,
  body,
  meta: JSON.stringify({ mb: body }),
  groupId: null,
  dedupId: null,
  visibleAt: T0,
  ...over,
});

let nonceSeq = 0;
const nonce = () => `nonce-${++nonceSeq}`;

const opts = (now: number, over: Partial<ReceiveOptions> = {}): ReceiveOptions => ({
  now,
  max: 10,
  visibilityMs: 30_000,
  fifo: false,
  nonce,
  ...over,
});

const bodies = (ms: StoredMessage[]) => ms.map((m) => m.body);

/** The queue store's contract: every QueueBackend implementation runs these. */
export function queuesContract(make: () => Promise<QueueBackend>): void {
  it('creates a queue, or returns the record that exists under that name', async () => {
    const b = await make();
    const first = queue('orders', { attributes: { VisibilityTimeout: '40' }, tags: { team: 'a' } });
    assert.deepEqual(await b.createQueue(first), { created: true, record: first });
    const again = await b.createQueue(
      queue('orders', { attributes: { VisibilityTimeout: '41' }, createdAt: 5 }),
    );
    assert.deepEqual(again, { created: false, record: first }, 'the stored record, not the new one');
    assert.deepEqual(await b.getQueue('orders'), first);
    assert.equal(await b.getQueue('nope'), undefined);
  });

  it('lists queues in code-point order of their names (ListQueues pages with `>`)', async () => {
    const b = await make();
    const names = ['b', 'a_1', 'A', 'a-2', 'a.fifo', 'Z'];
    for (const n of names) await b.createQueue(queue(n));
    const listed = (await b.listQueues()).map((q) => q.name);
    assert.deepEqual(listed, [...names].sort());
    assert.deepEqual(
      (await b.listQueues()).find((q) => q.name === 'a.fifo'),
      queue('a.fifo'),
    );
  });

  it('updates a queue record, and deletes a queue with its messages', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    const updated = queue('q', { attributes: { DelaySeconds: '5' }, tags: { k: 'v' }, lastModified: T0 + 9 });
    await b.updateQueue(updated);
    assert.deepEqual(await b.getQueue('q'), updated);
    await b.send('q', [msg('a'), msg('b')], T0, null);
    assert.equal(await b.deleteQueue('q'), true);
    assert.equal(await b.deleteQueue('q'), false, 'false when there was none');
    assert.equal(await b.getQueue('q'), undefined);
    assert.deepEqual(await b.listQueues(), []);
    await b.createQueue(queue('q'));
    assert.deepEqual(await b.counts('q', T0), { visible: 0, inflight: 0, delayed: 0 }, 'messages went too');
    assert.deepEqual(await b.receive('q', opts(T0)), []);
  });

  it('stores messages in order, with a sequence that only grows', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    const batch = [msg('a'), msg('b'), msg('c')];
    const sent = await b.send('q', batch, T0, null);
    assert.deepEqual(
      sent.map((s) => [s.id, s.duplicate]),
      batch.map((m) => [m.id, false]),
    );
    for (const s of sent) assert.ok(Number.isSafeInteger(s.seq), `seq ${s.seq} is a number`);
    assert.ok(sent[0]!.seq < sent[1]!.seq && sent[1]!.seq < sent[2]!.seq, 'seq grows within a batch');
    const got = await b.receive('q', opts(T0 + 1));
    assert.deepEqual(bodies(got), ['a', 'b', 'c']);
    assert.deepEqual(
      got.map((m) => m.seq),
      sent.map((s) => s.seq),
    );
    // Even once the newest message is gone, a later send gets a greater seq.
    for (const m of got) assert.equal(await b.deleteMessage('q', m.id, m.receipt), 'deleted');
    const [later] = await b.send('q', [msg('d')], T0 + 2, null);
    assert.ok(later!.seq > sent[2]!.seq, `seq ${later!.seq} after ${sent[2]!.seq}`);
    await b.createQueue(queue('other'));
    const [elsewhere] = await b.send('other', [msg('e')], T0 + 3, null);
    assert.ok(elsewhere!.seq > later!.seq, 'one sequence for the store');
  });

  it('returns stored fields as sent, and nothing for an empty or unknown queue', async () => {
    const b = await make();
    await b.createQueue(queue('q.fifo'));
    const m = msg('hello', { meta: '{"mb":"x","a":{"k":{"DataType":"String","StringValue":"é"}}}' });
    const [sent] = await b.send('q.fifo', [{ ...m, groupId: 'g', dedupId: 'd' }], T0, {
      windowMs: WINDOW,
      perGroup: false,
    });
    const [got] = await b.receive('q.fifo', opts(T0 + 7, { fifo: true }));
    assert.ok(got);
    assert.equal(typeof got.receipt, 'string');
    assert.deepEqual(
      { ...got, receipt: '' },
      {
        id: m.id,
        body: 'hello',
        meta: m.meta,
        groupId: 'g',
        dedupId: 'd',
        seq: sent!.seq,
        sentAt: T0,
        firstReceiveAt: T0 + 7,
        receiveCount: 1,
        receipt: '',
        sourceQueue: null,
      },
    );
    await b.createQueue(queue('empty'));
    assert.deepEqual(await b.receive('empty', opts(T0)), []);
    assert.deepEqual(await b.receive('missing', opts(T0)), []);
  });

  it('deduplicates FIFO sends per queue within the window, and not after it', async () => {
    const b = await make();
    await b.createQueue(queue('q.fifo'));
    const dedup = { windowMs: WINDOW, perGroup: false };
    const [first] = await b.send('q.fifo', [msg('a', { groupId: 'g1', dedupId: 'd1' })], T0, dedup);
    assert.equal(first!.duplicate, false);
    const again = await b.send(
      'q.fifo',
      [msg('a2', { groupId: 'g2', dedupId: 'd1' }), msg('b', { groupId: 'g1', dedupId: 'd2' })],
      T0 + WINDOW - 1,
      dedup,
    );
    assert.deepEqual(again[0], { id: first!.id, seq: first!.seq, duplicate: true }, 'any group, same queue');
    assert.equal(again[1]!.duplicate, false);
    // Within one batch too.
    const batch = await b.send(
      'q.fifo',
      [msg('c', { groupId: 'g1', dedupId: 'd3' }), msg('c2', { groupId: 'g1', dedupId: 'd3' })],
      T0 + 10,
      dedup,
    );
    assert.deepEqual(batch[1], { ...batch[0]!, duplicate: true });
    // Deleting the message does not end its window.
    const taken = await b.receive('q.fifo', opts(T0 + 20, { fifo: true }));
    assert.deepEqual(bodies(taken), ['a', 'b', 'c']);
    for (const m of taken) await b.deleteMessage('q.fifo', m.id, m.receipt);
    const [afterDelete] = await b.send(
      'q.fifo',
      [msg('a3', { groupId: 'g1', dedupId: 'd1' })],
      T0 + 30,
      dedup,
    );
    assert.deepEqual(afterDelete, { id: first!.id, seq: first!.seq, duplicate: true });
    assert.deepEqual(await b.counts('q.fifo', T0 + 30), { visible: 0, inflight: 0, delayed: 0 });
    // The window ends `windowMs` after the first send.
    const [late] = await b.send('q.fifo', [msg('a4', { groupId: 'g1', dedupId: 'd1' })], T0 + WINDOW, dedup);
    assert.equal(late!.duplicate, false);
    assert.ok(late!.id !== first!.id && late!.seq > batch[0]!.seq);
    const [dupOfLate] = await b.send(
      'q.fifo',
      [msg('a5', { groupId: 'g1', dedupId: 'd1' })],
      T0 + WINDOW + 1,
      dedup,
    );
    assert.deepEqual(dupOfLate, { ...late!, duplicate: true }, 'the new send opens a new window');
    assert.deepEqual(bodies(await b.receive('q.fifo', opts(T0 + WINDOW + 2, { fifo: true }))), ['a4']);
  });

  it('deduplicates per message group when the scope is the group, and never without dedup', async () => {
    const b = await make();
    await b.createQueue(queue('q.fifo'));
    await b.createQueue(queue('other.fifo'));
    await b.createQueue(queue('std'));
    const perGroup = { windowMs: WINDOW, perGroup: true };
    const sent = await b.send(
      'q.fifo',
      [
        msg('a', { groupId: 'g1', dedupId: 'd' }),
        msg('b', { groupId: 'g2', dedupId: 'd' }),
        msg('c', { groupId: 'g1', dedupId: 'd' }),
      ],
      T0,
      perGroup,
    );
    assert.deepEqual(
      sent.map((s) => s.duplicate),
      [false, false, true],
    );
    assert.equal(sent[2]!.id, sent[0]!.id);
    const [otherQueue] = await b.send(
      'other.fifo',
      [msg('d', { groupId: 'g1', dedupId: 'd' })],
      T0,
      perGroup,
    );
    assert.equal(otherQueue!.duplicate, false, 'windows are per queue');
    const std = await b.send('std', [msg('e', { dedupId: 'x' }), msg('f', { dedupId: 'x' })], T0, null);
    assert.deepEqual(
      std.map((s) => s.duplicate),
      [false, false],
    );
    assert.equal((await b.counts('std', T0)).visible, 2);
  });

  it('receives visible messages oldest first, up to max, and hides them for the visibility timeout', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.send('q', [msg('a'), msg('b'), msg('c')], T0, null);
    await b.send('q', [msg('later', { visibleAt: T0 + 5_000 })], T0, null);
    const first = await b.receive('q', opts(T0, { max: 2, visibilityMs: 1_000 }));
    assert.deepEqual(bodies(first), ['a', 'b']);
    assert.deepEqual(
      bodies(await b.receive('q', opts(T0 + 1, { visibilityMs: 1_000 }))),
      ['c'],
      'received messages are hidden; a delayed one is not due',
    );
    assert.deepEqual(await b.receive('q', opts(T0 + 999)), [], 'hidden until now + visibilityMs');
    const again = await b.receive('q', opts(T0 + 1_000, { max: 1 }));
    assert.deepEqual(bodies(again), ['a'], 'visible again at now + visibilityMs, still oldest first');
    const rest = await b.receive('q', opts(T0 + 5_000));
    assert.deepEqual(bodies(rest), ['b', 'c', 'later']);
  });

  it('counts receives, keeps the first receive time, and hands out a new receipt each time', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.send('q', [msg('a')], T0, null);
    const [r1] = await b.receive('q', opts(T0 + 10, { visibilityMs: 100 }));
    const [r2] = await b.receive('q', opts(T0 + 110, { visibilityMs: 100 }));
    const [r3] = await b.receive('q', opts(T0 + 500, { visibilityMs: 100 }));
    assert.deepEqual(
      [r1, r2, r3].map((m) => [m?.receiveCount, m?.firstReceiveAt, m?.sentAt]),
      [
        [1, T0 + 10, T0],
        [2, T0 + 10, T0],
        [3, T0 + 10, T0],
      ],
    );
    const receipts = new Set([r1!.receipt, r2!.receipt, r3!.receipt]);
    assert.equal(receipts.size, 3);
    for (const r of receipts) assert.match(r, /^nonce-\d+$/, 'the nonces the caller gave');
  });

  it('takes nonces in the order of the messages it returns', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.send('q', [msg('a'), msg('b'), msg('c')], T0, null);
    const given: string[] = [];
    const got = await b.receive(
      'q',
      opts(T0, {
        nonce: () => {
          given.push(`n${given.length}`);
          return given.at(-1)!;
        },
      }),
    );
    assert.deepEqual(
      got.map((m) => m.receipt),
      ['n0', 'n1', 'n2'],
    );
    assert.equal(given.length, 3, 'one nonce per message returned');
  });

  it('holds back a FIFO group with a message in flight, while other groups flow in order', async () => {
    const b = await make();
    await b.createQueue(queue('q.fifo'));
    const dedup = { windowMs: WINDOW, perGroup: false };
    await b.send(
      'q.fifo',
      [
        msg('a1', { groupId: 'A', dedupId: 'a1' }),
        msg('b1', { groupId: 'B', dedupId: 'b1' }),
        msg('a2', { groupId: 'A', dedupId: 'a2' }),
        msg('b2', { groupId: 'B', dedupId: 'b2' }),
        msg('c1', { groupId: 'C', dedupId: 'c1' }),
      ],
      T0,
      dedup,
    );
    const fifo = (now: number, over: Partial<ReceiveOptions> = {}) =>
      opts(now, { fifo: true, visibilityMs: 10_000, ...over });
    const [a1] = await b.receive('q.fifo', fifo(T0, { max: 1, visibilityMs: 1_000 }));
    assert.equal(a1?.body, 'a1');
    assert.deepEqual(
      bodies(await b.receive('q.fifo', fifo(T0 + 1, { max: 2 }))),
      ['b1', 'b2'],
      'group A is held; B flows, in order, several from one group',
    );
    assert.deepEqual(bodies(await b.receive('q.fifo', fifo(T0 + 2))), ['c1']);
    assert.deepEqual(await b.receive('q.fifo', fifo(T0 + 3)), [], 'every group has a message in flight');
    // a1's timeout passes: it comes back before a2.
    const [a1again] = await b.receive('q.fifo', fifo(T0 + 1_000, { max: 1 }));
    assert.deepEqual([a1again?.body, a1again?.receiveCount], ['a1', 2]);
    assert.deepEqual(await b.receive('q.fifo', fifo(T0 + 1_000)), [], 'B and C are still in flight');
    assert.equal(await b.deleteMessage('q.fifo', a1again!.id, a1again!.receipt), 'deleted');
    assert.deepEqual(bodies(await b.receive('q.fifo', fifo(T0 + 1_001))), ['a2'], 'deleting frees the group');
  });

  it('does not give a FIFO group out while an older message of it is delayed', async () => {
    const b = await make();
    await b.createQueue(queue('q.fifo'));
    const dedup = { windowMs: WINDOW, perGroup: false };
    await b.send('q.fifo', [msg('a1', { groupId: 'A', dedupId: '1', visibleAt: T0 + 100 })], T0, dedup);
    await b.send(
      'q.fifo',
      [msg('a2', { groupId: 'A', dedupId: '2' }), msg('b1', { groupId: 'B', dedupId: '3' })],
      T0,
      dedup,
    );
    assert.deepEqual(bodies(await b.receive('q.fifo', opts(T0, { fifo: true }))), ['b1']);
    assert.deepEqual(bodies(await b.receive('q.fifo', opts(T0 + 100, { fifo: true }))), ['a1', 'a2']);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue on the next receive', async () => {
    const b = await make();
    await b.createQueue(queue('src'));
    await b.createQueue(queue('dlq'));
    const redrive = { deadLetterQueue: 'dlq', maxReceiveCount: 2 };
    const [sent] = await b.send('src', [msg('poison', { meta: '{"mb":"p"}' })], T0, null);
    await b.send('src', [msg('next')], T0 + 1, null);
    const r = (now: number, max = 1) => b.receive('src', opts(now, { max, visibilityMs: 100, redrive }));
    assert.deepEqual(bodies(await r(T0 + 10)), ['poison']);
    assert.deepEqual(bodies(await r(T0 + 110)), ['poison'], 'received twice: not moved yet');
    const got = await r(T0 + 210);
    assert.deepEqual(bodies(got), ['next'], 'moved out of the way, and the search goes on');
    assert.deepEqual(await b.counts('src', T0 + 210), { visible: 0, inflight: 1, delayed: 0 });
    assert.deepEqual(await b.counts('dlq', T0 + 210), { visible: 1, inflight: 0, delayed: 0 });
    const [dead] = await b.receive('dlq', opts(T0 + 300));
    assert.ok(dead);
    assert.deepEqual(
      [dead.id, dead.body, dead.meta, dead.sentAt, dead.sourceQueue],
      [sent!.id, 'poison', '{"mb":"p"}', T0, 'src'],
    );
    assert.equal(await b.deleteMessage('src', dead.id, dead.receipt), 'gone', 'no longer in the source');
    assert.equal(await b.expire('dlq', T0 + 1), 1, 'retention counts from the original send');
  });

  it('does not move a message under its receive limit', async () => {
    const b = await make();
    await b.createQueue(queue('src'));
    await b.createQueue(queue('dlq'));
    await b.send('src', [msg('a')], T0, null);
    for (let i = 0; i < 3; i++)
      assert.equal((await b.receive('src', opts(T0 + i * 100, { visibilityMs: 100 }))).length, 1);
    const redrive = { deadLetterQueue: 'dlq', maxReceiveCount: 5 };
    const [m] = await b.receive('src', opts(T0 + 300, { visibilityMs: 100, redrive }));
    assert.deepEqual([m?.body, m?.receiveCount], ['a', 4], 'under the limit it is delivered');
    assert.deepEqual(await b.counts('dlq', T0 + 300), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('moves a FIFO message to the dead-letter queue and frees its group', async () => {
    const b = await make();
    await b.createQueue(queue('src.fifo'));
    await b.createQueue(queue('dlq.fifo'));
    const redrive = { deadLetterQueue: 'dlq.fifo', maxReceiveCount: 1 };
    const dedup = { windowMs: WINDOW, perGroup: false };
    await b.send(
      'src.fifo',
      [msg('a1', { groupId: 'A', dedupId: '1' }), msg('a2', { groupId: 'A', dedupId: '2' })],
      T0,
      dedup,
    );
    const r = (now: number) =>
      b.receive('src.fifo', opts(now, { fifo: true, max: 1, visibilityMs: 100, redrive }));
    assert.deepEqual(bodies(await r(T0)), ['a1']);
    assert.deepEqual(bodies(await r(T0 + 100)), ['a2'], 'a1 moved; its group goes on in order');
    const [dead] = await b.receive('dlq.fifo', opts(T0 + 100, { fifo: true }));
    assert.deepEqual(
      [dead?.body, dead?.groupId, dead?.dedupId, dead?.sourceQueue, dead?.sentAt],
      ['a1', 'A', '1', 'src.fifo', T0],
    );
  });

  it('deletes a message only with its current receipt', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.createQueue(queue('other'));
    await b.send('q', [msg('a'), msg('b')], T0, null);
    const [a1, bm] = await b.receive('q', opts(T0, { visibilityMs: 100 }));
    const [a2] = await b.receive('q', opts(T0 + 100, { max: 1, visibilityMs: 100 }));
    assert.equal(a2?.id, a1?.id);
    assert.equal(await b.deleteMessage('q', a1!.id, a1!.receipt), 'stale', 'received again since');
    assert.equal(await b.deleteMessage('other', a2!.id, a2!.receipt), 'gone', 'another queue');
    assert.equal(await b.deleteMessage('q', 'no-such-id', a2!.receipt), 'gone');
    assert.equal(await b.deleteMessage('q', a2!.id, a2!.receipt), 'deleted');
    assert.equal(await b.deleteMessage('q', a2!.id, a2!.receipt), 'gone', 'deleted already');
    // A receipt still works once its timeout has passed, until the next receive.
    assert.equal(await b.deleteMessage('q', bm!.id, bm!.receipt), 'deleted');
    assert.deepEqual(await b.counts('q', T0 + 1_000), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('deletes a batch in one call, with a result per entry', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.send('q', [msg('a'), msg('b'), msg('c')], T0, null);
    const [a, bm, c] = await b.receive('q', opts(T0, { max: 3, visibilityMs: 100 }));
    const [a2] = await b.receive('q', opts(T0 + 100, { max: 1, visibilityMs: 100 }));
    assert.equal(a2?.id, a?.id);
    assert.deepEqual(
      await b.deleteMessages('q', [
        { id: a!.id, nonce: a!.receipt },
        { id: bm!.id, nonce: bm!.receipt },
        { id: 'nobody', nonce: 'x' },
        { id: c!.id, nonce: c!.receipt },
      ]),
      ['stale', 'deleted', 'gone', 'deleted'],
    );
    assert.deepEqual(await b.deleteMessages('q', []), []);
    assert.deepEqual(await b.counts('q', T0 + 150), { visible: 0, inflight: 1, delayed: 0 });
  });

  it('changes visibility of an in-flight message with its current receipt', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.send('q', [msg('a'), msg('b')], T0, null);
    const [a] = await b.receive('q', opts(T0, { visibilityMs: 100 }));
    assert.equal(await b.changeVisibility('q', a!.id, a!.receipt, T0 + 5_000, T0 + 50), 'ok');
    assert.deepEqual(bodies(await b.receive('q', opts(T0 + 4_999))), ['b'], 'b timed out; a extended');
    assert.deepEqual(bodies(await b.receive('q', opts(T0 + 5_000))), ['a']);
    assert.equal(await b.changeVisibility('q', a!.id, a!.receipt, T0 + 9_000, T0 + 5_001), 'gone', 'stale');
    assert.equal(await b.changeVisibility('q', 'no-such-id', 'x', T0 + 9_000, T0 + 5_001), 'gone');
    assert.equal(await b.changeVisibility('other', a!.id, a!.receipt, T0 + 9_000, T0 + 5_001), 'gone');
    // A message whose timeout passed is not in flight.
    await b.send('q', [msg('c')], T0, null);
    const [c] = await b.receive('q', opts(T0 + 6_000, { visibilityMs: 100 }));
    assert.equal(c?.body, 'c');
    assert.equal(await b.changeVisibility('q', c!.id, c!.receipt, T0 + 9_000, T0 + 6_100), 'not-inflight');
    // Zero: visible now.
    const [c2] = await b.receive('q', opts(T0 + 6_100, { visibilityMs: 100 }));
    assert.equal(await b.changeVisibility('q', c2!.id, c2!.receipt, T0 + 6_150, T0 + 6_150), 'ok');
    assert.deepEqual(await b.counts('q', T0 + 6_150), { visible: 1, inflight: 2, delayed: 0 });
    assert.equal(await b.deleteMessage('q', c2!.id, c2!.receipt), 'deleted');
    assert.equal(await b.changeVisibility('q', c2!.id, c2!.receipt, T0 + 9_000, T0 + 6_200), 'gone');
  });

  it('purges one queue of all its messages', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.createQueue(queue('keep'));
    await b.send('q', [msg('a'), msg('b'), msg('d', { visibleAt: T0 + 1_000 })], T0, null);
    await b.send('keep', [msg('k')], T0, null);
    await b.receive('q', opts(T0, { max: 1 }));
    await b.purge('q');
    assert.deepEqual(await b.counts('q', T0), { visible: 0, inflight: 0, delayed: 0 });
    assert.deepEqual(await b.receive('q', opts(T0 + 100_000)), []);
    assert.ok(await b.getQueue('q'), 'the queue stays');
    assert.deepEqual(bodies(await b.receive('keep', opts(T0))), ['k']);
  });

  it('counts visible, in-flight and delayed messages at a given time', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    assert.deepEqual(await b.counts('q', T0), { visible: 0, inflight: 0, delayed: 0 });
    await b.send('q', [msg('a'), msg('b'), msg('c'), msg('d', { visibleAt: T0 + 500 })], T0, null);
    await b.receive('q', opts(T0, { max: 2, visibilityMs: 1_000 }));
    assert.deepEqual(await b.counts('q', T0), { visible: 1, inflight: 2, delayed: 1 });
    assert.deepEqual(await b.counts('q', T0 + 500), { visible: 2, inflight: 2, delayed: 0 });
    assert.deepEqual(await b.counts('q', T0 + 1_000), { visible: 4, inflight: 0, delayed: 0 });
    assert.deepEqual(await b.counts('missing', T0), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('tells the earliest time after now at which a hidden message becomes visible', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    assert.equal(await b.nextVisible('q', T0), undefined);
    await b.send('q', [msg('a')], T0, null);
    assert.equal(await b.nextVisible('q', T0), undefined, 'a visible message is not hidden');
    await b.send('q', [msg('b', { visibleAt: T0 + 700 }), msg('c', { visibleAt: T0 + 900 })], T0, null);
    assert.equal(await b.nextVisible('q', T0), T0 + 700);
    await b.receive('q', opts(T0, { max: 1, visibilityMs: 300 }));
    assert.equal(await b.nextVisible('q', T0), T0 + 300, 'an in-flight message counts');
    assert.equal(await b.nextVisible('q', T0 + 300), T0 + 700, 'strictly after now');
    assert.equal(await b.nextVisible('q', T0 + 900), undefined);
  });

  it('tells when the oldest message still in the queue was sent, in flight and delayed ones too', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.createQueue(queue('other'));
    assert.equal(await b.oldestSentAt('q'), undefined, 'empty');
    assert.equal(await b.oldestSentAt('missing'), undefined);
    await b.send('other', [msg('x')], T0 - 50, null);
    await b.send('q', [msg('a', { visibleAt: T0 + 900 })], T0, null);
    await b.send('q', [msg('b')], T0 + 10, null);
    assert.equal(await b.oldestSentAt('q'), T0, 'a delayed message counts; other queues do not');
    const [b1] = await b.receive('q', opts(T0 + 20, { max: 1 }));
    assert.equal(b1!.body, 'b');
    assert.equal(await b.oldestSentAt('q'), T0, 'an in-flight message is still in the queue');
    await b.expire('q', T0 + 1);
    assert.equal(await b.oldestSentAt('q'), T0 + 10);
    assert.equal(await b.deleteMessage('q', b1!.id, b1!.receipt), 'deleted');
    assert.equal(await b.oldestSentAt('q'), undefined);
  });

  it('expires messages sent before a time, in one queue only', async () => {
    const b = await make();
    await b.createQueue(queue('q'));
    await b.createQueue(queue('keep'));
    await b.send('q', [msg('old1'), msg('old2')], T0, null);
    await b.send('q', [msg('edge')], T0 + 100, null);
    await b.send('q', [msg('new')], T0 + 200, null);
    await b.send('keep', [msg('k')], T0, null);
    await b.receive('q', opts(T0 + 200, { max: 1 }));
    assert.equal(await b.expire('q', T0 + 100), 2, 'sent strictly before, in flight or not');
    assert.equal(await b.expire('q', T0 + 100), 0);
    assert.deepEqual(bodies(await b.receive('q', opts(T0 + 300))), ['edge', 'new']);
    assert.deepEqual(bodies(await b.receive('keep', opts(T0 + 300))), ['k']);
  });

  it('never hands one message, or one FIFO group, to two concurrent receivers', async () => {
    const b = await make();
    await b.createQueue(queue('std'));
    await b.createQueue(queue('q.fifo'));
    await b.send(
      'std',
      Array.from({ length: 40 }, (_, i) => msg(`m${i}`)),
      T0,
      null,
    );
    const groups = ['A', 'B', 'C', 'D'];
    await b.send(
      'q.fifo',
      Array.from({ length: 8 }, (_, i) =>
        msg(`${groups[i % 4]}${i}`, { groupId: groups[i % 4]!, dedupId: `${i}` }),
      ),
      T0,
      { windowMs: WINDOW, perGroup: false },
    );
    const std = await Promise.all(Array.from({ length: 8 }, () => b.receive('std', opts(T0, { max: 3 }))));
    const ids = std.flat().map((m) => m.id);
    assert.ok(ids.length > 0);
    assert.equal(new Set(ids).size, ids.length, 'no message twice');
    assert.deepEqual(await b.counts('std', T0), {
      visible: 40 - ids.length,
      inflight: ids.length,
      delayed: 0,
    });
    const fifo = await Promise.all(
      Array.from({ length: 8 }, () => b.receive('q.fifo', opts(T0, { fifo: true, max: 1 }))),
    );
    const taken = fifo.flat();
    assert.deepEqual(
      taken.map((m) => m.groupId).sort(),
      groups,
      'one message per group, the oldest, and every group served',
    );
    assert.deepEqual(taken.map((m) => m.body).sort(), ['A0', 'B1', 'C2', 'D3']);
  });
}
