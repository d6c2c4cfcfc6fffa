/**
 * The memory store's index of due times.
 *
 * @module
 */

/** A min-heap of (dueAt, agentId); stale entries are dropped when they surface. */
export class DueHeap {
  #at: number[] = [];
  #ids: string[] = [];

  push(at: number, id: string): void {
    const a = this.#at;
    const ids = this.#ids;
    let i = a.length;
    a.push(at);
    ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= at) break;
      a[i] = a[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    a[i] = at;
    ids[i] = id;
  }

  peek(): number | undefined {
    return this.#at[0];
  }

  peekId(): string | undefined {
    return this.#ids[0];
  }

  pop(): [number, string] | undefined {
    const a = this.#at;
    const ids = this.#ids;
    if (a.length === 0) return undefined;
    const top: [number, string] = [a[0]!, ids[0]!];
    const lastAt = a.pop()!;
    const lastId = ids.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]! < a[l]! ? r : l;
        if (a[c]! >= lastAt) break;
        a[i] = a[c]!;
        ids[i] = ids[c]!;
        i = c;
      }
      a[i] = lastAt;
      ids[i] = lastId;
    }
    return top;
  }
}
