import type { FunctionRecord } from '../../core/function-spec.ts';
import type { RegistryBackend } from '../../registry/backend.ts';
import type { ResourceKind } from '../../registry/records.ts';

/** Keeps records in process memory: for tests and throwaway runs (`--storage memory`). */
export function memoryRegistry(): RegistryBackend {
  const fns = new Map<string, string>();
  const resources = new Map<ResourceKind, Map<string, string>>();
  const of = (kind: ResourceKind) => {
    const m = resources.get(kind) ?? new Map<string, string>();
    resources.set(kind, m);
    return m;
  };
  return {
    async getFunction(name) {
      const r = fns.get(name);
      return r === undefined ? undefined : (JSON.parse(r) as FunctionRecord);
    },
    async listFunctions() {
      return [...fns.keys()].sort().map((k) => JSON.parse(fns.get(k)!) as FunctionRecord);
    },
    async putFunction(record) {
      fns.set(record.name, JSON.stringify(record));
    },
    async deleteFunction(name) {
      for (const m of resources.values())
        for (const key of [...m.keys()]) if (key.startsWith(`${name}:`)) m.delete(key);
      return fns.delete(name);
    },
    async listResources(kind) {
      const m = of(kind);
      return [...m.keys()].sort().map((key) => ({ key, record: JSON.parse(m.get(key)!) }));
    },
    async putResource(kind, key, record) {
      of(kind).set(key, JSON.stringify(record));
    },
    async deleteResource(kind, key) {
      return of(kind).delete(key);
    },
  };
}
