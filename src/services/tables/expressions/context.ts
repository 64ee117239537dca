/**
 * One request's ExpressionAttributeNames and ExpressionAttributeValues, and which of them its
 * expressions used. DynamoDB refuses a placeholder that no expression of the request uses, so a
 * request binds all its expressions to one context and then calls `checkUnused()` once.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
 */
import { isTableError, validationError } from '../errors.ts';
import type { AttributeValue } from '../types.ts';
import { validateValue } from '../values.ts';
import type { Path, Problem, RawPath } from './ast.ts';
import { type ExpressionName, expressionError, Parser } from './parser.ts';

function isPlaceholder(key: string, sigil: number): boolean {
  if (key.length < 2 || key.charCodeAt(0) !== sigil) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
    if (!word) return false;
  }
  return true;
}

/**
 * One ExpressionAttributeValues entry, validated. AWS wraps a bad value's ValidationException as
 * `ExpressionAttributeValues contains invalid value: <why> for key :v`; a SerializationException
 * (the wrong JSON shape) passes as it is.
 */
function checkedValue(value: unknown, key: string): AttributeValue {
  try {
    return validateValue(value);
  } catch (e) {
    if (!isTableError(e, 'ValidationException')) throw e;
    throw validationError(`ExpressionAttributeValues contains invalid value: ${e.message} for key ${key}`);
  }
}

export class ExpressionContext {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  private constructor(
    readonly names: Readonly<Record<string, string>> | undefined,
    readonly values: Readonly<Record<string, AttributeValue>> | undefined,
  ) {}

  /**
   * Checks the maps as the wire gives them (keys shaped `#x` and `:x`, values valid attribute
   * values, neither map empty) and returns a context with the values' numbers made canonical.
   */
  static create(names?: Record<string, string>, values?: Record<string, unknown>): ExpressionContext {
    if (names !== undefined) {
      let any = false;
      for (const key in names) {
        any = true;
        if (!isPlaceholder(key, 35)) {
          throw validationError(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
        }
      }
      if (!any) throw validationError('ExpressionAttributeNames must not be empty');
    }
    let checked: Record<string, AttributeValue> | undefined;
    if (values !== undefined) {
      let any = false;
      for (const key in values) {
        any = true;
        if (!isPlaceholder(key, 58)) {
          throw validationError(
            `ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`,
          );
        }
        const value = checkedValue(values[key], key);
        if (value !== values[key]) {
          checked ??= { ...(values as Record<string, AttributeValue>) };
          checked[key] = value;
        }
      }
      if (!any) throw validationError('ExpressionAttributeValues must not be empty');
    }
    return new ExpressionContext(names, checked ?? (values as Record<string, AttributeValue> | undefined));
  }

  /** The attribute name a `#name` stands for (marking it used), or undefined. */
  name(ref: string): string | undefined {
    const name = this.names?.[ref];
    if (name !== undefined) this.usedNames.add(ref);
    return name;
  }

  /** The value a `:value` stands for (marking it used), or undefined. */
  value(ref: string): AttributeValue | undefined {
    const value = this.values?.[ref];
    if (value !== undefined) this.usedValues.add(ref);
    return value;
  }

  /** Throws when a name or value was given that no expression of the request used. */
  checkUnused(): void {
    const unused = (given: object | undefined, used: Set<string>) =>
      given === undefined ? [] : Object.keys(given).filter((k) => !used.has(k));
    const names = unused(this.names, this.usedNames);
    if (names.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(', ')}}`,
      );
    }
    const values = unused(this.values, this.usedValues);
    if (values.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(', ')}}`,
      );
    }
  }
}

/** Ranks under which a binder reports undefined names and values. */
export interface BindRanks {
  readonly name: number;
  readonly value: number;
}

/**
 * Binds one raw tree to a context: resolves placeholders, collecting problems (undefined names
 * and values, wrong operand types …) so that `finish()` reports the one DynamoDB would.
 */
export class Binder {
  readonly problems: Problem[];

  constructor(
    readonly ctx: ExpressionContext,
    readonly expression: ExpressionName,
    found: readonly Problem[],
    private readonly ranks: BindRanks,
  ) {
    this.problems = found.slice();
  }

  problem(rank: number, message: string): void {
    for (const p of this.problems) if (p.rank === rank) return;
    this.problems.push({ rank, message });
  }

  path(raw: RawPath): Path {
    if (raw.plain) return raw.parts as Path;
    const out: (string | number)[] = [];
    for (const part of raw.parts) {
      if (typeof part !== 'object') {
        out.push(part);
        continue;
      }
      const name = this.ctx.name(part.ref);
      if (name === undefined) {
        this.problem(
          this.ranks.name,
          `An expression attribute name used in the document path is not defined; attribute name: ${part.ref}`,
        );
      }
      out.push(name ?? part.ref);
    }
    return out;
  }

  /** The value of `ref`; a NULL stand-in (with a problem noted) when it is not defined. */
  value(ref: string): AttributeValue {
    const value = this.ctx.value(ref);
    if (value !== undefined) return value;
    this.problem(
      this.ranks.value,
      `An expression attribute value used in expression is not defined; attribute value: ${ref}`,
    );
    return { NULL: true };
  }

  /** Throws the problem DynamoDB reports first, if any. */
  finish(): void {
    const worst = Parser.worst(this.problems);
    if (worst !== undefined) throw expressionError(this.expression, worst.message);
  }
}
