/**
 * Slots of doubles outside V8's heap, for the scores of a large sorted set's
 * dictionary: the dictionary maps each member to its slot number. Storing
 * the score in the dictionary itself would box every score that is not a
 * small integer (a timestamp, a geohash) in a new heap number, and each
 * written into the old dictionary is a pointer from old to young memory that
 * the next scavenge follows and copies, then promotes: 1,000,000 geo points
 * moved by GEOADD had scavenges of 6-7 ms, each for 400 KB of such numbers.
 * A slot number is a small integer, which V8 keeps unboxed.
 */
export class ScoreSlots {
  /** Past the first chunk's doubling, chunks of this many scores (32 KiB each). */
  private static readonly CHUNK_BITS = 12;
  private static readonly CHUNK = 1 << ScoreSlots.CHUNK_BITS;
  private static readonly MASK = ScoreSlots.CHUNK - 1;
  /** The first chunk's size when new: a set just past the listpack limit is small. */
  private static readonly FIRST = 256;

  private chunks: Float64Array[] = [new Float64Array(ScoreSlots.FIRST)];
  /** Slots handed out so far, whether in use or free. */
  private used = 0;
  /** Freed slots, handed out again first. */
  private readonly free: number[] = [];

  get(slot: number): number {
    return this.chunks[slot >>> ScoreSlots.CHUNK_BITS][slot & ScoreSlots.MASK];
  }

  set(slot: number, score: number): void {
    this.chunks[slot >>> ScoreSlots.CHUNK_BITS][slot & ScoreSlots.MASK] = score;
  }

  /** A slot holding `score`. */
  add(score: number): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.grow();
    this.set(slot, score);
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** A slot never handed out, making room for it: the first chunk doubles up to a full chunk, then chunks are added. */
  private grow(): number {
    const slot = this.used++;
    const chunks = this.chunks;
    const c = slot >>> ScoreSlots.CHUNK_BITS;
    if (c === chunks.length) {
      chunks.push(new Float64Array(ScoreSlots.CHUNK));
    } else if (c === 0 && slot === chunks[0].length) {
      const bigger = new Float64Array(Math.min(ScoreSlots.CHUNK, slot * 2));
      bigger.set(chunks[0]);
      chunks[0] = bigger;
    }
    return slot;
  }
}
