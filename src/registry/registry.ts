import type { FunctionRecord } from '../core/function-spec.ts';
import type { RegistryBackend } from './backend.ts';

export type RegistryListener = (name: string, record: FunctionRecord | undefined) => void;

/**
 * The control plane's view of deployed functions. Reads come from memory, so the invoke path
 * never touches storage; writes go to the backend first, then to memory, then to listeners
 * (the pool), in that order.
 */
export class Registry {
  private readonly cache = new Map<string, FunctionRecord>();
  private readonly listeners: RegistryListener[] = [];

  private constructor(private readonly backend: RegistryBackend) {}

  static async open(backend: RegistryBackend): Promise<Registry> {
    const r = new Registry(backend);
    for (const rec of await backend.listFunctions()) r.cache.set(rec.name, rec);
    return r;
  }

  get(name: string): FunctionRecord | undefined {
    return this.cache.get(name);
  }

  list(): FunctionRecord[] {
    return [...this.cache.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  onChange(listener: RegistryListener): void {
    this.listeners.push(listener);
  }

  async put(record: FunctionRecord): Promise<void> {
    await this.backend.putFunction(record);
    this.cache.set(record.name, record);
    for (const l of this.listeners) l(record.name, record);
  }

  async delete(name: string): Promise<boolean> {
    const existed = await this.backend.deleteFunction(name);
    this.cache.delete(name);
    for (const l of this.listeners) l(name, undefined);
    return existed;
  }
}
