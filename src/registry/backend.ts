import type { FunctionRecord } from '../core/function-spec.ts';
import type { RegistryResources, ResourceKind } from './records.ts';

/**
 * Where the registry keeps function records, and the records that hang off a function
 * (versions, aliases, async configuration), each keyed `function:qualifier`. Implementations:
 * `backends/sqlite/registry.ts`, `backends/memory/registry.ts`; every one passes
 * `test/contract/registry.contract.ts`.
 */
export interface RegistryBackend {
  getFunction(name: string): Promise<FunctionRecord | undefined>;
  listFunctions(): Promise<FunctionRecord[]>;
  /** Creates or replaces the record with this name. */
  putFunction(record: FunctionRecord): Promise<void>;
  /** Deletes the function and every resource keyed under it. False when there was no such function. */
  deleteFunction(name: string): Promise<boolean>;
  /** Every resource of a kind, in key order. */
  listResources<K extends ResourceKind>(kind: K): Promise<{ key: string; record: RegistryResources[K] }[]>;
  /** Creates or replaces a resource. */
  putResource<K extends ResourceKind>(kind: K, key: string, record: RegistryResources[K]): Promise<void>;
  /** False when there was no such resource. */
  deleteResource(kind: ResourceKind, key: string): Promise<boolean>;
}
