import { hashMember } from './member-hash.js';

const CHUNK_BITS = 10;
/** Members per chunk: what one write into a shared chunk copies. */
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const MIN_TABLE = 8;

/**
 * The large encoding of a set (Redis's hashtable): the members in a dense
 * sequence, an open-addressing index over it, and each member's hash.
 *
 * - The sequence is chunks of CHUNK member strings; removing a member moves
 *   the last one into its place, so the members always fill positions
 *   0..size-1. That gives SPOP and SRANDMEMBER a uniformly random member in
 *   O(1), which a Map or Set cannot, and SSCAN a stateless cursor (`scan`).
 * - `table` is a linear-probing hash table of positions + 1 (0: empty),
 *   kept under 3/4 full, deletions closing the gap by shifting back (no
 *   tombstones); `hashes` holds each position's hash, so that a probe
 *   compares strings only on a full hash match and a resize hashes nothing.
 *
 * Per member that is the string, an 8-byte slot, 4 bytes of hash and 5.3 to
 * 10.7 bytes of table: a Map would spend 28 on its entry and still need the
 * slot for random access. Nothing is bounded by V8's 2^24-entry limit.
 *
 * Chunks are shared copy-on-write with clones and frozen views (COPY and the
 * AOF rewrite's snapshot): a write into a chunk this set does not own
 * copies that chunk first, once.
 */
export class HashSet {
  private chunks: string[][] = [];
  /** Per chunk, whether this set may write into it; null while it shares none. */
  private owned: boolean[] | null = null;
  private hashes: Int32Array;
  private table: Int32Array;
  size = 0;
  /** The members' total length, for estimating reply sizes. */
  bytes = 0;

  /** An empty set with room for `capacity` members before its first resize. */
  constructor(capacity = 0) {
    this.table = new Int32Array(tableLengthFor(capacity));
    this.hashes = new Int32Array(Math.max(8, capacity));
  }

  /** The member at position `i` (0 ≤ i < size). */
  at(i: number): string {
    return this.chunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
  }

  has(s: string): boolean {
    return this.slotOf(s, hashMember(s)) >= 0;
  }

  /** Adds `s`; false when it is a member already. */
  add(s: string): boolean {
    const h = hashMember(s);
    let slot = this.slotOf(s, h);
    if (slot >= 0) return false;
    if ((this.size + 1) * 4 > this.table.length * 3) {
      this.rebuildTable(this.table.length * 2);
      slot = this.freeSlot(h);
    } else {
      slot = -slot - 1;
    }
    const k = this.size;
    if (k === this.hashes.length) {
      const grown = new Int32Array(k * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[k] = h;
    this.table[slot] = k + 1;
    const c = k >>> CHUNK_BITS;
    if (c === this.chunks.length) {
      this.chunks.push([s]);
      this.owned?.push(true);
    } else {
      const chunk = this.writable(c);
      chunk.push(s);
      // Pushes leave up to half again as much room; a full chunk never grows.
      if (chunk.length === CHUNK) this.chunks[c] = chunk.slice();
    }
    this.size++;
    this.bytes += s.length;
    return true;
  }

  /** Removes `s`; false when it was not a member. */
  delete(s: string): boolean {
    const slot = this.slotOf(s, hashMember(s));
    if (slot < 0) return false;
    this.removeAt(this.table[slot] - 1, slot);
    return true;
  }

  /** Removes the member at position `i` and returns it; the last member takes its position. */
  removeAt(i: number, slot = this.slotAt(i)): string {
    const removed = this.at(i);
    this.unlinkSlot(slot);
    const last = this.size - 1;
    if (i !== last) {
      this.table[this.slotAt(last)] = i + 1;
      this.writable(i >>> CHUNK_BITS)[i & CHUNK_MASK] = this.at(last);
      this.hashes[i] = this.hashes[last];
    }
    const c = last >>> CHUNK_BITS;
    const chunk = this.writable(c);
    chunk.pop();
    if (chunk.length === 0) {
      this.chunks.pop();
      this.owned?.pop();
    }
    this.size = last;
    this.bytes -= removed.length;
    if (this.table.length > MIN_TABLE && this.size * 8 < this.table.length) this.rebuildTable(this.table.length / 2);
    if (this.hashes.length > 64 && this.size * 4 < this.hashes.length) this.hashes = this.hashes.slice(0, this.hashes.length / 2);
    return removed;
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    return this.at(Math.floor(Math.random() * this.size));
  }

  /** Calls `f` with every member in position order, until it returns false; false if it was stopped. */
  each(f: (m: string) => boolean | void): boolean {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) if (f(chunk[i]) === false) return false;
    }
    return true;
  }

