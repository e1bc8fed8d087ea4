import { ByteChunk } from './byte-chunk.js';
import { CHUNK, CHUNK_BITS, CHUNK_MASK, DenseIndex, FIRST_ROOM } from './dense-index.js';

/** A table's chunks as they were frozen: nobody writes to them any more. */
export type FrozenChunks = readonly ByteChunk[];

/**
 * The large encoding of a set or a hash (Redis's hashtable): a DenseIndex
 * whose positions sit in chunks (ByteChunk), CHUNK positions to a chunk,
 * `stride` slots a position: the key, then (a hash's) its value. A string
 * is kept there as bytes, outside V8's heap; any other value as itself.
 *
 * Chunks are shared copy-on-write with clones and frozen views (COPY, the
 * snapshots of BGSAVE and the AOF rewrite): a write into a chunk this table
 * does not own copies that chunk first, once.
 */
export class DenseTable extends DenseIndex {
  /** Per chunk, whether this table may write into it; null while it shares none. */
  private owned: boolean[] | null = null;
  /** Per chunk, `stride` slots per entry: the key, then (a hash's) its value. */
  protected chunks: ByteChunk[] = [];

  /** `shardTarget` is for tests, which split shards without thousands of entries. */
  constructor(
    protected readonly stride: 1 | 2,
    shardTarget?: number,
  ) {
    super(shardTarget);
  }

  /** The key at position `i` (0 ≤ i < size). */
  keyAt(i: number): string {
    return this.chunks[i >>> CHUNK_BITS].get((i & CHUNK_MASK) * this.stride) as string;
  }

  protected keyIs(i: number, key: string): boolean {
    return this.chunks[i >>> CHUNK_BITS].is((i & CHUNK_MASK) * this.stride, key);
  }

  protected companionAt(i: number): unknown {
    return this.chunks[i >>> CHUNK_BITS].get((i & CHUNK_MASK) * 2 + 1);
  }

  protected setCompanion(i: number, v: unknown): void {
    this.writable(i >>> CHUNK_BITS).set((i & CHUNK_MASK) * 2 + 1, v);
  }

  /**
   * Appends a key absent from the table at position `size`, given its hash
   * and what `locate` answered for it (and a hash's value); returns its position.
   */
  protected insert(key: string, h: number, miss: number, value: unknown): number {
    const k = this.addPosition(h, miss);
    const c = k >>> CHUNK_BITS;
    if (c === this.chunks.length) {
      const slots = CHUNK * this.stride;
      // A chunk after the first fills as the one before it did.
      const bytes = c === 0 ? 16 * FIRST_ROOM * this.stride : Math.ceil(this.chunks[c - 1].liveBytes * 1.05);
      this.chunks.push(new ByteChunk(slots, c === 0 ? FIRST_ROOM * this.stride : slots, bytes));
      this.owned?.push(true);
    }
    const chunk = this.writable(c);
    const at = (k & CHUNK_MASK) * this.stride;
    chunk.set(at, key);
    if (this.stride === 2) chunk.set(at + 1, value);
    return k;
  }

  protected moveEntry(from: number, to: number): void {
    const stride = this.stride;
    const source = this.writable(from >>> CHUNK_BITS);
    const fromAt = (from & CHUNK_MASK) * stride;
    const target = this.writable(to >>> CHUNK_BITS);
    const toAt = (to & CHUNK_MASK) * stride;
    target.take(toAt, source, fromAt);
    if (stride === 2) target.take(toAt + 1, source, fromAt + 1);
  }

  protected dropLast(last: number): void {
    if ((last & CHUNK_MASK) === 0) {
      this.chunks.pop();
      this.owned?.pop();
      return;
    }
    const chunk = this.writable(last >>> CHUNK_BITS);
    chunk.pop();
    if (this.stride === 2) chunk.pop();
  }

  private writable(c: number): ByteChunk {
    const owned = this.owned;
    if (owned === null || owned[c]) return this.chunks[c];
    owned[c] = true;
    return (this.chunks[c] = this.chunks[c].copy());
  }

  /** The chunks as they are now, for reading while this table goes on changing: O(size / CHUNK). */
  frozenChunks(): FrozenChunks {
    const chunks = this.chunks.slice();
    this.disown();
    return chunks;
  }

  /** Makes `copy`, a new empty table of the same stride, an independent copy of this one: chunks shared copy-on-write, the index copied. */
  protected copyInto<T extends DenseTable>(copy: T): T {
    copy.chunks = this.chunks.slice();
    copy.owned = this.disown();
    this.copyIndexInto(copy);
    return copy;
  }

  /** Gives up ownership of every chunk (another holder now shares them); returns a fresh ownership list for that holder. */
  private disown(): boolean[] {
    this.owned = new Array<boolean>(this.chunks.length).fill(false);
    return new Array<boolean>(this.chunks.length).fill(false);
  }
}

/** The values of frozen chunks' slots, in order: a set's members, or a hash's fields and values in turn. */
export function* frozenSlots(chunks: FrozenChunks): IterableIterator<unknown> {
  for (const chunk of chunks) {
    for (let s = 0; s < chunk.length; s++) yield chunk.get(s);
  }
}
