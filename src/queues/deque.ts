/** Slots per chunk once a deque outgrows one small chunk: a power of two, so positions split with shifts. */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** The first chunk of a new deque: small lists stay small. */
const FIRST_CHUNK = 4;

type Chunk<T> = (T | undefined)[];

const NOTHING_SHARED = new Uint8Array(0);

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
 *
 * clone() shares the chunks instead of copying the elements: O(chunks), a
 * pointer per 256 elements. From then on neither deque writes into a chunk
 * the other may hold: the first write into one copies it (CHUNK slots) and
 * the copy is the writer's own, as a forked process's pages are copied on
 * write. Popping from a shared chunk writes nothing (the slot is not
 * cleared: the other holder keeps the element alive anyway), so a shared
 * chunk costs a copy only when an element in it is set or pushed. A deque
 * of one chunk (every short list) is copied instead, which costs no more.
 *
 * Ownership is never given back: reference counts would need every holder
 * to say when it is done with a chunk, and a clone is simply dropped. So a
 * deque whose clone is gone still copies each chunk that was shared once
 * before writing into it (a clone costs at most one chunk copy per chunk),
 * and tests a byte per write until none is left. A deque never cloned, or
 * whose shared chunks have all been copied or dropped, tests one integer.
 */
export class Deque<T> {
  /** Ring of chunk references; its length is a power of two. */
  private dir: Chunk<T>[] = [];
  private dirHead = 0;
  /** Chunks in use, from dirHead on. */
  private chunks = 0;
  /** How many chunks in use another deque may hold too; 0 for a deque never cloned, and then `shared` is not read. */
  private foreign = 0;
  /** While `foreign` is not 0: per slot of the ring, 1 if its chunk may be held by another deque. */
  private shared: Uint8Array = NOTHING_SHARED;
  /** Position of the first element in the first chunk. */
  private head = 0;
  length = 0;
  /** An emptied full-size chunk kept for the next one needed, so a deque breathing across a chunk edge allocates nothing. */
  private spare: Chunk<T> | null = null;
  /** Chunks allocated over the deque's life, copies of shared ones included (tests count work with it). */
  chunkAllocations = 0;
  /** Elements moved from one slot to another (regrowing a small chunk, inserting or removing inside). */
  moves = 0;

  get(i: number): T {
    const p = this.head + i;
    return this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)][p & CHUNK_MASK] as T;
  }

  set(i: number, v: T): void {
    const p = this.head + i;
    const s = (this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1);
    if (this.foreign !== 0) {
      // Out of line: once a process has written into shared chunks the JIT compiles this branch into every
      // set, and inline it cost each set 4 ns (of 16), out of line 2.
      this.setShared(s, p & CHUNK_MASK, v);
      return;
    }
    this.dir[s][p & CHUNK_MASK] = v;
  }

  private setShared(s: number, slot: number, v: T): void {
    if (this.shared[s] === 1) this.own(s);
    this.dir[s][slot] = v;
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
    const s = (this.dirHead + c) & (this.dir.length - 1);
    if (this.foreign !== 0 && this.shared[s] === 1) this.own(s);
    this.dir[s][p & CHUNK_MASK] = v;
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
    if (this.foreign !== 0 && this.shared[this.dirHead] === 1) this.own(this.dirHead);
    this.head--;
    this.dir[this.dirHead][this.head] = v;
    this.length++;
  }

  popFront(): T | undefined {
    if (this.length === 0) return undefined;
    const first = this.dir[this.dirHead];
    const v = first[this.head] as T;
    if (this.foreign === 0 || this.shared[this.dirHead] === 0) first[this.head] = undefined;
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
    const s = (this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1);
    const chunk = this.dir[s];
    const v = chunk[p & CHUNK_MASK] as T;
    if (this.foreign === 0 || this.shared[s] === 0) chunk[p & CHUNK_MASK] = undefined;
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

  /**
   * An independent copy that shares this deque's chunks until either writes
   * into one (see the class comment): O(chunks), in builtins (slice, fill)
   * because it runs too rarely for its loops to be compiled.
   */
  clone(): Deque<T> {
    const copy = new Deque<T>();
    if (this.length === 0) return copy;
    copy.head = this.head;
    copy.length = this.length;
    if (this.chunks === 1) {
      // At most CHUNK slots: copying them costs what sharing would, and spares this deque a copy on its next write.
      copy.dir = [this.liveCopy(this.dirHead)];
      copy.chunks = 1;
      copy.chunkAllocations = 1;
      return copy;
    }
    copy.dir = this.dir.slice();
    copy.dirHead = this.dirHead;
    copy.chunks = this.chunks;
    copy.shared = this.markShared(new Uint8Array(this.dir.length));
    copy.foreign = this.chunks;
    this.shared = this.markShared(this.foreign === 0 ? new Uint8Array(this.dir.length) : this.shared);
    this.foreign = this.chunks;
    return copy;
  }

  /** Flags, in `shared`, the ring slots in use (they may wrap round the end) and returns it. */
  private markShared(shared: Uint8Array): Uint8Array {
    const end = this.dirHead + this.chunks;
    shared.fill(1, this.dirHead, end);
    if (end > shared.length) shared.fill(1, 0, end - shared.length);
    return shared;
  }

  /** Before a write into the chunk at ring slot `s`, flagged as shared: this deque takes a copy of its own. */
  private own(s: number): void {
    this.chunkAllocations++;
    this.dir[s] = this.liveCopy(s);
    this.shared[s] = 0;
    this.foreign--;
  }

  /**
   * A copy of the chunk at ring slot `s` with the slots not in use cleared,
   * so that elements popped from a shared chunk (which keeps them) are not
   * kept alive by the copy.
   */
  private liveCopy(s: number): Chunk<T> {
    const chunk = this.dir[s];
    const c = (s - this.dirHead) & (this.dir.length - 1);
    const copy = chunk.slice();
    copy.fill(undefined, 0, c === 0 ? this.head : 0);
    copy.fill(undefined, Math.min(chunk.length, this.head + this.length - (c << CHUNK_BITS)));
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
    if (this.foreign !== 0) {
      this.shared[this.dirHead] = 0;
      this.foreign--;
    }
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
    // A chunk another deque holds cannot be reused: that deque still reads it.
    if (this.foreign !== 0 && this.shared[at] === 1) {
      this.shared[at] = 0;
      this.foreign--;
    } else {
      this.spare = this.dir[at];
    }
    if (front) this.dirHead = (this.dirHead + 1) & mask;
    this.chunks--;
  }

  /** Doubles the ring of chunk references, unrolling it: O(chunks), once per doubling. */
  private growDirectory(): void {
    const old = this.dir;
    const next: Chunk<T>[] = new Array(old.length * 2);
    for (let k = 0; k < this.chunks; k++) next[k] = old[(this.dirHead + k) & (old.length - 1)];
    if (this.foreign !== 0) {
      const shared = new Uint8Array(next.length);
      for (let k = 0; k < this.chunks; k++) shared[k] = this.shared[(this.dirHead + k) & (old.length - 1)];
      this.shared = shared;
    }
    this.dir = next;
    this.dirHead = 0;
  }

  /** Empty again: keep the first chunk, centred, and forget the rest. */
  private reset(): void {
    const first = this.dir[this.dirHead];
    if (this.foreign !== 0) {
      const shared = this.shared[this.dirHead];
      this.shared = shared === 1 ? new Uint8Array([1]) : NOTHING_SHARED;
      this.foreign = shared;
    }
    this.dir = [first];
    this.dirHead = 0;
    this.chunks = 1;
    this.head = first.length >> 1;
  }
}
