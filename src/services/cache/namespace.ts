import type { FunctionRecord } from '../../core/function-spec.ts';

/**
 * The cache namespace a function's code reaches: its app's, so that the functions of one app
 * share entries and apps never see each other's. A function deployed outside any manifest is an
 * app of its own, `function:NAME` (app names cannot hold a colon, so the two never collide).
 * Versions run in their function's namespace.
 */
export function cacheNamespaceOf(rec: Pick<FunctionRecord, 'app' | 'name'>): string {
  return rec.app ?? `function:${rec.name}`;
}
