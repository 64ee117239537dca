import { type FunctionRecord, unitKey } from '../core/function-spec.ts';
import type { RegistryBackend } from './backend.ts';
import type {
  AliasRecord,
  EventInvokeConfig,
  EventSourceMapping,
  FunctionPolicy,
  RegistryResources,
  ResourceKind,
} from './records.ts';

/**
 * Called after a change. `key` is a function name (its `$LATEST`) or `name:version` for a
 * published version; `record` is undefined when it was deleted.
 */
export type RegistryListener = (key: string, record: FunctionRecord | undefined) => void;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The control plane's view of deployed functions, their versions, aliases and async settings.
 * Reads come from memory, so the invoke path never touches storage; writes go to the backend
 * first, then to memory, then to listeners (the pool), in that order.
 */
export class Registry {
  private readonly cache = new Map<string, FunctionRecord>();
  private readonly resources: { [K in ResourceKind]: Map<string, RegistryResources[K]> } = {
    version: new Map(),
    alias: new Map(),
    'event-invoke-config': new Map(),
    'event-source-mapping': new Map(),
    'function-policy': new Map(),
  };
  private readonly mappingListeners: ((m: EventSourceMapping, deleted: boolean) => void)[] = [];
  private readonly listeners: RegistryListener[] = [];

  private constructor(private readonly backend: RegistryBackend) {}

  static async open(backend: RegistryBackend): Promise<Registry> {
    const r = new Registry(backend);
    for (const rec of await backend.listFunctions()) r.cache.set(rec.name, rec);
    for (const kind of Object.keys(r.resources) as ResourceKind[]) {
      const m = r.resources[kind] as Map<string, unknown>;
      for (const { key, record } of await backend.listResources(kind)) m.set(key, record);
    }
    return r;
  }

  /** The function's `$LATEST`. */
  get(name: string): FunctionRecord | undefined {
    return this.cache.get(name);
  }

  list(): FunctionRecord[] {
    return [...this.cache.values()].sort((a, b) => byKey(a.name, b.name));
  }

  /** `$LATEST` or a published version. */
  getVersion(name: string, version: string): FunctionRecord | undefined {
    return version === '$LATEST' ? this.cache.get(name) : this.resources.version.get(`${name}:${version}`);
  }

  /** Published versions of a function, oldest first. */
  versions(name: string): FunctionRecord[] {
    return this.under('version', name).sort((a, b) => Number(a.version) - Number(b.version));
  }

  /** Every published version of every function (the pool registers them at start). */
  allVersions(): FunctionRecord[] {
    return [...this.resources.version.values()];
  }

  getAlias(name: string, alias: string): AliasRecord | undefined {
    return this.resources.alias.get(`${name}:${alias}`);
  }

  aliases(name: string): AliasRecord[] {
    return this.under('alias', name).sort((a, b) => byKey(a.name, b.name));
  }

  getInvokeConfig(name: string, qualifier: string): EventInvokeConfig | undefined {
    return this.resources['event-invoke-config'].get(`${name}:${qualifier}`);
  }

  invokeConfigs(name: string): EventInvokeConfig[] {
    return this.under('event-invoke-config', name);
  }

  private under<K extends ResourceKind>(kind: K, name: string): RegistryResources[K][] {
    const out: RegistryResources[K][] = [];
    const prefix = `${name}:`;
    for (const [key, rec] of this.resources[kind] as Map<string, RegistryResources[K]>)
      if (key.startsWith(prefix)) out.push(rec);
    return out;
  }

  onChange(listener: RegistryListener): void {
    this.listeners.push(listener);
  }

  private notify(key: string, record: FunctionRecord | undefined): void {
    for (const l of this.listeners) l(key, record);
  }

  /** Creates or replaces a function's `$LATEST`. */
  async put(record: FunctionRecord): Promise<void> {
    await this.backend.putFunction(record);
    this.cache.set(record.name, record);
    this.notify(record.name, record);
  }

