import { compileValues, parseOperator, type Scalar } from './condition-operators.ts';
import { MalformedPolicy, malformed } from './errors.ts';
import type { KeyLookup } from './variables.ts';

/**
 * A statement's Condition block, compiled into tests that are ANDed. Pure.
 *
 * - Several operators, and several keys under one operator, are ANDed.
 * - Several values for one key are ORed; under a negated operator (`StringNotEquals`,
 *   `NotIpAddress`, `ArnNotLike`…) they are NORed: the key must match none of them.
 * - A key absent from the request: false, except under a negated operator (true), `...IfExists`
 *   (true), `ForAllValues:` (true, the empty set) and `ForAnyValue:` (false).
 * - `ForAllValues:` holds when every request value passes (matches one of the policy's values, or
 *   for a negated operator matches none); `ForAnyValue:` when at least one does. A multivalued
 *   key under a plain operator is read as `ForAnyValue:` for a positive operator and
 *   `ForAllValues:` for a negated one (no request value may match).
 * - `Null: true` holds when the key is absent (or an empty list); `Null: false` when it is present.
 * - A policy variable that cannot be resolved makes its condition false, so the statement does
 *   not apply (`variables.ts`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * Guarded by `test/governance/policy/conditions.test.ts`.
 */

/** One `operator → key → values` entry of a Condition block, as parsed from the document. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A compiled condition: whether the request satisfies it. */
export type ConditionTest = (keys: KeyLookup) => boolean;

/** Checks an entry without compiling it for use: the operator and the values must be valid. */
export function validateCondition(entry: ConditionEntry): void {
  compileCondition(entry, false);
}

export function compileCondition(entry: ConditionEntry, variables: boolean): ConditionTest {
  const op = parseOperator(entry.operator) ?? malformed(MalformedPolicy.syntax);
  const key = entry.key.toLowerCase();
  const asWritten = entry.key;
  const test = compileValues(op, entry.values, variables);

  if (op.type === 'Null') {
    const wantAbsent = entry.values.map((v) => v.toLowerCase() === 'true');
    return (keys) => {
      const v = keys.lookup(key, asWritten);
      const absent = v === undefined || (Array.isArray(v) && v.length === 0);
      return wantAbsent.includes(absent);
    };
  }

  const { negated, ifExists, set } = op;
  const whenAbsent = ifExists || set === 'ForAllValues' || (set === undefined && negated);
  // For a list of request values: must every value pass, or is one enough?
  const every = set === 'ForAllValues' || (set === undefined && negated);

  return (keys) => {
    const v = keys.lookup(key, asWritten);
    if (v === undefined) return whenAbsent;
    if (!Array.isArray(v)) {
      const r = test(v as Scalar, keys);
      return r === undefined ? false : r !== negated;
    }
    if (v.length === 0) return whenAbsent;
    for (const item of v as readonly Scalar[]) {
      const r = test(item, keys);
      if (r === undefined) return false;
      const pass = r !== negated;
      if (every ? !pass : pass) return !every;
    }
    return every;
  };
}
