/** The query protocol's flattened parameters (`A.1.B=x`) as a tree, shared by SQS and SNS. */
export type Tree = { [k: string]: Tree | string };

/**
 * `A.1.B=x` → `{ A: { 1: { B: 'x' } } }`. Nodes have no prototype, so that a parameter named
 * `__proto__.X` makes a node rather than writing to `Object.prototype`
 * (test/compat/sqs-bad-input.test.ts, test/compat/sns-sdk.test.ts).
 */
export function toTree(params: URLSearchParams): Tree {
  const root: Tree = Object.create(null);
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = node[p];
      if (typeof next === 'object') node = next;
      else {
        const created: Tree = Object.create(null);
        node[p] = created;
        node = created;
      }
    }
    node[parts.at(-1)!] = value;
  }
  return root;
}

/** `X.1`, `X.2` … as a list, in index order. */
export function members(node: Tree | string | undefined): (Tree | string)[] {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}
