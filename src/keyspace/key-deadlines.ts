import type { KeyTable } from './key-table.js';

/**
 * The deadlines (ms since the epoch) of a database's keys, which live
 * beside their keys in the dictionary (KeyTable.deadlineAt): a command
 * reads a key's deadline at the position its own lookup has just found,
 * and renewing one (SET … EX, EXPIRE) touches nothing else. Held in a
 * second table, as Redis holds them, every SET … EX of a random key in a
 * large keyspace cost a second lookup that missed the cache, and each key
 * with a deadline kept its name there as a string on V8's heap. The walks that need every key with a
 * deadline (the active expiry cycle, volatile eviction, INFO's avg_ttl)
 * go down the dictionary's positions, passing over chunks where no key
 * has had one.
 */
export class KeyDeadlines {
  constructor(private readonly dict: KeyTable) {}

  get size(): number {
    return this.dict.deadlineCount;
  }

  get(key: string): number | undefined {
    if (this.dict.deadlineCount === 0) return undefined;
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
    if (i >= 0) this.dict.setDeadlineAt(i, when);
  }

  /** Drops a key's deadline; true if it had one. A key that has left the dictionary took its deadline with it. */
  delete(key: string): boolean {
    if (this.dict.deadlineCount === 0) return false;
    const i = this.dict.positionOf(key);
    if (i < 0 || this.dict.deadlineAt(i) === -1) return false;
    this.dict.setDeadlineAt(i, -1);
    return true;
  }

  /** Every key with a deadline, with it, in a walk that spans changes (KeyTable.deadlineEntries). */
  entries(): IterableIterator<[string, number]> {
    return this.dict.deadlineEntries();
  }
}
