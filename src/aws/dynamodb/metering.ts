type Obj = Record<string, unknown>;

/** The item operations that consume capacity, and so answer ConsumedCapacity when asked. */
const METERED = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/**
 * The input to run when metering: capacity asked for (`TOTAL`) even when the caller did not ask,
 * so the operations' own unit counts (src/services/tables/capacity.ts: 1 WRU per 1 KB written,
 * 1 RRU per 4 KB read, half when eventually consistent, ×2 in a transaction) are the metered
 * ones. `strip` says whether the answer's ConsumedCapacity must be removed before it is sent.
 */
export function meteredInput(action: string, input: Obj): { input: Obj; strip: boolean } | undefined {
  if (!METERED.has(action)) return undefined;
  const asked = input.ReturnConsumedCapacity;
  if (asked === 'TOTAL' || asked === 'INDEXES') return { input, strip: false };
  if (asked !== undefined && asked !== 'NONE') return undefined; // Invalid: the operation refuses it.
  return { input: { ...input, ReturnConsumedCapacity: 'TOTAL' }, strip: true };
}

export interface TableUnits {
  /** Read request units × 2, so an eventually consistent read's half unit stays a whole number. */
  readHalfUnits: number;
  writeUnits: number;
}

/** The units of an answer's ConsumedCapacity (one entry, or one per table), by table. */
export function tableUnits(out: Obj): Map<string, TableUnits> {
  const per = new Map<string, TableUnits>();
  const c = out.ConsumedCapacity;
  for (const e of Array.isArray(c) ? c : c === undefined ? [] : [c]) {
    if (typeof e !== 'object' || e === null) continue;
    const { TableName, ReadCapacityUnits, WriteCapacityUnits } = e as Obj;
    if (typeof TableName !== 'string') continue;
    let u = per.get(TableName);
    if (!u) {
      u = { readHalfUnits: 0, writeUnits: 0 };
      per.set(TableName, u);
    }
    if (typeof ReadCapacityUnits === 'number') u.readHalfUnits += Math.round(ReadCapacityUnits * 2);
    if (typeof WriteCapacityUnits === 'number') u.writeUnits += WriteCapacityUnits;
  }
  return per;
}
