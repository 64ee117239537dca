import { BatonError } from '../core/errors.ts';
import { type FunctionRecord, unitKey, versionOf } from '../core/function-spec.ts';
import { functionArn, type PlatformIdentity } from '../runtime/function-env.ts';
import type { Registry } from './registry.ts';

/** What one invocation runs: a function's `$LATEST` or a version, reached by name, version or alias. */
export interface InvokeTarget {
  record: FunctionRecord;
  /** The pool's key for the record (`name` or `name:3`). */
  key: string;
  /** The version that runs, for X-Amz-Executed-Version. */
  version: string;
  /** The ARN the caller invoked (with its qualifier), for `context.invokedFunctionArn`. */
  invokedArn: string;
  /** The qualifier as invoked: undefined, `$LATEST`, a version or an alias. */
  qualifier: string | undefined;
}

export function notFound(identity: PlatformIdentity, name: string, qualifier?: string): BatonError {
  const arn = functionArn(identity, qualifier === undefined ? name : `${name}:${qualifier}`);
  return new BatonError('ResourceNotFound', `Function not found: ${arn}`);
}

/** Picks the version an alias sends this invocation to: its weighted extra version, or its main one. */
export function pickAliasVersion(
  main: string,
  weights: Readonly<Record<string, number>>,
  random: () => number,
): string {
  let r = random();
  for (const [version, weight] of Object.entries(weights)) {
    if (r < weight) return version;
    r -= weight;
  }
  return main;
}

/**
 * Resolves `name` plus an optional qualifier (`$LATEST`, a version number or an alias) to the
 * record that runs, as Lambda does. Unknown names, versions and aliases are ResourceNotFound.
 */
export function resolveTarget(
  registry: Registry,
  identity: PlatformIdentity,
  name: string,
  qualifier: string | undefined,
  random: () => number = Math.random,
): InvokeTarget {
  let record: FunctionRecord | undefined;
  if (qualifier === undefined || qualifier === '$LATEST' || /^\d+$/.test(qualifier)) {
    record = registry.getVersion(name, qualifier ?? '$LATEST');
  } else {
    const alias = registry.getAlias(name, qualifier);
    if (alias)
      record = registry.getVersion(name, pickAliasVersion(alias.functionVersion, alias.weights, random));
  }
  if (!record) throw notFound(identity, name, qualifier);
  if (qualifier === undefined) {
    // The hot path (an unqualified invoke): one target per record, made once.
    let target = unqualified.get(record);
    if (!target) {
      target = {
        record,
        key: unitKey(record),
        version: versionOf(record),
        invokedArn: functionArn(identity, name),
        qualifier,
      };
      unqualified.set(record, target);
    }
    return target;
  }
  return {
    record,
    key: unitKey(record),
    version: versionOf(record),
    invokedArn: functionArn(identity, `${name}:${qualifier}`),
    qualifier,
  };
}

const unqualified = new WeakMap<FunctionRecord, InvokeTarget>();
