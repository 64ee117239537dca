import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { QueryRequest, RangeCondition, TableBackend } from '../../src/services/tables/backend.ts';
import { isTableError } from '../../src/services/tables/errors.ts';
import { compareNumbers } from '../../src/services/tables/numbers.ts';
import type {
  AttributeValue,
  IndexDefinition,
  Item,
  KeyType,
  TableDefinition,
} from '../../src/services/tables/types.ts';
import { B, changesOf, N, put, S, T0, tableDef } from '../helpers/tables.ts';

/** DynamoDB's order, computed without the byte encoding under test. */
function compare(a: AttributeValue, b: AttributeValue): number {
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N);
  if ('S' in a && 'S' in b) return Buffer.compare(Buffer.from(a.S), Buffer.from(b.S));
  if ('B' in a && 'B' in b) return Buffer.compare(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  throw new Error('mixed types');
}

function matches(v: AttributeValue, c: RangeCondition | undefined): boolean {
  if (c === undefined) return true;
  if (c.op === 'between') return compare(v, c.low) >= 0 && compare(v, c.high) <= 0;
  if (c.op === 'begins_with') {
    if ('S' in v && 'S' in c.value) return v.S.startsWith(c.value.S);
    const bytes = Buffer.from((v as { B: string }).B, 'base64');
    const prefix = Buffer.from((c.value as { B: string }).B, 'base64');
    return bytes.subarray(0, prefix.length).equals(prefix);
  }
  const o = compare(v, c.value);
  return { '=': o === 0, '<': o < 0, '<=': o <= 0, '>': o > 0, '>=': o >= 0 }[c.op];
}

/** Every page of a query, each resumed after the last item of the one before. */
async function pages(b: TableBackend, t: TableDefinition, req: QueryRequest): Promise<Item[]> {
  const all: Item[] = [];
  for (let after: Item | undefined; ; ) {
    const page = await b.query(t, { ...req, after });
    all.push(...page);
    if (page.length < req.limit) return all;
    after = page[page.length - 1];
  }
}

const SORT_KEYS: Record<
  KeyType,
  { values: AttributeValue[]; probes: AttributeValue[]; prefixes: AttributeValue[] }
> = {
  S: {
    values: [
      'a',
      'a\u0000',
      'ab',
      'abc',
      'abd',
      'b',
      'B',
      '\u00e9',
      '\u00e9a',
      '\uFFFF',
      '\u{10000}',
      '\u{1F600}',
      'zz',
    ].map(S),
    probes: ['ab', 'abz', '\u00e9', '\u{10000}', '0', '\u{10FFFF}'].map(S),
    prefixes: ['a', 'ab', '\u00e9', '\uFFFF', '\u{1F600}', 'q'].map(S),
  },
  N: {
    values: [
      '-1E+10',
      '-5.5',
      '-1.25',
      '-1.2',
      '-1',
      '-0.001',
      '0',
      '1E-5',
      '1',
      '1.5',
      '2',
      '10',
      '10.01',
      '100',
      '1E+20',
    ].map(N),
    probes: ['-1', '-1.2', '0', '1.0', '5', '10', '-100', '1E+30'].map(N),
    prefixes: [],
  },
  B: {
    values: ['00', '0000', '01', '0102', '7f', '80', '80ff', 'ff', 'ff00', 'ffff'].map(B),
    probes: ['00', '01', '80', 'ff', 'fe', '0101'].map(B),
    prefixes: ['00', '01', 'ff', '80ff', 'fe'].map(B),
  },
};

const byStatus: IndexDefinition = {
  name: 'byStatus',
  kind: 'global',
  key: { hash: { name: 'status', type: 'S' }, range: { name: 'date', type: 'S' } },
  projection: { type: 'ALL' },
  status: 'ACTIVE',
};
const byScore: IndexDefinition = {
  name: 'byScore',
  kind: 'local',
  key: { hash: { name: 'pk', type: 'S' }, range: { name: 'score', type: 'N' } },
  projection: { type: 'KEYS_ONLY' },
  status: 'ACTIVE',
};
const byOwner: IndexDefinition = {
  name: 'byOwner',
  kind: 'global',
  key: { hash: { name: 'owner', type: 'B' } },
  projection: { type: 'INCLUDE', nonKeyAttributes: ['date'] },
  status: 'ACTIVE',
};

