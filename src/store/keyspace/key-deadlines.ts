import { BigMap } from './big-map.js';
import type { KeyTable } from './key-table.js';

/**
 * The deadlines (ms since the epoch) of a database's keys. Each lives
 * beside its key in the dictionary (KeyTable.deadlineAt), where the lookup
 * a command has just made of its key finds it again at no cost; this
 * keeps only which keys have one, for the walks that need them all (the
 * active expiry cycle, volatile eviction, INFO's avg_ttl), and is written
 * only when a key gains or loses its deadline, not when SET … EX or EXPIRE
 * renews it. Held in a second table, as Redis holds them, every SET … EX
 * of a million random keys cost a lookup in it, missing the cache: 29% of
 * the server's CPU, at 0.60× Redis's rate.
 */
export class KeyDeadlines {
  private readonly keys = new BigMap<string, true>();

  constructor(private readonly dict: KeyTable) {}

  get size(): number {
    return this.keys.size;
  }

  get(key: string): number | undefined {
    if (this.keys.size === 0) return undefined;
    const i = this.dict.positionOf(key);
    if (i < 0) return undefined;
    const when = this.dict.deadlineAt(i);
    return when === -1 ? undefined : when;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Gives a key of the dictionary a deadline; a key not there gets none. */
  set(key: string, when: number): void {
    const i = this.dict.positionOf(key);
    if (i < 0) return;
    if (this.dict.deadlineAt(i) === -1) this.keys.set(key, true);
    this.dict.setDeadlineAt(i, when);
  }

  /** Drops a key's deadline, whether the key is still there or has just left (its deadline with it); true if it had one. */
  delete(key: string): boolean {
    if (this.keys.size === 0) return false;
    const i = this.dict.positionOf(key);
    if (i >= 0) this.dict.setDeadlineAt(i, -1);
    return this.keys.delete(key);
  }

  /** A live walk, as a Map's: keys that gain or lose a deadline meanwhile are seen or skipped as a Map's iterator would. */
  *entries(): IterableIterator<[string, number]> {
    for (const key of this.keys.keys()) {
      const when = this.get(key);
      if (when !== undefined) yield [key, when];
    }
  }
}
