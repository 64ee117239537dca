import type { TableBackend } from './backend.ts';
import type { TableDefinition } from './types.ts';

/** What the item, read, batch and transaction operations need from the table service. */
export interface TableContext {
  backend: TableBackend;
  /** The table's definition (cached); ResourceNotFoundException when there is none. */
  table(name: string): Promise<TableDefinition>;
  now(): number;
  /** Called after writes that may have added stream records. */
  written(table: TableDefinition): void;
}
