import type { FunctionRecord } from '../../core/function-spec.ts';
import type { RegistryBackend } from '../../registry/backend.ts';

/** Keeps records in process memory: for tests and throwaway runs (`--storage memory`). */
export function memoryRegistry(): RegistryBackend {
  const fns = new Map<string, string>();
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
      return fns.delete(name);
    },
  };
}
