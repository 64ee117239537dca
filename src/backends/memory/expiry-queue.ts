/**
 * A min-heap of expiry times, for the memory cache's sweep. Overwritten or deleted entries leave
 * their old nodes behind; the sweep skips those (their `ref` is no longer the live entry) and the
 * cache rebuilds the heap when stale nodes outnumber live ones.
 */
export interface ExpiryNode<T> {
  /** Epoch ms. */
  at: number;
  ref: T;
}

export class ExpiryQueue<T> {
  private heap: ExpiryNode<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, ref: T): void {
    const h = this.heap;
    h.push({ at, ref });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  /** The earliest node if it is due at `now`, removed from the heap. */
  popDue(now: number): ExpiryNode<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top || top.at > now) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < h.length && h[l]!.at < h[min]!.at) min = l;
        if (r < h.length && h[r]!.at < h[min]!.at) min = r;
        if (min === i) break;
        [h[min], h[i]] = [h[i]!, h[min]!];
        i = min;
      }
    }
    return top;
  }

  /** Replaces the contents with `nodes` (a heap is rebuilt by pushing: O(n log n), rare). */
  rebuild(nodes: Iterable<ExpiryNode<T>>): void {
    this.heap = [];
    for (const n of nodes) this.push(n.at, n.ref);
  }

  clear(): void {
    this.heap = [];
  }
}
