import { DenseTable, type FrozenChunks } from './dense-table.js';
import { hashMember } from './member-hash.js';

/**
 * The large encoding of a hash (Redis's `hashtable`), and of its fields'
 * deadlines: a DenseTable of field → value, the value in the slot after
 * its field. Dense positions give HRANDFIELD a uniformly random field in
 * O(1) and HSCAN a stateless cursor; chunks shared copy-on-write make a
 * snapshot cost O(fields / 1024).
 */
export class DenseMap<V> extends DenseTable {
  constructor(shardTarget?: number) {
    super(2, shardTarget);
  }

  get(field: string): V | undefined {
    const slot = this.locate(field, hashMember(field));
    return slot < 0 ? undefined : (this.companionAt(this.positionAt(slot)) as V);
  }

  has(field: string): boolean {
    return this.locate(field, hashMember(field)) >= 0;
  }

  /** The value at position `i` (0 ≤ i < size). */
  valueAt(i: number): V {
    return this.companionAt(i) as V;
  }

  /** Stores a value (never undefined); true when the field is new. */
  set(field: string, value: V): boolean {
    const h = hashMember(field);
    const slot = this.locate(field, h);
    if (slot >= 0) {
      this.setCompanion(this.positionAt(slot), value);
      return false;
    }
    this.insert(field, h, slot, value);
    return true;
  }

  delete(field: string): boolean {
    const slot = this.locate(field, hashMember(field));
    if (slot < 0) return false;
    this.removeEntry(this.positionAt(slot), slot);
    return true;
  }

  forEach(fn: (value: V, field: string) => void): void {
    for (const chunk of this.chunks) {
      for (let s = 0; s < chunk.length; s += 2) fn(chunk.get(s + 1) as V, chunk.get(s) as string);
    }
  }

  /** The entries as they are now, frozen: from here on the table copies a chunk before its first write to it. */
  freeze(): FrozenChunks {
    return this.frozenChunks();
  }

  /** An independent table sharing the chunks copy-on-write. */
  clone(): DenseMap<V> {
    return this.copyInto(new DenseMap<V>());
  }

  /** A uniformly random field, or undefined when empty. */
  randomField(random: () => number = Math.random): string | undefined {
    return this.size === 0 ? undefined : this.keyAt(Math.floor(random() * this.size));
  }
}

/** The field/value pairs of a table's frozen chunks, in position order. */
export function* frozenPairs<V>(chunks: FrozenChunks): IterableIterator<[string, V]> {
  for (const chunk of chunks) {
    for (let s = 0; s < chunk.length; s += 2) yield [chunk.get(s) as string, chunk.get(s + 1) as V];
  }
}
