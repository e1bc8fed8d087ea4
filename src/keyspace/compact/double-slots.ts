/**
 * Slots of doubles outside V8's heap, for a Map that would otherwise hold
 * numbers as its values (a large sorted set's scores, the earliest field
 * deadline of each hash that has some): the Map holds each entry's slot
 * number instead. A number that is not a small integer (a score such as a
 * geohash, a deadline in ms) is a new heap number at every write, and
 * each one written into an old Map is a pointer from old to young memory
 * that the next scavenge follows, copies and then promotes: 1,000,000 geo
 * points moved by GEOADD had scavenges of 6-7 ms, each for 400 KB of such
 * numbers. A slot number is a small integer, which V8 keeps unboxed.
 */
export class DoubleSlots {
  /** Past the first chunk's doubling, chunks of this many doubles (32 KiB each). */
  private static readonly CHUNK_BITS = 12;
  private static readonly CHUNK = 1 << DoubleSlots.CHUNK_BITS;
  private static readonly MASK = DoubleSlots.CHUNK - 1;
  /** The first chunk's size when new: a set just past the listpack limit is small. */
  private static readonly FIRST = 256;

  private chunks: Float64Array[] = [new Float64Array(DoubleSlots.FIRST)];
  /** Slots handed out so far, whether in use or free. */
  private used = 0;
  /** Freed slots, handed out again first. */
  private readonly free: number[] = [];

  get(slot: number): number {
    return this.chunks[slot >>> DoubleSlots.CHUNK_BITS][slot & DoubleSlots.MASK];
  }

  set(slot: number, value: number): void {
    this.chunks[slot >>> DoubleSlots.CHUNK_BITS][slot & DoubleSlots.MASK] = value;
  }

  /** A slot holding `value`. */
  add(value: number): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.grow();
    this.set(slot, value);
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** A slot never handed out, making room for it: the first chunk doubles up to a full chunk, then chunks are added. */
  private grow(): number {
    const slot = this.used++;
    const chunks = this.chunks;
    const c = slot >>> DoubleSlots.CHUNK_BITS;
    if (c === chunks.length) {
      chunks.push(new Float64Array(DoubleSlots.CHUNK));
    } else if (c === 0 && slot === chunks[0].length) {
      const bigger = new Float64Array(Math.min(DoubleSlots.CHUNK, slot * 2));
      bigger.set(chunks[0]);
      chunks[0] = bigger;
    }
    return slot;
  }
}
