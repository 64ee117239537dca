/**
 * The two trees an expression becomes. The parser turns text into a *raw* tree that still holds
 * `#name` and `:value` placeholders, so it depends on the text alone and is cached by it. Binding
 * a raw tree to one request's ExpressionAttributeNames and ExpressionAttributeValues gives the
 * *bound* tree the evaluators run on.
 */
import type { AttributeValue } from '../types.ts';

/** A `#name` placeholder in a document path. */
export interface NameRef {
  readonly ref: string;
}

/** One element of a raw path: a literal name, a placeholder, or a list index. */
export type RawPathPart = string | number | NameRef;

export interface RawPath {
  readonly k: 'path';
  readonly parts: readonly RawPathPart[];
  /** No placeholders: `parts` is already a bound Path. */
  readonly plain: boolean;
}

export interface RawValue {
  readonly k: 'value';
  readonly ref: string;
}

export interface RawCall {
  readonly k: 'call';
  readonly name: string;
  readonly args: readonly RawOperand[];
}

/** `a + b` and `a - b`, in the SET action of an update only. */
export interface RawArithmetic {
  readonly k: '+' | '-';
  readonly left: RawOperand;
  readonly right: RawOperand;
}

export type RawOperand = RawPath | RawValue | RawCall | RawArithmetic;

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type RawCondition =
  | { readonly k: 'cmp'; readonly op: Comparator; readonly left: RawOperand; readonly right: RawOperand }
  | {
      readonly k: 'between';
      readonly subject: RawOperand;
      readonly low: RawOperand;
      readonly high: RawOperand;
    }
  | { readonly k: 'in'; readonly subject: RawOperand; readonly list: readonly RawOperand[] }
  | { readonly k: 'and' | 'or'; readonly left: RawCondition; readonly right: RawCondition }
  | { readonly k: 'not'; readonly cond: RawCondition }
  | { readonly k: 'fn'; readonly call: RawCall };

/** A problem found in the text alone, reported at bind time in DynamoDB's order (lowest rank). */
export interface Problem {
  readonly rank: number;
  readonly message: string;
}

// ---- Bound trees ----------------------------------------------------------------------------

/** A document path: attribute and map-key names, and list indexes. */
export type Path = readonly (string | number)[];

export type Operand =
  | { readonly k: 'path'; readonly path: Path }
  | { readonly k: 'value'; readonly value: AttributeValue }
  | { readonly k: 'size'; readonly arg: Operand };

export type Condition =
  | { readonly k: 'cmp'; readonly op: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly k: 'between'; readonly subject: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly k: 'in'; readonly subject: Operand; readonly list: readonly Operand[] }
  | { readonly k: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly k: 'not'; readonly cond: Condition }
  | { readonly k: 'exists' | 'not_exists'; readonly path: Path }
  /** attribute_type: `type` is the type descriptor named by the value (S, N, SS, …). */
  | { readonly k: 'type'; readonly subject: Operand; readonly type: string }
  | { readonly k: 'begins_with'; readonly subject: Operand; readonly prefix: Operand }
  | { readonly k: 'contains'; readonly subject: Operand; readonly operand: Operand };

/** The right-hand side of a SET action. */
export type UpdateValue =
  | Operand
  | { readonly k: '+' | '-'; readonly left: UpdateValue; readonly right: UpdateValue }
  | { readonly k: 'if_not_exists'; readonly path: Path; readonly fallback: UpdateValue }
  | { readonly k: 'list_append'; readonly first: UpdateValue; readonly second: UpdateValue };

export interface UpdateExpression {
  readonly set: readonly { readonly path: Path; readonly value: UpdateValue }[];
  readonly remove: readonly Path[];
  readonly add: readonly { readonly path: Path; readonly value: AttributeValue }[];
  readonly delete: readonly { readonly path: Path; readonly value: AttributeValue }[];
}
