import type { FunctionRecord, ManifestResources } from '../../core/function-spec.ts';
import type { UsageCounts } from './usage.ts';

/** The kinds of resource an app's manifest declares (`ManifestResources`), metered per call. */
export type ServiceKind = keyof ManifestResources;

/** The app of service usage whose resource no app's manifest declares. */
export const ACCOUNT_APP = '(account)';

/**
 * The wire adapters' hook (SQS, SNS, EventBridge, DynamoDB): one call per API call that succeeded,
 * with the billable counts of that call. It only adds integers in memory; the meter flushes them.
 */
export interface ServiceMeter {
  record(kind: ServiceKind, resource: string | undefined, counts: Partial<UsageCounts>): void;
}

/** Where metered usage goes: `Meter.add`. */
export interface UsageSink {
  add(app: string, fn: string, counts: Partial<UsageCounts>): void;
}

/** The owner app of a queue, topic, table or bus; undefined when no app declares it. */
export type OwnerOf = (kind: ServiceKind, resource: string) => string | undefined;

/** Service usage on its owner's app row (function ''), else on the `(account)` row. */
export function serviceMeter(sink: UsageSink, ownerOf: OwnerOf): ServiceMeter {
  return {
    record(kind, resource, counts) {
      const app = resource === undefined ? undefined : ownerOf(kind, resource);
      sink.add(app || ACCOUNT_APP, '', counts);
    },
  };
}

/**
 * Owners from the records' `manifestResources` (the resources each app's deploy declared). The
 * index is built on first use and dropped on any registry change, so a metered call costs one
 * map look-up.
 */
export function manifestOwners(registry: {
  list(): FunctionRecord[];
  onChange(listener: () => void): void;
}): OwnerOf {
  let index: Map<string, string> | undefined;
  registry.onChange(() => {
    index = undefined;
  });
  return (kind, resource) => {
    index ??= ownerIndex(registry.list());
    return index.get(`${kind}\0${resource}`);
  };
}

/** `kind\0name` → app, for every record with an app and declared resources. */
export function ownerIndex(records: Iterable<FunctionRecord>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    if (!r.app || !r.manifestResources) continue;
    for (const kind of Object.keys(r.manifestResources) as ServiceKind[])
      for (const name of r.manifestResources[kind] ?? []) out.set(`${kind}\0${name}`, r.app);
  }
  return out;
}
