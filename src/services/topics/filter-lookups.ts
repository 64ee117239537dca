/**
 * What filter policies read from a message: its attributes (scope MessageAttributes) or its JSON
 * body (scope MessageBody), as `FilterLookup`s for `FilterPolicy.matches`.
 */
import type { FilterLookup, FilterValue } from './filter-policy.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A message attribute as a filter reads it: its type and its value as text. */
export interface AttributeForFilter {
  DataType: string;
  StringValue?: string;
}

/**
 * The lookup for scope MessageAttributes. String attributes give their string, Number attributes
 * their number, String.Array (and Number.Array) attributes their elements; Binary attributes are
 * ignored (as absent).
 */
export function attributeLookup(attributes: Readonly<Record<string, AttributeForFilter>>): FilterLookup {
  const cache = new Map<string, readonly FilterValue[] | undefined>();
  return (path) => {
    if (path.length !== 1) return undefined;
    const name = path[0]!;
    if (cache.has(name)) return cache.get(name);
    const a = attributes[name];
    let values: FilterValue[] | undefined;
    if (a && a.StringValue !== undefined) {
      if (a.DataType === 'String.Array' || a.DataType === 'Number.Array') {
        try {
          const parsed: unknown = JSON.parse(a.StringValue);
          values = Array.isArray(parsed) ? flatten(parsed) : undefined;
        } catch {
          values = undefined;
        }
      } else if (a.DataType.startsWith('Number')) {
        const n = Number(a.StringValue);
        values = Number.isFinite(n) ? [n] : undefined;
      } else if (a.DataType.startsWith('String')) values = [a.StringValue];
    }
    cache.set(name, values);
    return values;
  };
}

function flatten(items: unknown[], out: FilterValue[] = []): FilterValue[] {
  for (const item of items) {
    if (Array.isArray(item)) flatten(item, out);
    else if (item === null || typeof item !== 'object') out.push(item as FilterValue);
  }
  return out;
}

/**
 * The lookup for scope MessageBody: the body parsed as JSON (undefined when it is not a JSON
 * object; then only `exists: false` keys can match). Arrays along a path are searched element by
 * element; an object at the end of a path is not a value (`exists` applies to leaves).
 */
export function bodyLookup(body: unknown): FilterLookup {
  return (path) => {
    let level: unknown[] = [body];
    for (const key of path) {
      const next: unknown[] = [];
      for (const node of level) {
        if (Array.isArray(node)) {
          for (const el of node) if (isObject(el) && Object.hasOwn(el, key)) next.push(el[key]);
        } else if (isObject(node) && Object.hasOwn(node, key)) next.push(node[key]);
      }
      if (next.length === 0) return undefined;
      level = next;
    }
    const values = flatten(level);
    return values.length === 0 && level.every((v) => typeof v === 'object' && v !== null)
      ? undefined
      : values;
  };
}

/** Parses a message body for MessageBody-scope policies; undefined when it is not a JSON object. */
export function parseBodyForFilter(message: string): unknown {
  if (!/^\s*\{/.test(message)) return undefined;
  try {
    const v: unknown = JSON.parse(message);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