/** 40 items under pk u0…u3, sk 0…9; some lack index attributes or hold them with another type. */
function indexedItems(): Item[] {
  return Array.from({ length: 40 }, (_, i) => {
    const item: Item = { pk: S(`u${i % 4}`), sk: N(Math.floor(i / 4)) };
    if (i % 5 === 4) item.status = N(1);
    else if (i % 3 !== 2) item.status = S(i % 2 ? 'open' : 'closed');
    if (i % 6 !== 5) item.date = S(`2024-0${(i % 3) + 1}`);
    if (i % 4 !== 3) item.score = N((i * 7) % 11);
    else item.score = S('not a number');
    if (i % 2 === 0) item.owner = B(i % 4 === 0 ? '00' : 'ff01');
    return item;
  });
}

/** An index's items in its order: index key, then table key (pk S, sk N). */
function indexOrder(items: Item[], index: IndexDefinition, hash: AttributeValue): Item[] {
  const { hash: h, range: r } = index.key;
  const inIndex = (i: Item) => {
    const hv = i[h.name];
    const rv = r ? i[r.name] : undefined;
    return hv !== undefined && h.type in hv && (r === undefined || (rv !== undefined && r.type in rv));
  };
  return items
    .filter((i) => inIndex(i) && compare(i[h.name]!, hash) === 0)
    .sort(
      (a, b) => (r ? compare(a[r.name]!, b[r.name]!) : 0) || compare(a.pk!, b.pk!) || compare(a.sk!, b.sk!),
    );
}

/** Every item of a (parallel) scan, segment by segment, each in pages of `limit`. */
async function scanAll(b: TableBackend, t: TableDefinition, total: number, limit: number, index?: string) {
  const segments: Item[][] = [];
  for (let segment = 0; segment < total; segment++) {
    const got: Item[] = [];
    for (let after: Item | undefined; ; ) {
      const page = await b.scan(t, { index, segment, totalSegments: total, after, limit });
      got.push(...page);
      if (page.length < limit) break;
      after = page[page.length - 1];
    }
    segments.push(got);
  }
  return segments;
}

const id = (i: Item) => JSON.stringify([i.pk, i.sk]);

