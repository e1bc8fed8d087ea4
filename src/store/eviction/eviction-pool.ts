/** Redis's EVPOOL_SIZE. */
export const POOL_SIZE = 16;

interface Candidate {
  score: number;
  key: string;
  db: number;
  /** Where the key was in its database's dictionary when offered (-1: not known), to confirm it is still there without a lookup. */
  at: number;
}

/**
 * The best eviction candidates seen so far across samples (evict.c's
 * eviction pool), in ascending score: a sample only enters when it beats
 * the worst held, so each eviction picks from far more keys than one
 * sample draws, and the approximation nears true LRU/LFU/TTL order.
 */
export class EvictionPool {
  private entries: Candidate[] = [];

  offer(score: number, key: string, db: number, at = -1): void {
    const e = this.entries;
    let k = 0;
    while (k < e.length && e[k].score < score) k++;
    if (e.length === POOL_SIZE) {
      // Full: a candidate no better than every entry is dropped; otherwise the worst entry makes room, and its object
      // carries the newcomer (every eviction offers several keys: splice and shift were a few percent of it).
      if (k === 0) return;
      const c = e[0];
      for (let i = 1; i < k; i++) e[i - 1] = e[i];
      c.score = score;
      c.key = key;
      c.db = db;
      c.at = at;
      e[k - 1] = c;
      return;
    }
    e.push(e[e.length - 1]);
    for (let i = e.length - 2; i > k; i--) e[i] = e[i - 1];
    e[k] = { score, key, db, at };
  }

  /** The best candidate, taken out of the pool; undefined when empty. */
  pop(): Candidate | undefined {
    return this.entries.pop();
  }

  /** The best candidate's score, -Infinity when empty. */
  bestScore(): number {
    const e = this.entries;
    return e.length === 0 ? -Infinity : e[e.length - 1].score;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}
