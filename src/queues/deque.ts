/** Slots per chunk once a deque outgrows one small chunk: a power of two, so positions split with shifts. */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** The first chunk of a new deque: small lists stay small. */
const FIRST_CHUNK = 4;

type Chunk<T> = (T | undefined)[];

/**
 * A double-ended queue of chunks (std::deque's layout). Element i lives at
 * position p = head + i, in chunk p >> CHUNK_BITS of a ring of chunk
 * references, slot p & CHUNK_MASK. Pushing or popping at either end touches
 * one chunk, and allocates or frees a whole chunk only every CHUNK
 * operations, so both ends are O(1) however long the deque is (no
 * Array.prototype.shift, which V8 makes O(n) on large arrays), and indexed
 * access is O(1).
 *
 * A deque that fits in one chunk keeps that chunk no bigger than it needs
 * (4, 8, … CHUNK slots), so a short list costs a few words, not a full chunk.
 */
export class Deque<T> {
  /** Ring of chunk references; its length is a power of two. */
  private dir: Chunk<T>[] = [];
  private dirHead = 0;
  /** Chunks in use, from dirHead on. */
  private chunks = 0;
  /** Position of the first element in the first chunk. */
  private head = 0;
  length = 0;
  /** An emptied full-size chunk kept for the next one needed, so a deque breathing across a chunk edge allocates nothing. */
  private spare: Chunk<T> | null = null;
  /** Chunks allocated over the deque's life (tests count work with it). */
  chunkAllocations = 0;
  /** Elements moved from one slot to another (regrowing a small chunk, inserting or removing inside). */
  moves = 0;

