import { DenseTable, type FrozenChunks } from '../../keyspace/compact/dense-table.js';
import { hashMember } from '../../keyspace/compact/member-hash.js';

/**
 * The large encoding of a set (Redis's hashtable): a DenseTable of the
 * members, one slot each, which gives SPOP and SRANDMEMBER a uniformly
 * random member in O(1) and SSCAN a stateless cursor.
 */
export class HashSet extends DenseTable {
  /** The members' total length, for estimating reply sizes. */
  bytes = 0;

  constructor(shardTarget?: number) {
    super(1, shardTarget);
  }

  /** The member at position `i` (0 ≤ i < size). */
  at(i: number): string {
    return this.keyAt(i);
  }

  has(s: string): boolean {
    return this.locate(s, hashMember(s)) >= 0;
  }

  /** Adds `s`; false when it is a member already. */
  add(s: string): boolean {
    const h = hashMember(s);
    const slot = this.locate(s, h);
    if (slot >= 0) return false;
    this.insert(s, h, slot, undefined);
    this.bytes += s.length;
    return true;
  }

  /** Removes `s`; false when it was not a member. */
  delete(s: string): boolean {
    const slot = this.locate(s, hashMember(s));
    if (slot < 0) return false;
    this.removeEntry(this.positionAt(slot), slot);
    this.bytes -= s.length;
    return true;
  }

  /** Removes the member at position `i` and returns it; the last member takes its position. */
  removeAt(i: number): string {
    const removed = this.keyAt(i);
    this.removeEntry(i);
    this.bytes -= removed.length;
    return removed;
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    return this.keyAt(Math.floor(Math.random() * this.size));
  }

  /** Calls `f` with every member in position order, until it returns false; false if it was stopped. */
  each(f: (m: string) => boolean | void): boolean {
    for (const chunk of this.chunks) {
      for (let s = 0; s < chunk.length; s++) if (f(chunk.get(s) as string) === false) return false;
    }
    return true;
  }

  /** SSCAN's step: appends up to `count` members from the cursor on and returns the next cursor (see scanPositions). */
  scan(cursor: number, count: number, out: string[]): number {
    return this.scanPositions(cursor, count, (i) => out.push(this.keyAt(i)));
  }

  /** An independent copy; the chunks are shared copy-on-write, the index is copied. */
  clone(): HashSet {
    const copy = this.copyInto(new HashSet());
    copy.bytes = this.bytes;
    return copy;
  }

  /** The members as they are now, for reading while this set goes on changing: O(size / 1024). */
  frozen(): FrozenChunks {
    return this.frozenChunks();
  }
}
