import type { AccessKey, AccessKeyBackend } from '../../governance/access-keys.ts';

/** Named access keys in process memory: for tests and throwaway runs. */
export function memoryAccessKeys(): AccessKeyBackend {
  const keys = new Map<string, AccessKey>();
  return {
    async list() {
      return [...keys.values()]
        .sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1))
        .map((k) => ({ ...k }));
    },
    async put(key) {
      keys.set(key.accessKeyId, { ...key });
    },
    async delete(id) {
      return keys.delete(id);
    },
  };
}
