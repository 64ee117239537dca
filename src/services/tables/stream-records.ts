/**
 * The stream record a write leaves, built by the table backends inside the write's transaction.
 * The view type says which images it carries. DynamoDB writes no record for a write that changes
 * nothing (a put or update leaving the item as it was, a delete of a missing item).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 * Guarded by `test/services/tables/stream-records.test.ts`.
 */
import type { StoredStreamRecord } from './backend.ts';
import type { Item, StreamViewType } from './types.ts';
import { itemSize, valuesEqual } from './values.ts';

/** One write as the backend saw it. */
export interface StreamChange {
  /** The item before the write (undefined when there was none). */
  old: Item | undefined;
  /** The item after it (undefined when it was deleted). */
  new: Item | undefined;
  /** The item's primary key attributes. */
  keys: Item;
  /** A TTL deletion. */
  byService?: boolean;
}

/** A stream record before the backend gives it its sequence number. */
export type NewStreamRecord = Omit<StoredStreamRecord, 'seq'>;

/** Whether two items hold the same attributes with equal values (sets unordered, numbers numerically). */
export function sameItem(a: Item, b: Item): boolean {
  let count = 0;
  for (const name in a) {
    const other = b[name];
    if (other === undefined || !valuesEqual(a[name]!, other)) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/**
 * The record for `change` on a stream of `viewType`: INSERT, MODIFY or REMOVE as the item
 * appeared, was replaced or went. A write that leaves the item as it was (a put of the same item,
 * a delete of a missing one) must leave no record: the backends skip it (see `sameItem`).
 */
export function streamRecord(
  stream: { arn: string; viewType: StreamViewType },
  change: StreamChange,
  now: number,
): NewStreamRecord {
  const { old: before, new: after } = change;
  if (before === undefined && after === undefined)
    throw new Error('a stream record needs an old or a new item');
  const eventName = before === undefined ? 'INSERT' : after === undefined ? 'REMOVE' : 'MODIFY';
  const view = stream.viewType;
  const record: NewStreamRecord = {
    streamArn: stream.arn,
    eventName,
    keys: change.keys,
    createdAt: now,
    sizeBytes: itemSize(change.keys),
  };
  if (after !== undefined && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) {
    record.newImage = after;
    record.sizeBytes += itemSize(after);
  }
  if (before !== undefined && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) {
    record.oldImage = before;
    record.sizeBytes += itemSize(before);
  }
  if (change.byService) record.byService = true;
  return record;
}
