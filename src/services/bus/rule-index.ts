import { type EventPattern, leafValuesAt, type PinnedField, pathName, pinnedFields } from './pattern.ts';
import { valueKey } from './value-matchers.ts';

/**
 * Many compiled rules, and for one event the ids of those that match, without testing each rule.
 *
 * Rules are filed in a trie keyed by the exact values they pin (`pinnedFields`: `source`,
 * `detail-type`, `detail.state`…), taken in one global order of field paths, so rules that pin
 * the same values share a path. For an event, the walk follows only the edges whose value the
 * event carries; the rules at the nodes it reaches are the candidates, and each candidate is
 * then run through its full matcher. The trie is only a necessary condition, so the answer is
 * exactly the naive loop's (`test/services/bus/rule-index.test.ts` checks this on random rules).
 * Rules that pin nothing sit at the root and are tested for every event. This is the first
 * step of event-ruler's state machine (which also walks prefixes and ranges byte by byte):
 * https://github.com/aws/event-ruler
 */

interface Entry {
  readonly id: string;
  readonly pattern: EventPattern;
  /** The trie nodes that list this entry, for removal. */
  readonly nodes: TrieNode[];
  /** The number of the last match call that tested this entry (a rule filed twice runs once). */
  stamp: number;
}

interface TrieNode {
  readonly rules: Entry[];
  /** By field path name: the field's path and, by value key, the next node. */
  readonly edges: Map<string, { readonly path: readonly string[]; readonly next: Map<string, TrieNode> }>;
}

/** A rule pinning several values on several fields is filed once per combination; cap that. */
const MAX_COMBINATIONS = 16;
/** Up to this many rules, testing each one is cheaper than walking the trie. */
const SMALL = 24;

const newNode = (): TrieNode => ({ rules: [], edges: new Map() });

export class RuleIndex {
  readonly #root = newNode();
  readonly #entries = new Map<string, Entry>();
  #stamp = 0;
  /** Per match call: the event's value keys at each path the walk reached (reused, cleared). */
  readonly #keysByPath = new Map<string, string[]>();

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Files a rule under `id`, replacing any rule filed under it before. */
  add(id: string, pattern: EventPattern): void {
    this.remove(id);
    const entry: Entry = { id, pattern, nodes: [], stamp: 0 };
    this.#entries.set(id, entry);
    const fields: PinnedField[] = [];
    let combinations = 1;
    for (const f of pinnedFields(pattern)) {
      if (combinations * f.keys.length > MAX_COMBINATIONS) continue;
      combinations *= f.keys.length;
      fields.push(f);
    }
    const file = (node: TrieNode, i: number): void => {
      const f = fields[i];
      if (f === undefined) {
        node.rules.push(entry);
        entry.nodes.push(node);
        return;
      }
      const name = pathName(f.path);
      let edge = node.edges.get(name);
      if (edge === undefined) {
        edge = { path: f.path, next: new Map() };
        node.edges.set(name, edge);
      }
      for (const key of f.keys) {
        let child = edge.next.get(key);
        if (child === undefined) {
          child = newNode();
          edge.next.set(key, child);
        }
        file(child, i + 1);
      }
    };
    file(this.#root, 0);
  }

  /** Removes the rule filed under `id`; false when there is none. */
  remove(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#entries.delete(id);
    for (const node of entry.nodes) {
      const i = node.rules.indexOf(entry);
      if (i >= 0) node.rules.splice(i, 1);
    }
    return true;
  }

  /** The ids of the rules that match a parsed event, each once, in no particular order. */
  match(event: unknown): string[] {
    const out: string[] = [];
    if (this.#entries.size <= SMALL) {
      for (const entry of this.#entries.values()) if (entry.pattern.matches(event)) out.push(entry.id);
      return out;
    }
    const stamp = ++this.#stamp;
    const keysByPath = this.#keysByPath;
    keysByPath.clear();
    const visit = (node: TrieNode): void => {
      for (const entry of node.rules) {
        if (entry.stamp === stamp) continue;
        entry.stamp = stamp;
        if (entry.pattern.matches(event)) out.push(entry.id);
      }
      for (const [name, edge] of node.edges) {
        let keys = keysByPath.get(name);
        if (keys === undefined) {
          keys = [...new Set(leafValuesAt(event, edge.path).map(valueKey))];
          keysByPath.set(name, keys);
        }
        for (const key of keys) {
          const child = edge.next.get(key);
          if (child !== undefined) visit(child);
        }
      }
    };
    visit(this.#root);
    return out;
  }
}