  /**
   * SSCAN's step: appends up to `count` members from the cursor on and
   * returns the next cursor (0 at the end). A cursor is how many positions
   * are still to visit, walked from the last position down, and 0 starts
   * at the end. The guarantee follows from how positions change: an
   * arrival takes a position past every cursor handed out, and a removal
   * moves only the last member, down into the hole, so a member not yet
   * returned stays below the cursor; one already returned may be met again.
   */
  scan(cursor: number, count: number, out: string[]): number {
    let next = cursor === 0 || cursor > this.size ? this.size : cursor;
    for (; count > 0 && next > 0; count--) out.push(this.at(--next));
    return next;
  }

  /** An independent copy; the chunks are shared copy-on-write, the index is copied. */
  clone(): HashSet {
    const copy = new HashSet();
    copy.chunks = this.chunks.slice();
    copy.owned = this.disown();
    copy.hashes = this.hashes.slice();
    copy.table = this.table.slice();
    copy.size = this.size;
    copy.bytes = this.bytes;
    return copy;
  }

  /** The members as they are now, for reading while this set goes on changing: O(size / CHUNK). */
  frozen(): FrozenMembers {
    const chunks = this.chunks.slice();
    this.disown();
    return chunks;
  }

  /** Gives up ownership of every chunk (another holder now shares them); returns a fresh ownership list for that holder. */
  private disown(): boolean[] {
    this.owned = new Array<boolean>(this.chunks.length).fill(false);
    return new Array<boolean>(this.chunks.length).fill(false);
  }

  private writable(c: number): string[] {
    const owned = this.owned;
    if (owned === null || owned[c]) return this.chunks[c];
    owned[c] = true;
    return (this.chunks[c] = this.chunks[c].slice());
  }

  /** The slot holding `s`, or -(the free slot where it would go) - 1. */
  private slotOf(s: string, h: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const hashes = this.hashes;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return -i - 1;
      if (hashes[e - 1] === h && this.at(e - 1) === s) return i;
    }
  }

  /** The slot that holds position `k`. */
  private slotAt(k: number): number {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashes[k] & mask;
    while (table[i] !== k + 1) i = (i + 1) & mask;
    return i;
  }

  private freeSlot(h: number): number {
    const table = this.table;
    const mask = table.length - 1;
    let i = h & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    return i;
  }

  /** Empties slot `i`, shifting back the entries after it that may no longer be reachable past the gap. */
  private unlinkSlot(i: number): void {
    const table = this.table;
    const mask = table.length - 1;
    const hashes = this.hashes;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = table[j];
      if (e === 0) break;
      const home = hashes[e - 1] & mask;
      // The entry at j may fill the gap unless its home lies cyclically within (i, j].
      const reachable = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!reachable) {
        table[i] = e;
        i = j;
      }
    }
    table[i] = 0;
  }

  private rebuildTable(length: number): void {
    const table = new Int32Array(length);
    const mask = length - 1;
    const hashes = this.hashes;
    for (let k = 0; k < this.size; k++) {
      let i = hashes[k] & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = k + 1;
    }
    this.table = table;
  }
}

/** A set's members frozen by HashSet.frozen: chunks nobody writes to any more. */
export type FrozenMembers = readonly (readonly string[])[];

/** The smallest power of two that holds `n` entries at most 3/4 full. */
function tableLengthFor(n: number): number {
  let length = MIN_TABLE;
  while (n * 4 > length * 3) length *= 2;
  return length;
}
