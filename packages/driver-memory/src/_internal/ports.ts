/**
 * The simulated ports of the memory driver's resources: each new resource gets the lowest port
 * no resource holds (a destroyed agent's port is free again), in O(log n) — ports handed back
 * wait in a min-heap, and every port below `next` not in it is held.
 *
 * @module
 */

/** The first simulated port. */
export const FIRST_PORT = 41_000;

/** Ports held and handed back. */
export interface PortPool {
  /** The lowest port never handed out. */
  next: number;
  /** Ports handed back, lowest first (a binary min-heap). */
  readonly free: number[];
}

/** An empty pool: the first port handed out is {@link FIRST_PORT}. */
export function createPortPool(): PortPool {
  return { next: FIRST_PORT, free: [] };
}

/** Hand out the lowest port no resource holds. */
export function takePort(pool: PortPool): number {
  const { free } = pool;
  if (free.length === 0) return pool.next++;
  const lowest = free[0]!;
  const last = free.pop()!;
  if (free.length > 0) {
    free[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < free.length && free[l]! < free[m]!) m = l;
      if (r < free.length && free[r]! < free[m]!) m = r;
      if (m === i) break;
      [free[i], free[m]] = [free[m]!, free[i]!];
      i = m;
    }
  }
  return lowest;
}

/** Take a port back (its resource is gone). */
export function givePort(pool: PortPool, port: number): void {
  const { free } = pool;
  free.push(port);
  for (let i = free.length - 1; i > 0; ) {
    const parent = (i - 1) >> 1;
    if (free[parent]! <= free[i]!) break;
    [free[i], free[parent]] = [free[parent]!, free[i]!];
    i = parent;
  }
}