  get(i: number): T {
    const p = this.head + i;
    return this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)][p & CHUNK_MASK] as T;
  }

  set(i: number, v: T): void {
    const p = this.head + i;
    this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)][p & CHUNK_MASK] = v;
  }

  pushBack(v: T): void {
    if (this.chunks === 0) this.start(0);
    let p = this.head + this.length;
    if (this.chunks === 1) {
      const only = this.dir[this.dirHead];
      if (p === only.length && only.length < CHUNK) {
        this.regrow(false);
        p = this.head + this.length;
      }
    }
    const c = p >> CHUNK_BITS;
    if (c === this.chunks) this.addChunk(false);
    this.dir[(this.dirHead + c) & (this.dir.length - 1)][p & CHUNK_MASK] = v;
    this.length++;
  }

  pushFront(v: T): void {
    if (this.chunks === 0) this.start(FIRST_CHUNK);
    if (this.head === 0) {
      if (this.chunks === 1 && this.dir[this.dirHead].length < CHUNK) {
        this.regrow(true);
      } else {
        this.addChunk(true);
        this.head = CHUNK;
      }
    }
    this.head--;
    this.dir[this.dirHead][this.head] = v;
    this.length++;
  }

  popFront(): T | undefined {
    if (this.length === 0) return undefined;
    const first = this.dir[this.dirHead];
    const v = first[this.head] as T;
    first[this.head] = undefined;
    this.head++;
    this.length--;
    if (this.length === 0) this.reset();
    else if (this.head === CHUNK) {
      this.dropChunk(true);
      this.head = 0;
    }
    return v;
  }

  popBack(): T | undefined {
    if (this.length === 0) return undefined;
    const p = this.head + this.length - 1;
    const chunk = this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)];
    const v = chunk[p & CHUNK_MASK] as T;
    chunk[p & CHUNK_MASK] = undefined;
    this.length--;
    if (this.length === 0) this.reset();
    else if ((p & CHUNK_MASK) === 0 && this.chunks > 1) this.dropChunk(false);
    return v;
  }

  /** Inserts before index i (0 … length), shifting whichever side is shorter: O(min(i, length - i)). */
  insert(i: number, v: T): void {
    const n = this.length;
    if (i <= n >> 1) {
      this.pushFront(v);
      for (let k = 0; k < i; k++) this.set(k, this.get(k + 1));
      this.moves += i;
    } else {
      this.pushBack(v);
      for (let k = n; k > i; k--) this.set(k, this.get(k - 1));
      this.moves += n - i;
    }
    this.set(i, v);
  }

  /** Removes and returns element i, shifting whichever side is shorter. */
  removeAt(i: number): T {
    const v = this.get(i);
    const n = this.length;
    if (i < n >> 1) {
      for (let k = i; k > 0; k--) this.set(k, this.get(k - 1));
      this.moves += i;
      this.popFront();
    } else {
      for (let k = i; k < n - 1; k++) this.set(k, this.get(k + 1));
      this.moves += n - 1 - i;
      this.popBack();
    }
    return v;
  }

  /** Drops n elements from the front (or the back): O(n). */
  dropFront(n: number): void {
    for (let k = 0; k < n; k++) this.popFront();
  }

  dropBack(n: number): void {
    for (let k = 0; k < n; k++) this.popBack();
  }

  clone(): Deque<T> {
    const copy = new Deque<T>();
    for (let i = 0; i < this.length; i++) copy.pushBack(this.get(i));
    return copy;
  }

  /** First use: one small chunk, the first element going at `at`. */
  private start(at: number): void {
    this.dir = [this.newChunk(FIRST_CHUNK)];
    this.dirHead = 0;
    this.chunks = 1;
    this.head = at;
  }

  /**
   * The only chunk is full at the end being pushed: recentre the elements in
   * it when it is at most half full, or else move them to a chunk twice its
   * size. Either way each side has room for a quarter of the chunk again, so
   * the copying is amortised O(1) per push.
   */
  private regrow(front: boolean): void {
    const old = this.dir[this.dirHead];
    const n = this.length;
    const size = n * 2 <= old.length ? old.length : old.length * 2;
    const next = size === old.length ? old.slice() : this.newChunk(size);
    const free = size - n;
    // Pushes at the full end are likely to continue: leave most room there.
    const at = front ? free - (free >> 2) : free >> 2;
    for (let k = 0; k < n; k++) next[at + k] = old[this.head + k];
    for (let k = 0; k < at; k++) next[k] = undefined;
    for (let k = at + n; k < size; k++) next[k] = undefined;
    this.moves += n;
    this.dir[this.dirHead] = next;
    this.head = at;
  }

  private newChunk(size: number): Chunk<T> {
    if (size === CHUNK && this.spare !== null) {
      const c = this.spare;
      this.spare = null;
      return c;
    }
    this.chunkAllocations++;
    return new Array<T | undefined>(size).fill(undefined);
  }

  private addChunk(front: boolean): void {
    if (this.chunks === this.dir.length) this.growDirectory();
    const chunk = this.newChunk(CHUNK);
    const mask = this.dir.length - 1;
    if (front) {
      this.dirHead = (this.dirHead - 1) & mask;
      this.dir[this.dirHead] = chunk;
    } else {
      this.dir[(this.dirHead + this.chunks) & mask] = chunk;
    }
    this.chunks++;
  }

  private dropChunk(front: boolean): void {
    const mask = this.dir.length - 1;
    const at = front ? this.dirHead : (this.dirHead + this.chunks - 1) & mask;
    this.spare = this.dir[at];
    if (front) this.dirHead = (this.dirHead + 1) & mask;
    this.chunks--;
  }

  /** Doubles the ring of chunk references, unrolling it: O(chunks), once per doubling. */
  private growDirectory(): void {
    const old = this.dir;
    const next: Chunk<T>[] = new Array(old.length * 2);
    for (let k = 0; k < this.chunks; k++) next[k] = old[(this.dirHead + k) & (old.length - 1)];
    this.dir = next;
    this.dirHead = 0;
  }

  /** Empty again: keep the first chunk, centred, and forget the rest. */
  private reset(): void {
    const first = this.dir[this.dirHead];
    this.dir = [first];
    this.dirHead = 0;
    this.chunks = 1;
    this.head = first.length >> 1;
  }
}
