/**
 * ProjectionExpression: a list of document paths, and copying just those out of an item. Nested
 * paths keep their structure; list elements keep their order but not their positions (`a[3]`
 * alone comes back as a one-element list), as DynamoDB returns them.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
 * Guarded by `test/services/tables/projection.test.ts`.
 */
import type { AttributeValue, Item } from '../types.ts';
import type { Path, Problem, RawPath } from './ast.ts';
import { Binder, type ExpressionContext } from './context.ts';
import { ParseCache, Parser, type ParserOptions } from './parser.ts';
import { collision, collisionMessage, getPath } from './paths.ts';

const Rank = { reserved: 1, undefinedName: 2, overlap: 3, conflict: 4, parens: 5 } as const;

const OPTIONS: ParserOptions = {
  keywords: new Set(),
  reservedRank: Rank.reserved,
  parensRank: Rank.parens,
  arithmetic: false,
};

interface RawProjection {
  readonly paths: readonly RawPath[];
  readonly problems: readonly Problem[];
}

const cache = new ParseCache<RawProjection>();

function parseSyntax(text: string): RawProjection {
  return cache.get(text, () => {
    const parser = new Parser(text, 'ProjectionExpression', OPTIONS);
    const paths = [parser.parsePath()];
    while (parser.eatPunct(',')) paths.push(parser.parsePath());
    if (!parser.atEnd()) parser.fail();
    return { paths, problems: parser.problems };
  });
}

/** Parses a ProjectionExpression and binds it to the request's context. */
export function parseProjection(text: string, ctx: ExpressionContext): Path[] {
  const raw = parseSyntax(text);
  const binder = new Binder(ctx, 'ProjectionExpression', raw.problems, {
    name: Rank.undefinedName,
    value: Rank.undefinedName,
  });
  const paths = raw.paths.map((p) => binder.path(p));
  for (let j = 1; j < paths.length; j++) {
    for (let i = 0; i < j; i++) {
      const kind = collision(paths[i]!, paths[j]!);
      if (kind !== undefined) {
        binder.problem(
          kind === 'overlap' ? Rank.overlap : Rank.conflict,
          collisionMessage(kind, paths[i]!, paths[j]!),
        );
      }
    }
  }
  binder.finish();
  return paths;
}

/** A partly built projection: a map's or a list's chosen children, or a whole value. */
type Node = { value: AttributeValue } | { map: Map<string, Node> } | { list: Map<number, Node> };

function build(node: Node): AttributeValue {
  if ('value' in node) return node.value;
  if ('map' in node) {
    const m: Record<string, AttributeValue> = {};
    for (const [k, child] of node.map) m[k] = build(child);
    return { M: m };
  }
  const indexes = [...node.list.keys()].sort((a, b) => a - b);
  return { L: indexes.map((i) => build(node.list.get(i)!)) };
}

/** The item with only `paths` in it (attributes not there are left out). */
export function project(item: Item, paths: readonly Path[]): Item {
  const out: Item = {};
  let nested: Map<string | number, Node> | undefined;
  for (const path of paths) {
    const value = getPath(item, path);
    if (value === undefined) continue;
    if (path.length === 1) {
      out[path[0] as string] = value;
      continue;
    }
    nested ??= new Map();
    let children = nested;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      const step = path[i]!;
      let child = children.get(step);
      if (child === undefined || 'value' in child) {
        child = typeof path[i + 1] === 'number' ? { list: new Map() } : { map: new Map() };
        children.set(step, child);
      }
      children = ('list' in child ? child.list : child.map) as Map<string | number, Node>;
    }
    children.set(path[last]!, { value });
  }
  if (nested !== undefined) for (const [name, node] of nested) out[name as string] = build(node);
  return out;
}
