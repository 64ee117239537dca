/**
 * Capacity units, as DynamoDB counts them: a write unit per 1 KB written (the larger of the item
 * before and after), a read unit per 4 KB read (half for an eventually consistent read), and twice
 * that inside a transaction. ReturnConsumedCapacity reports them; the metering of issue 7 will
 * count them. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
import { constraint } from './constraints.ts';

export type CapacityMode = 'NONE' | 'TOTAL' | 'INDEXES';

export function capacityModeOf(value: unknown): CapacityMode {
  if (value === undefined || value === 'NONE') return 'NONE';
  if (value === 'TOTAL' || value === 'INDEXES') return value;
  throw constraint(
    value,
    'returnConsumedCapacity',
    'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]',
  );
}

export function writeUnits(bytes: number, transactional = false): number {
  return Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
}

export function readUnits(bytes: number, consistent: boolean, transactional = false): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return transactional ? units * 2 : consistent ? units : units / 2;
}

/** The ConsumedCapacity entry for one table, or undefined when the caller did not ask. */
export function consumed(
  mode: CapacityMode,
  table: string,
  units: number,
  kind: 'read' | 'write',
): Record<string, unknown> | undefined {
  if (mode === 'NONE') return undefined;
  const key = kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits';
  return {
    TableName: table,
    CapacityUnits: units,
    [key]: units,
    ...(mode === 'INDEXES' ? { Table: { CapacityUnits: units, [key]: units } } : {}),
  };
}