  /** Deletes a function with its versions, aliases and async settings. */
  async delete(name: string): Promise<boolean> {
    const existed = await this.backend.deleteFunction(name);
    this.cache.delete(name);
    const gone: string[] = [];
    for (const m of Object.values(this.resources) as Map<string, unknown>[]) {
      for (const key of [...m.keys()]) {
        if (!key.startsWith(`${name}:`)) continue;
        if (m === this.resources.version) gone.push(key);
        const rec = m.get(key);
        m.delete(key);
        if (m === this.resources['event-source-mapping'])
          for (const l of this.mappingListeners) l(rec as EventSourceMapping, true);
      }
    }
    this.notify(name, undefined);
    for (const key of gone) this.notify(key, undefined);
    return existed;
  }

  async putVersion(record: FunctionRecord): Promise<void> {
    const key = unitKey(record);
    await this.backend.putResource('version', key, record);
    this.resources.version.set(key, record);
    this.notify(key, record);
  }

  async deleteVersion(name: string, version: string): Promise<boolean> {
    const key = `${name}:${version}`;
    const existed = await this.backend.deleteResource('version', key);
    this.resources.version.delete(key);
    await this.#dropPolicy(key);
    this.notify(key, undefined);
    return existed;
  }

  async putAlias(alias: AliasRecord): Promise<void> {
    const key = `${alias.function}:${alias.name}`;
    await this.backend.putResource('alias', key, alias);
    this.resources.alias.set(key, alias);
  }

  async deleteAlias(name: string, alias: string): Promise<boolean> {
    const key = `${name}:${alias}`;
    const existed = await this.backend.deleteResource('alias', key);
    this.resources.alias.delete(key);
    await this.#dropPolicy(key);
    return existed;
  }

  async putInvokeConfig(config: EventInvokeConfig): Promise<void> {
    const key = `${config.function}:${config.qualifier}`;
    await this.backend.putResource('event-invoke-config', key, config);
    this.resources['event-invoke-config'].set(key, config);
  }

  /** Every event source mapping, or one function's. */
  mappings(name?: string): EventSourceMapping[] {
    return name === undefined
      ? [...this.resources['event-source-mapping'].values()]
      : this.under('event-source-mapping', name);
  }

  getMapping(uuid: string): EventSourceMapping | undefined {
    for (const m of this.resources['event-source-mapping'].values()) if (m.uuid === uuid) return m;
    return undefined;
  }

  /** Called after a mapping is created, changed or deleted (the pollers follow). */
  onMappingChange(listener: (m: EventSourceMapping, deleted: boolean) => void): void {
    this.mappingListeners.push(listener);
  }

  async putMapping(m: EventSourceMapping): Promise<void> {
    const key = `${m.function}:${m.uuid}`;
    await this.backend.putResource('event-source-mapping', key, m);
    this.resources['event-source-mapping'].set(key, m);
    for (const l of this.mappingListeners) l(m, false);
  }

  async deleteMapping(m: EventSourceMapping): Promise<boolean> {
    const key = `${m.function}:${m.uuid}`;
    const existed = await this.backend.deleteResource('event-source-mapping', key);
    this.resources['event-source-mapping'].delete(key);
    for (const l of this.mappingListeners) l(m, true);
    return existed;
  }

  async deleteInvokeConfig(name: string, qualifier: string): Promise<boolean> {
    const key = `${name}:${qualifier}`;
    const existed = await this.backend.deleteResource('event-invoke-config', key);
    this.resources['event-invoke-config'].delete(key);
    return existed;
  }

  /** A function's policy ('' for the unqualified function); read on every authorized call. */
  getPolicy(name: string, qualifier: string): FunctionPolicy | undefined {
    return this.resources['function-policy'].get(`${name}:${qualifier}`);
  }

  /** Replaces a function policy; one with no statements is deleted, as Lambda drops it. */
  async putPolicy(policy: FunctionPolicy): Promise<void> {
    const key = `${policy.function}:${policy.qualifier}`;
    if (policy.statements.length === 0) {
      await this.backend.deleteResource('function-policy', key);
      this.resources['function-policy'].delete(key);
      return;
    }
    await this.backend.putResource('function-policy', key, policy);
    this.resources['function-policy'].set(key, policy);
  }

  /** A version's or alias's policy goes with it, as on Lambda. */
  async #dropPolicy(key: string): Promise<void> {
    if (!this.resources['function-policy'].has(key)) return;
    await this.backend.deleteResource('function-policy', key);
    this.resources['function-policy'].delete(key);
  }
}
