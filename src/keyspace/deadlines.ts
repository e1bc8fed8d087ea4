import { DoubleSlots } from './compact/double-slots.js';
import { BigMap } from './big-map.js';

/**
 * Keys and a deadline each (ms since the epoch): the hashes whose fields
 * have deadlines, and the earliest of them. A BigMap of each key's slot
 * in DoubleSlots, not of the deadline itself, which as a number past the
 * small integers would be a new heap number at every write (the
 * keyspace's own deadlines, when they were kept this way and in a Map
 * before that, showed what that costs: SET with EX over a million keys
 * took scavenges of up to 15.6 ms, 694 ms in all, with the numbers in
 * the Map, and 10.9 ms, 169 ms in all, with slots).
 */
export class Deadlines {
  private readonly slots = new BigMap<string, number>();
  private readonly when = new DoubleSlots();

  get size(): number {
    return this.slots.size;
  }

  get(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.when.get(slot);
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  set(key: string, deadline: number): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) this.when.set(slot, deadline);
    else this.slots.set(key, this.when.add(deadline));
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.when.release(slot);
    return true;
  }

  /** A live walk, as a Map's: entries added or removed meanwhile are seen or skipped as a Map's iterator would. */
  *entries(): IterableIterator<[string, number]> {
    for (const [key, slot] of this.slots.entries()) yield [key, this.when.get(slot)];
  }
}
