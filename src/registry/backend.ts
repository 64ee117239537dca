import type { FunctionRecord } from '../core/function-spec.ts';

/**
 * Where the registry keeps function records. Implementations: `backends/sqlite/registry.ts`,
 * `backends/memory/registry.ts`; every one passes `test/contract/registry.contract.ts`.
 */
export interface RegistryBackend {
  getFunction(name: string): Promise<FunctionRecord | undefined>;
  listFunctions(): Promise<FunctionRecord[]>;
  /** Creates or replaces the record with this name. */
  putFunction(record: FunctionRecord): Promise<void>;
  /** Returns false when there was no such function. */
  deleteFunction(name: string): Promise<boolean>;
}
