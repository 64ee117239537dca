/**
 * Document paths over items: reading `a.b[2].c`, the overlap rule update and projection
 * expressions share, and copy-on-write edits for updates (the stored item is never mutated).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html
 */
import type { AttributeValue, Item } from '../types.ts';
import type { Path } from './ast.ts';

/** The value at `path`, or undefined when any step is missing or of the wrong type. */
export function getPath(item: Item, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && current !== undefined; i++) {
    const step = path[i]!;
    if (typeof step === 'number') current = 'L' in current ? current.L[step] : undefined;
    else current = 'M' in current ? current.M[step] : undefined;
  }
  return current;
}

/** A path as DynamoDB prints it in messages: `[a, b, [2], c]`. */
export function formatPath(path: Path): string {
  return `[${path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join(', ')}]`;
}

/**
 * How two paths collide: `overlap` when one is a prefix of the other (or they are equal),
 * `conflict` when at the same depth one indexes a list and the other names a map key.
 */
export function collision(a: Path, b: Path): 'overlap' | 'conflict' | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (typeof a[i] !== typeof b[i]) return 'conflict';
    if (a[i] !== b[i]) return undefined;
  }
  return 'overlap';
}

/** The message for two colliding paths, without the `Invalid …Expression: ` prefix. */
export function collisionMessage(kind: 'overlap' | 'conflict', a: Path, b: Path): string {
  const verb = kind === 'overlap' ? 'overlap' : 'conflict';
  return `Two document paths ${verb} with each other; must remove or rewrite one of these paths; path one: ${formatPath(a)}, path two: ${formatPath(b)}`;
}

/** A container the writer may change: its own copy of a map or a list. */
type Container = Record<string, AttributeValue> | AttributeValue[];

/**
 * Edits a copy of an item. Containers along an edited path are copied once, on first touch, so
 * the original item (and any value shared with it) is left as it was.
 */
export class ItemWriter {
  readonly item: Item;
  private readonly owned = new Set<Container>();

  constructor(original: Item) {
    this.item = { ...original };
    this.owned.add(this.item);
  }

  /**
   * Our own copy of the container holding `path`'s last step: undefined when a step is missing,
   * null when a step is of the wrong kind (a name into a list, an index into a map, a scalar).
   */
  private parentOf(path: Path): Container | undefined | null {
    let container: Container = this.item;
    for (let i = 0; i < path.length - 1; i++) {
      const step = path[i]!;
      const next = path[i + 1]!;
      // The kind of `container` always matches `step`: the previous round checked it.
      const value: AttributeValue | undefined = (container as Record<string | number, AttributeValue>)[step];
      if (value === undefined) return undefined;
      let child: Container;
      if (typeof next === 'number') {
        if (!('L' in value)) return null;
        child = value.L;
      } else {
        if (!('M' in value)) return null;
        child = value.M;
      }
      if (!this.owned.has(child)) {
        child = Array.isArray(child) ? child.slice() : { ...child };
        this.owned.add(child);
        (container as Record<string | number, AttributeValue>)[step] = Array.isArray(child)
          ? { L: child }
          : { M: child };
      }
      container = child;
    }
    return container;
  }

  /**
   * Sets the value at `path`. A list index past the end appends. False when the path's parent
   * does not exist or is not a map (for a name) or a list (for an index).
   */
  set(path: Path, value: AttributeValue): boolean {
    const parent = this.parentOf(path);
    if (parent == null) return false;
    const last = path[path.length - 1]!;
    if (typeof last === 'number') {
      if (!Array.isArray(parent)) return false;
      if (last >= parent.length) parent.push(value);
      else parent[last] = value;
    } else {
      if (Array.isArray(parent)) return false;
      parent[last] = value;
    }
    return true;
  }

  /**
   * Removes the value at `path`; list elements after it shift down. A missing last step (a map
   * key that is not there, an index past the end) is a no-op; false when the parent is missing
   * or of the wrong kind, which DynamoDB refuses as an invalid document path.
   */
  remove(path: Path): boolean {
    const parent = this.parentOf(path);
    if (parent == null) return false;
    const last = path[path.length - 1]!;
    if (typeof last === 'number') {
      if (!Array.isArray(parent)) return false;
      if (last < parent.length) parent.splice(last, 1);
    } else {
      if (Array.isArray(parent)) return false;
      delete parent[last];
    }
    return true;
  }
}