export function tableReadsContract(make: () => Promise<TableBackend>): void {
  for (const type of ['S', 'N', 'B'] as const) {
    it(`queries ${type} sort keys in DynamoDB's order, with every condition, both ways, in pages`, async () => {
      const b = await make();
      const t = tableDef('t', {
        key: { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: type } },
      });
      await b.createTable(t);
      const { values, probes, prefixes } = SORT_KEYS[type];
      const items = values.map((v, i) => ({ pk: S('p'), sk: v, i: N(i) }));
      const noise = values.slice(0, 3).flatMap((v) => [
        { pk: S('o'), sk: v },
        { pk: S('p\u0000'), sk: v },
      ]);
      changesOf(
        await b.mutate(
          [...items, ...noise].map((i) => put(t, i)),
          T0,
        ),
      );

      const conditions: (RangeCondition | undefined)[] = [undefined];
      for (const op of ['=', '<', '<=', '>', '>='] as const)
        for (const value of [...probes, values[0]!, values[values.length - 1]!])
          conditions.push({ op, value });
      for (const low of probes)
        for (const high of probes) if (compare(low, high) <= 0) conditions.push({ op: 'between', low, high });
      for (const value of prefixes) conditions.push({ op: 'begins_with', value });

      const ascending = [...items].sort((x, y) => compare(x.sk, y.sk));
      for (const range of conditions) {
        const expected = ascending.filter((i) => matches(i.sk, range));
        for (const forward of [true, false]) {
          const what = `${JSON.stringify(range)} ${forward ? 'forward' : 'backward'}`;
          const want = forward ? expected : [...expected].reverse();
          const req: QueryRequest = { hash: S('p'), range, forward, limit: 100 };
          assert.deepEqual(await b.query(t, req), want, what);
          assert.deepEqual(await pages(b, t, { ...req, limit: 3 }), want, `${what}, in pages of 3`);
          assert.deepEqual(await b.query(t, { ...req, limit: 2 }), want.slice(0, 2), `${what}, limit 2`);
        }
      }
      // A cursor outside the condition resumes within it.
      const low = ascending[4]!;
      assert.deepEqual(
        await b.query(t, {
          hash: S('p'),
          range: { op: '>', value: low.sk },
          forward: true,
          limit: 100,
          after: ascending[1],
        }),
        ascending.slice(5),
      );
      await assert.rejects(
        b.query(t, { hash: S('p'), range: { op: '=', value: { BOOL: true } }, forward: true, limit: 1 }),
        (e) => isTableError(e, 'ValidationException'),
      );
    });
  }

  it('queries global and local indexes in (index key, table key) order, leaving out items without their keys', async () => {
    const b = await make();
    const key = { hash: { name: 'pk', type: 'S' as const }, range: { name: 'sk', type: 'N' as const } };
    const t = tableDef('t', { key, indexes: [byStatus, byScore, byOwner] });
    await b.createTable(t);
    const items = indexedItems();
    changesOf(
      await b.mutate(
        items.map((i) => put(t, i)),
        T0,
      ),
    );

    const cases: [IndexDefinition, AttributeValue, RangeCondition | undefined][] = [
      [byStatus, S('open'), undefined],
      [byStatus, S('closed'), { op: '>=', value: S('2024-02') }],
      [byStatus, S('open'), { op: 'begins_with', value: S('2024-0') }],
      [byStatus, S('nobody'), undefined],
      [byScore, S('u1'), undefined],
      [byScore, S('u2'), { op: 'between', low: N(2), high: N(7) }],
      [byOwner, B('00'), undefined],
      [byOwner, B('ff01'), undefined],
    ];
    for (const [index, hash, range] of cases) {
      const expected = indexOrder(items, index, hash).filter((i) => {
        const r = index.key.range;
        return r === undefined || matches(i[r.name]!, range);
      });
      assert.ok(expected.length > 0 || JSON.stringify(hash) === JSON.stringify(S('nobody')));
      for (const forward of [true, false]) {
        const what = `${index.name} ${JSON.stringify(hash)} ${JSON.stringify(range)} ${forward}`;
        const want = forward ? expected : [...expected].reverse();
        const req: QueryRequest = { index: index.name, hash, range, forward, limit: 100 };
        assert.deepEqual(await b.query(t, req), want, what);
        assert.deepEqual(await pages(b, t, { ...req, limit: 2 }), want, `${what}, in pages of 2`);
      }
    }
    // A cursor is the table key plus the index key (LastEvaluatedKey), not the whole item.
    const open = indexOrder(items, byStatus, S('open'));
    const { pk, sk, status, date } = open[2]!;
    const after = { pk: pk!, sk: sk!, status: status!, date: date! };
    assert.deepEqual(
      await b.query(t, { index: 'byStatus', hash: S('open'), forward: true, limit: 100, after }),
      open.slice(3),
    );
    await assert.rejects(
      b.query(t, {
        index: 'byStatus',
        hash: S('open'),
        forward: true,
        limit: 100,
        after: { pk: pk!, sk: sk! },
      }),
      (e) => isTableError(e, 'ValidationException'),
    );
    await assert.rejects(b.query(t, { index: 'nope', hash: S('open'), forward: true, limit: 1 }), (e) =>
      isTableError(e, 'ValidationException'),
    );

    // Writes move items in and out of indexes.
    const first = open[0]!;
    const moved = { ...first, status: S('closed') };
    const dropped = { ...open[1]!, status: N(5) };
    const { date: _, ...undated } = open[2]!;
    changesOf(await b.mutate([put(t, moved), put(t, dropped), put(t, undated)], T0));
    const now = items.map((i) =>
      i === first ? moved : i === open[1] ? dropped : i === open[2] ? undated : i,
    );
    for (const status of ['open', 'closed'])
      assert.deepEqual(
        await b.query(t, { index: 'byStatus', hash: S(status), forward: true, limit: 100 }),
        indexOrder(now, byStatus, S(status)),
        status,
      );
  });

  it('scans tables and indexes in segments that partition the items exactly once', async () => {
    const b = await make();
    const key = { hash: { name: 'pk', type: 'S' as const }, range: { name: 'sk', type: 'N' as const } };
    const t = tableDef('t', { key, indexes: [byStatus, byOwner] });
    const other = tableDef('other');
    await b.createTable(t);
    await b.createTable(other);
    const items = Array.from({ length: 240 }, (_, i) => ({
      pk: S(`user-${i % 60}`),
      sk: N(i),
      ...(i % 3 ? { status: S(`s${i % 5}`), date: S(`d${i % 7}`) } : {}),
      ...(i % 2 ? { owner: B(i % 4 === 1 ? '01' : '02') } : {}),
    }));
    changesOf(
      await b.mutate(
        items.map((i) => put(t, i)),
        T0,
      ),
    );
    changesOf(await b.mutate([put(other, { pk: S('user-1'), sk: S('x') })], T0));

    for (const [index, want] of [
      [undefined, items],
      ['byStatus', items.filter((i) => 'status' in i)],
      ['byOwner', items.filter((i) => 'owner' in i)],
    ] as const) {
      const whole = (await scanAll(b, t, 1, 1000, index))[0]!;
      assert.equal(whole.length, want.length, `${index}: one segment holds everything`);
      assert.deepEqual(new Set(whole.map(id)), new Set(want.map(id)));
      for (const [total, limit] of [
        [1, 17],
        [4, 7],
        [13, 5],
      ] as const) {
        const segments = await scanAll(b, t, total, limit, index);
        const seen = segments.flat().map(id);
        assert.equal(seen.length, want.length, `${index} ${total} segments: no item twice`);
        assert.deepEqual(new Set(seen), new Set(want.map(id)), `${index} ${total} segments: every item`);
        if (total === 1) assert.deepEqual(segments[0], whole, 'pages resume in the same order');
      }
    }
  });

  it('builds an added index from the items there, and drops a removed one', async () => {
    const b = await make();
    const key = { hash: { name: 'pk', type: 'S' as const }, range: { name: 'sk', type: 'N' as const } };
    const plain = tableDef('t', { key });
    await b.createTable(plain);
    const items = indexedItems();
    changesOf(
      await b.mutate(
        items.map((i) => put(plain, i)),
        T0,
      ),
    );

    const indexed = { ...plain, indexes: [byStatus, byOwner] };
    await b.updateTable(indexed);
    const openReq: QueryRequest = { index: 'byStatus', hash: S('open'), forward: true, limit: 100 };
    assert.deepEqual(await b.query(indexed, openReq), indexOrder(items, byStatus, S('open')));
    assert.deepEqual(
      (await scanAll(b, indexed, 3, 4, 'byOwner')).flat().length,
      indexOrder(items, byOwner, B('00')).length + indexOrder(items, byOwner, B('ff01')).length,
    );

    // A writer still holding the old definition keeps the new index up to date.
    const late = { pk: S('u9'), sk: N(1), status: S('open'), date: S('2000-01') };
    changesOf(await b.mutate([put(plain, late)], T0));
    assert.deepEqual((await b.query(indexed, openReq))[0], late);

    const without = { ...plain, indexes: [byOwner] };
    await b.updateTable(without);
    assert.deepEqual(await b.query(indexed, openReq), [], 'the removed index has no entries left');
    const rebuilt = { ...plain, indexes: [byOwner, byStatus] };
    await b.updateTable(rebuilt);
    assert.deepEqual(await b.query(rebuilt, openReq), indexOrder([...items, late], byStatus, S('open')));
    assert.deepEqual(
      await b.query(rebuilt, { index: 'byOwner', hash: B('00'), forward: true, limit: 100 }),
      indexOrder(items, byOwner, B('00')),
      'an index that stayed is untouched',
    );
  });
}
