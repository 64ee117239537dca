import type { MutateResult, Mutation } from '../../src/services/tables/backend.ts';
import { keyAttributes } from '../../src/services/tables/keys.ts';
import type { Item, KeySchema, TableDefinition } from '../../src/services/tables/types.ts';

/** The epoch ms the table tests write at. */
export const T0 = 1_700_000_000_000;

/** A table definition as the service stores it: hash key `pk` (S) and sort key `sk` (S) unless given. */
export function tableDef(name: string, over: Partial<TableDefinition> = {}): TableDefinition {
  const key: KeySchema = over.key ?? { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'S' } };
  return {
    name,
    arn: `arn:aws:dynamodb:local:000000000000:table/${name}`,
    id: `id-${name}`,
    key,
    attributes: key.range ? [key.hash, key.range] : [key.hash],
    indexes: [],
    billingMode: 'PAY_PER_REQUEST',
    status: 'ACTIVE',
    deletionProtection: false,
    tags: {},
    createdAt: T0,
    ...over,
  };
}

/** A stream definition for `table`, enabled unless told. */
export function streamOn(
  table: string,
  viewType: NonNullable<TableDefinition['stream']>['viewType'],
  enabled = true,
): NonNullable<TableDefinition['stream']> {
  const label = '2023-11-14T22:13:20.000';
  return {
    viewType,
    label,
    arn: `arn:aws:dynamodb:local:000000000000:table/${table}/stream/${label}`,
    createdAt: T0,
    enabled,
  };
}

export const S = (s: string) => ({ S: s });
export const N = (n: string | number) => ({ N: String(n) });
export const B = (hex: string) => ({ B: Buffer.from(hex, 'hex').toString('base64') });

/** Puts `item` whatever is there. */
export function put(table: TableDefinition, item: Item, byService?: boolean): Mutation {
  return { table, key: keyAttributes(table.key, item), decide: () => ({ put: item }), byService };
}

/** Puts `item` unless an item is there (then cancels with 'exists'). */
export function putIfAbsent(table: TableDefinition, item: Item): Mutation {
  return {
    table,
    key: keyAttributes(table.key, item),
    decide: (current) => (current ? { cancel: 'exists' } : { put: item }),
  };
}

export function del(table: TableDefinition, key: Item, byService?: boolean): Mutation {
  return { table, key, decide: () => ({ delete: true }), byService };
}

/** Asserts a mutate call went through and returns its changes. */
export function changesOf(result: MutateResult) {
  if (!result.ok) throw new Error(`mutation cancelled: ${JSON.stringify(result.outcomes)}`);
  return result.changes;
}
