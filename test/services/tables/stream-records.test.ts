import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameItem, streamRecord } from '../../../src/services/tables/stream-records.ts';
import type { Item, StreamViewType } from '../../../src/services/tables/types.ts';
import { itemSize } from '../../../src/services/tables/values.ts';

const ARN = 'arn:aws:dynamodb:local:000000000000:table/t/stream/2024-01-01T00:00:00.000';
const keys: Item = { id: { S: 'a' } };
const oldItem: Item = { id: { S: 'a' }, n: { N: '1' } };
const newItem: Item = { id: { S: 'a' }, n: { N: '2' }, tag: { SS: ['x'] } };
const stream = (viewType: StreamViewType) => ({ arn: ARN, viewType });

describe('stream records', () => {
  it('names the event by what happened to the item', () => {
    const view = stream('KEYS_ONLY');
    assert.equal(streamRecord(view, { old: undefined, new: newItem, keys }, 1).eventName, 'INSERT');
    assert.equal(streamRecord(view, { old: oldItem, new: newItem, keys }, 1).eventName, 'MODIFY');
    assert.equal(streamRecord(view, { old: oldItem, new: undefined, keys }, 1).eventName, 'REMOVE');
    assert.throws(() => streamRecord(view, { old: undefined, new: undefined, keys }, 1));
  });

  it('carries the images the view type names, and their size', () => {
    const cases: [StreamViewType, boolean, boolean][] = [
      ['KEYS_ONLY', false, false],
      ['NEW_IMAGE', true, false],
      ['OLD_IMAGE', false, true],
      ['NEW_AND_OLD_IMAGES', true, true],
    ];
    for (const [view, hasNew, hasOld] of cases) {
      const r = streamRecord(stream(view), { old: oldItem, new: newItem, keys }, 42);
      assert.deepEqual(r.newImage, hasNew ? newItem : undefined, view);
      assert.deepEqual(r.oldImage, hasOld ? oldItem : undefined, view);
      assert.equal(
        r.sizeBytes,
        itemSize(keys) + (hasNew ? itemSize(newItem) : 0) + (hasOld ? itemSize(oldItem) : 0),
      );
      assert.equal(r.createdAt, 42);
      assert.equal(r.streamArn, ARN);
      assert.deepEqual(r.keys, keys);
      assert.equal('byService' in r, false);
    }
    const insert = streamRecord(stream('NEW_AND_OLD_IMAGES'), { old: undefined, new: newItem, keys }, 1);
    assert.equal('oldImage' in insert, false);
    const remove = streamRecord(stream('NEW_AND_OLD_IMAGES'), { old: oldItem, new: undefined, keys }, 1);
    assert.equal('newImage' in remove, false);
  });

  it('marks TTL deletions as the service’s', () => {
    const r = streamRecord(stream('OLD_IMAGE'), { old: oldItem, new: undefined, keys, byService: true }, 1);
    assert.equal(r.byService, true);
  });

  it('sees items as the same regardless of attribute order, set order and number form', () => {
    assert.ok(sameItem({ a: { N: '1' }, b: { SS: ['x', 'y'] } }, { b: { SS: ['y', 'x'] }, a: { N: '1.0' } }));
    assert.ok(!sameItem({ a: { N: '1' } }, { a: { N: '1' }, b: { NULL: true } }));
    assert.ok(!sameItem({ a: { N: '1' }, b: { NULL: true } }, { a: { N: '1' } }));
    assert.ok(!sameItem({ a: { N: '1' } }, { a: { S: '1' } }));
  });
});
