import { RunBlocks } from '../../keyspace/compact/run-blocks.js';

/** Slots per chunk once a deque outgrows one small chunk: a power of two, so positions split with shifts. */
const CHUNK_BITS = 5;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Chunks a deque has at most to count as short: it keeps no spare chunk from packing. */
const SMALL = 4;
/** Elements a deque holds before it packs any chunk (packBehind). */
const PACK_FROM = 2 * CHUNK;
/** The first chunk of a new deque: small lists stay small. */
const FIRST_CHUNK = 4;

/** A chunk being written: one slot per element. */
type Open = (string | undefined)[];
/**
 * A chunk is open, or packed: the handle of a run in `packedRuns` of the slots
 * that were live when it was packed, entry k for slot k.
 */
type Chunk = Open | number;

const NOTHING_SHARED = new Uint8Array(0);
/** What a ring slot holds once its packed chunk is gone: every handle in a ring is one the deque holds. */
const NO_CHUNK: Open = [];

/** Every deque's packed chunks, in blocks outside V8's heap. */
export const packedRuns = new RunBlocks();

/**
 * Gives back the packed chunks of a deque the collector found dead without
 * its having let them go (discard): a table flushed whole, a snapshot
 * dropped after a save. Each deque that packs a chunk registers the box
 * that holds its current ring.
 */
const unreleased = new FinalizationRegistry<Chunk[][]>((box) => releaseRing(box[0]));

function releaseRing(ring: readonly Chunk[]): void {
  for (const chunk of ring) if (typeof chunk === 'number') packedRuns.release(chunk);
}

/**
 * A double-ended queue of byte strings in chunks (std::deque's layout).
 * Element i lives at position p = head + i, in chunk p >> CHUNK_BITS of a
 * ring of chunk references, slot p & CHUNK_MASK. Pushing or popping at
 * either end touches one chunk, and allocates or frees a whole chunk only
 * every CHUNK operations, so both ends are O(1) however long the deque is
 * (no Array.prototype.shift, which V8 makes O(n) on large arrays), and
 * indexed access is O(1).
 *
 * Chunks away from the ends are packed: their elements in one run of bytes
 * with an offset table, in a block outside V8's heap
 * (keyspace/compact/run-blocks.ts), about 2 bytes over the elements' own
 * where a string each costs 40, as Redis packs a quicklist's nodes into
 * listpacks. When a chunk is added at an end, the one or two behind it
 * are packed; reading or popping a packed chunk reads it in place, and
 * only a write into it opens it again (an array of its elements). So
 * that a deque breathing across a chunk edge does not pack and open the
 * same chunk over and over, a chunk opened by a push stays open while it is
 * within one chunk of its end (`reopenedFront`, `reopenedBack`): a chunk is
 * packed and opened again only CHUNK operations apart, so both costs are
 * O(1) per operation amortised. An insertion or removal inside rotates
 * the packed chunks it shifts without opening them (one new run each);
 * a write inside that does open some (set, a removal of several) packs
 * them again before it returns (`tidy`).
 *
 * A deque that fits in one chunk keeps that chunk no bigger than it needs
 * (4, 8, … CHUNK slots), so a short list costs a few words, not a full chunk.
 *
 * clone() shares the chunks instead of copying the elements: O(chunks), a
 * pointer per CHUNK elements. A packed chunk never changes; its run counts
 * its holders and is freed when the last lets it go (a chunk opened,
 * rotated or dropped, the deque discarded, or found dead by the collector).
 * From then on neither deque writes into an open chunk the other may hold:
 * the first write into one copies it (CHUNK slots) and the copy is the
 * writer's own, as a forked process's pages are copied on write. Popping
 * from a shared chunk writes nothing (the slot is not cleared: the other
 * holder keeps the element alive anyway), so a shared chunk costs a copy
 * only when an element in it is set or pushed. A deque of one chunk (every
 * short list) is copied instead, which costs no more.
 *
 * An open chunk's sharing is never given back: that would need every
 * holder to say when it is done with the chunk, and a clone is simply
 * dropped (its packed chunks are given back once the collector finds it
 * dead, too late to spare a copy). So a deque whose clone is gone still
 * copies each chunk that was shared once before writing into it (a clone
 * costs at most one chunk copy per chunk), and tests a byte per write
 * until none is left. A deque never cloned, or
 * whose shared chunks have all been copied, packed or dropped, tests one
 * integer.
 */
export class Deque {
  /** Ring of chunk references; its length is a power of two. */
  private dir: Chunk[] = [];
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
  private spare: Open | null = null;
  /** The chunks last opened by a push at the front and at the back (see the class comment). */
  private reopenedFront: Open | null = null;
  private reopenedBack: Open | null = null;
  /** Ring slot of the chunk an inside write opened and has not packed again yet, or -1. */
  private loose = -1;
  /** Holds `dir` for the collector's clean-up (`unreleased`) once the deque has packed a chunk; null before. */
  private box: Chunk[][] | null = null;
  /** Chunks allocated over the deque's life, copies of shared ones included (tests count work with it). */
  chunkAllocations = 0;
  /** Elements moved from one slot to another (regrowing a small chunk, inserting or removing inside). */
  moves = 0;
  /** Chunks packed, and packed chunks opened again. */
  packs = 0;
  unpacks = 0;

  /** Reads the chunk at the head (ListValue.warm); answers its length, or its handle when it is packed. */
  warm(): number {
    if (this.chunks === 0) return 0;
    const first = this.dir[this.dirHead];
    return typeof first === 'number' ? first : first.length;
  }

  get(i: number): string {
    const p = this.head + i;
    const chunk = this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)];
    if (typeof chunk === 'number') return packedRuns.entry(chunk, p & CHUNK_MASK);
    return chunk[p & CHUNK_MASK] as string;
  }

  /** How many chunks in use are open (the rest are packed): O(chunks). */
  openChunks(): number {
    let open = 0;
    for (let c = 0; c < this.chunks; c++) if (typeof this.dir[(this.dirHead + c) & (this.dir.length - 1)] !== 'number') open++;
    return open;
  }

  /**
   * What the deque holds, by `stringSize` of a string's length: the ring,
   * each open chunk's slots and its live elements (sampled from the first
   * ones), each packed chunk's block. O(chunks).
   */
  footprint(stringSize: (length: number) => number, samples: number): number {
    const mask = this.dir.length - 1;
    let bytes = 16 + 8 * this.dir.length;
    let openChunks = 0;
    let openSlots = 0;
    let openElements = 0;
    let sampled = 0;
    let sampledBytes = 0;
    for (let c = 0; c < this.chunks; c++) {
      const chunk = this.dir[(this.dirHead + c) & mask];
      if (typeof chunk === 'number') {
        bytes += packedRuns.bytes(chunk);
        continue;
      }
      openChunks++;
      openSlots += chunk.length;
      const end = this.liveEnd(c);
      for (let slot = this.liveStart(c); slot < end; slot++) {
        openElements++;
        if (sampled < samples) {
          sampled++;
          sampledBytes += stringSize((chunk[slot] as string).length);
        }
      }
    }
    // An open chunk is an array: its own object and its store's header (48 bytes), then a word per slot.
    bytes += 48 * openChunks + 8 * openSlots;
    if (sampled !== 0) bytes += Math.round((sampledBytes / sampled) * openElements);
    return bytes;
  }

  /**
   * The first index in [from, to) whose element is `v`, or -1; the last one
   * when `backwards`. A packed chunk is searched in place, with no string
   * made per element.
   */
  find(v: string, from: number, to: number, backwards: boolean): number {
    const mask = this.dir.length - 1;
    if (!backwards) {
      for (let i = from; i < to; ) {
        const p = this.head + i;
        const slot = p & CHUNK_MASK;
        const end = Math.min(CHUNK, slot + (to - i));
        const chunk = this.dir[(this.dirHead + (p >> CHUNK_BITS)) & mask];
        if (typeof chunk === 'number') {
          const k = packedRuns.find(chunk, slot, end, v);
          if (k !== -1) return i + k - slot;
        } else {
          for (let k = slot; k < end; k++) if (chunk[k] === v) return i + k - slot;
        }
        i += end - slot;
      }
      return -1;
    }
    for (let i = to; i > from; ) {
      const p = this.head + i - 1;
      const last = p & CHUNK_MASK;
      const first = Math.max(0, last - (i - 1 - from));
      const chunk = this.dir[(this.dirHead + (p >> CHUNK_BITS)) & mask];
      if (typeof chunk === 'number') {
        const k = packedRuns.findLast(chunk, first, last + 1, v);
        if (k !== -1) return i - 1 - (last - k);
      } else {
        for (let k = last; k >= first; k--) if (chunk[k] === v) return i - 1 - (last - k);
      }
      i -= last + 1 - first;
    }
    return -1;
  }

  /** Whether element i is `v`, without making a string of a packed one. */
  private holds(i: number, v: string): boolean {
    const p = this.head + i;
    const chunk = this.dir[(this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1)];
    if (typeof chunk === 'number') return packedRuns.entryIs(chunk, p & CHUNK_MASK, v);
    return chunk[p & CHUNK_MASK] === v;
  }

  /** Replaces element i: O(1) in an open chunk, O(CHUNK) in a packed one, which is opened and packed again. */
  set(i: number, v: string): void {
    const p = this.head + i;
    const s = (this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1);
    const chunk = this.dir[s];
    if (typeof chunk !== 'number' && this.foreign === 0) {
      chunk[p & CHUNK_MASK] = v;
      return;
    }
    // Out of line: once a process has written into shared or packed chunks the JIT compiles this branch into
    // every set, and inline it cost each set 4 ns (of 16), out of line 2.
    this.put(i, v);
    this.tidy();
  }

  pushBack(v: string): void {
    if (this.chunks === 0) this.start(0);
    let p = this.head + this.length;
    if (this.chunks === 1) {
      const only = this.dir[this.dirHead];
      if (typeof only !== 'number' && p === only.length && only.length < CHUNK) {
        this.regrow(false);
        p = this.head + this.length;
      }
    }
    const c = p >> CHUNK_BITS;
    if (c === this.chunks) {
      this.addChunk(false);
      this.packBehind(false);
    }
    const s = (this.dirHead + c) & (this.dir.length - 1);
    let chunk = this.dir[s];
    if (typeof chunk === 'number') chunk = this.reopenedBack = this.unpack(s);
    else if (this.foreign !== 0 && this.shared[s] === 1) chunk = this.own(s);
    chunk[p & CHUNK_MASK] = v;
    this.length++;
  }

  pushFront(v: string): void {
    if (this.chunks === 0) this.start(FIRST_CHUNK);
    if (this.head === 0) {
      const first = this.dir[this.dirHead];
      if (this.chunks === 1 && typeof first !== 'number' && first.length < CHUNK) {
        this.regrow(true);
      } else {
        this.addChunk(true);
        this.head = CHUNK;
        this.packBehind(true);
      }
    }
    let chunk = this.dir[this.dirHead];
    if (typeof chunk === 'number') chunk = this.reopenedFront = this.unpack(this.dirHead);
    else if (this.foreign !== 0 && this.shared[this.dirHead] === 1) chunk = this.own(this.dirHead);
    this.head--;
    chunk[this.head] = v;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const first = this.dir[this.dirHead];
    let v: string;
    if (typeof first === 'number') {
      v = packedRuns.entry(first, this.head);
    } else {
      v = first[this.head] as string;
      if (this.foreign === 0 || this.shared[this.dirHead] === 0) first[this.head] = undefined;
    }
    this.head++;
    this.length--;
    if (this.length === 0) this.reset();
    else if (this.head === CHUNK) {
      this.dropChunk(true);
      this.head = 0;
    }
    return v;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const p = this.head + this.length - 1;
    const s = (this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1);
    const chunk = this.dir[s];
    let v: string;
    if (typeof chunk === 'number') {
      v = packedRuns.entry(chunk, p & CHUNK_MASK);
    } else {
      v = chunk[p & CHUNK_MASK] as string;
      if (this.foreign === 0 || this.shared[s] === 0) chunk[p & CHUNK_MASK] = undefined;
    }
    this.length--;
    if (this.length === 0) this.reset();
    else if ((p & CHUNK_MASK) === 0 && this.chunks > 1) this.dropChunk(false);
    return v;
  }

  /**
   * Inserts before index i (0 … length), shifting whichever side is
   * shorter: O(min(i, length - i)) element moves, done a chunk at a time
   * (rotate), so a packed chunk on the way costs one new string.
   */
  insert(i: number, v: string): void {
    const n = this.length;
    if (i <= n >> 1) {
      this.pushFront(v);
      if (i > 0) this.rotate(0, i, v, false);
    } else {
      this.pushBack(v);
      if (i < n) this.rotate(i, n, v, true);
    }
  }

  /** Removes and returns element i, shifting whichever side is shorter, as insert does. */
  removeAt(i: number): string {
    const n = this.length;
    if (i < n >> 1) {
      const v = i === 0 ? this.get(0) : this.rotate(0, i, this.get(0), true);
      this.popFront();
      return v;
    }
    const v = i === n - 1 ? this.get(i) : this.rotate(i, n - 1, this.get(n - 1), false);
    this.popBack();
    return v;
  }

  /**
   * Rotates elements lo … hi (lo < hi) by one: towards the tail (`right`),
   * v comes in at lo and the element at hi is returned; towards the head,
   * the element at lo is returned and v comes in at hi. Chunk by chunk,
   * each passing the element it loses to the next.
   */
  private rotate(lo: number, hi: number, v: string, right: boolean): string {
    const mask = this.dir.length - 1;
    const first = (this.head + lo) >> CHUNK_BITS;
    const last = (this.head + hi) >> CHUNK_BITS;
    let carry = v;
    for (let k = 0; k <= last - first; k++) {
      const c = right ? first + k : last - k;
      const a = c === first ? (this.head + lo) & CHUNK_MASK : 0;
      const b = c === last ? (this.head + hi) & CHUNK_MASK : CHUNK - 1;
      carry = this.rotateChunk((this.dirHead + c) & mask, a, b, carry, right);
    }
    return carry;
  }

  /** One chunk's part of rotate(): slots a … b of the chunk at ring slot s, `v` coming in. */
  private rotateChunk(s: number, a: number, b: number, v: string, right: boolean): string {
    this.moves += b - a;
    let chunk = this.dir[s];
    if (typeof chunk === 'number') {
      const out = packedRuns.entry(chunk, right ? b : a);
      const run = packedRuns.rotated(chunk, a, b, v, right);
      if (run >= 0) {
        packedRuns.release(chunk);
        this.dir[s] = run;
        this.unshare(s);
        return out;
      }
      chunk = this.unpack(s);
    } else if (this.foreign !== 0 && this.shared[s] === 1) {
      chunk = this.own(s);
    }
    // Loops, not copyWithin: on an Array that is a generic builtin, about 1.5 µs for a chunk against 50 ns.
    if (right) {
      const out = chunk[b] as string;
      for (let i = b; i > a; i--) chunk[i] = chunk[i - 1];
      chunk[a] = v;
      return out;
    }
    const out = chunk[a] as string;
    for (let i = a; i < b; i++) chunk[i] = chunk[i + 1];
    chunk[b] = v;
    return out;
  }

  /**
   * LREM's work: removes up to `limit` elements equal to `v` (every one
   * when 0), the first ones from the head, or from the tail when
   * `fromTail`. Finds the span from the first to the last element to go,
   * then closes the gaps by shifting whichever side of it is shorter: O(N)
   * at worst, and near an end O(distance to the last match). Returns how
   * many went.
   */
  removeEqual(v: string, limit: number, fromTail: boolean): number {
    const n = this.length;
    let count = 0;
    let first = -1;
    let last = -1;
    for (let i = fromTail ? n : 0; ; ) {
      const k = fromTail ? this.find(v, 0, i, true) : this.find(v, i, n, false);
      if (k === -1) break;
      if (first === -1) first = k;
      last = k;
      if (++count === limit) break;
      i = fromTail ? k : k + 1;
    }
    if (count === 0) return 0;
    if (count === 1) {
      this.removeAt(first);
      return 1;
    }
    const lo = Math.min(first, last);
    const hi = Math.max(first, last);
    if (hi + 1 <= n - lo) {
      // Shift what comes before the span towards the tail, over the gaps, and drop the head.
      let w = hi;
      for (let r = hi; r >= 0; r--) {
        if (r >= lo && this.holds(r, v)) continue;
        if (w !== r) this.put(w, this.get(r));
        w--;
      }
      this.moves += hi + 1 - count;
      this.tidy();
      this.dropFront(count);
    } else {
      let w = lo;
      for (let r = lo; r < n; r++) {
        if (r <= hi && this.holds(r, v)) continue;
        if (w !== r) this.put(w, this.get(r));
        w++;
      }
      this.moves += n - lo - count;
      this.tidy();
      this.dropBack(count);
    }
    return count;
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
  clone(): Deque {
    const copy = new Deque();
    if (this.length === 0) return copy;
    copy.head = this.head;
    copy.length = this.length;
    if (this.chunks === 1) {
      // At most CHUNK slots: copying them costs what sharing would, and spares this deque a copy on its next write.
      copy.setRing([this.liveCopy(this.dirHead)]);
      copy.chunks = 1;
      copy.chunkAllocations = 1;
      return copy;
    }
    const ring = this.dir.slice();
    for (const chunk of ring) if (typeof chunk === 'number') packedRuns.retain(chunk);
    copy.setRing(ring);
    copy.dirHead = this.dirHead;
    copy.chunks = this.chunks;
    copy.shared = this.markShared(new Uint8Array(this.dir.length));
    copy.foreign = this.chunks;
    this.shared = this.markShared(this.foreign === 0 ? new Uint8Array(this.dir.length) : this.shared);
    this.foreign = this.chunks;
    return copy;
  }

  /**
   * Lets go of every packed chunk and empties the deque, for a list that
   * leaves the keyspace: its blocks are reused at once rather than when the
   * collector finds the deque dead. A deque discarded is an empty one.
   */
  discard(): void {
    for (let c = 0; c < this.chunks; c++) {
      const s = (this.dirHead + c) & (this.dir.length - 1);
      const chunk = this.dir[s];
      if (typeof chunk === 'number') packedRuns.release(chunk);
    }
    this.setRing([]);
    this.dirHead = 0;
    this.chunks = 0;
    this.foreign = 0;
    this.shared = NOTHING_SHARED;
    this.head = 0;
    this.length = 0;
    this.spare = null;
    this.reopenedFront = null;
    this.reopenedBack = null;
    this.loose = -1;
  }

  /** The ring becomes `dir`, which the collector's clean-up reads if the deque holds packed chunks. */
  private setRing(dir: Chunk[]): void {
    this.dir = dir;
    if (this.box !== null) this.box[0] = dir;
    else for (const chunk of dir) if (typeof chunk === 'number') return this.hold();
  }

  /** Before the deque first holds a packed chunk: the collector is to give back what it holds when it dies. */
  private hold(): void {
    if (this.box !== null) return;
    this.box = [this.dir];
    unreleased.register(this, this.box);
  }

  /** Flags, in `shared`, the ring slots in use (they may wrap round the end) and returns it. */
  private markShared(shared: Uint8Array): Uint8Array {
    const end = this.dirHead + this.chunks;
    shared.fill(1, this.dirHead, end);
    if (end > shared.length) shared.fill(1, 0, end - shared.length);
    return shared;
  }

  /** The chunk at ring slot `s` now belongs to this deque alone (it was copied, opened or packed). */
  private unshare(s: number): void {
    if (this.foreign !== 0 && this.shared[s] === 1) {
      this.shared[s] = 0;
      this.foreign--;
    }
  }

  /** Before a write into the open chunk at ring slot `s`, flagged as shared: this deque takes a copy of its own. */
  private own(s: number): Open {
    this.chunkAllocations++;
    const copy = this.liveCopy(s) as Open;
    this.dir[s] = copy;
    this.unshare(s);
    return copy;
  }

  /**
   * A copy of the chunk at ring slot `s` with the slots not in use cleared,
   * so that elements popped from a shared chunk (which keeps them) are not
   * kept alive by the copy. A packed chunk is its own copy, with one more
   * holder.
   */
  private liveCopy(s: number): Chunk {
    const chunk = this.dir[s];
    if (typeof chunk === 'number') {
      packedRuns.retain(chunk);
      return chunk;
    }
    const c = (s - this.dirHead) & (this.dir.length - 1);
    const copy = chunk.slice();
    copy.fill(undefined, 0, c === 0 ? this.head : 0);
    copy.fill(undefined, Math.min(chunk.length, this.head + this.length - (c << CHUNK_BITS)));
    return copy;
  }

  /** The live slots of the chunk `rel` chunks from the first: [start, end). */
  private liveStart(rel: number): number {
    return rel === 0 ? this.head : 0;
  }

  private liveEnd(rel: number): number {
    return Math.min(CHUNK, this.head + this.length - (rel << CHUNK_BITS));
  }

  /** Opens the packed chunk at ring slot `s`: an array of its live elements, the run let go. */
  private unpack(s: number): Open {
    const run = this.dir[s] as number;
    const rel = (s - this.dirHead) & (this.dir.length - 1);
    const open = this.newChunk(CHUNK);
    // Every live slot is in the run: slots were live when it was packed, and none has been added since.
    const end = this.liveEnd(rel);
    for (let slot = this.liveStart(rel); slot < end; slot++) open[slot] = packedRuns.entry(run, slot);
    packedRuns.release(run);
    this.unpacks++;
    this.dir[s] = open;
    this.unshare(s);
    return open;
  }

  /**
   * Packs the open chunk `rel` chunks from the first, unless a push opened
   * it and it is still next to that end, or its elements are too big for
   * one run or not all bytes (then it simply stays open).
   */
  private pack(rel: number): void {
    const s = (this.dirHead + rel) & (this.dir.length - 1);
    const chunk = this.dir[s];
    if (typeof chunk === 'number') return;
    if (chunk === this.reopenedFront) {
      if (rel <= 1) return;
      this.reopenedFront = null;
    }
    if (chunk === this.reopenedBack) {
      if (rel >= this.chunks - 2) return;
      this.reopenedBack = null;
    }
    const run = packedRuns.build(chunk, this.liveStart(rel), this.liveEnd(rel));
    if (run < 0) return;
    this.packs++;
    this.hold();
    this.dir[s] = run;
    if (this.foreign !== 0 && this.shared[s] === 1) {
      this.unshare(s);
    } else if (this.chunks > SMALL && this.spare === null) {
      // The next chunk a long deque needs; a short one would keep the spare as long as it lives.
      chunk.fill(undefined);
      this.spare = chunk;
    }
  }

  /**
   * After a chunk was added at one end: packs those behind it, once the
   * deque holds PACK_FROM elements. A shorter one stays open: a working set
   * such as BullMQ's list of active jobs (one pushed at the front, one
   * removed from anywhere, per job) would otherwise rotate a packed chunk
   * on most removals. Up to three chunks behind are packed (those already
   * packed cost a type check), which covers every chunk a deque that just
   * reached PACK_FROM can span.
   */
  private packBehind(front: boolean): void {
    if (this.length < PACK_FROM) return;
    const n = this.chunks;
    for (let k = 1; k <= 3 && k < n; k++) this.pack(front ? k : n - 1 - k);
  }

  /**
   * Element i := v inside a multi-element write: copies a shared chunk or
   * opens a packed one, which stays open (`loose`) until the write moves on
   * to another chunk or calls tidy(), so at most one is open at a time.
   */
  private put(i: number, v: string): void {
    const p = this.head + i;
    const s = (this.dirHead + (p >> CHUNK_BITS)) & (this.dir.length - 1);
    let chunk = this.dir[s];
    if (typeof chunk === 'number') {
      if (this.loose !== -1 && this.loose !== s) this.tidy();
      chunk = this.unpack(s);
      this.loose = s;
    } else if (this.foreign !== 0 && this.shared[s] === 1) {
      chunk = this.own(s);
    }
    chunk[p & CHUNK_MASK] = v;
  }

  /** Packs again the chunk put() opened, if it is still there. */
  private tidy(): void {
    if (this.loose === -1) return;
    const rel = (this.loose - this.dirHead) & (this.dir.length - 1);
    this.loose = -1;
    if (rel < this.chunks) this.pack(rel);
  }

  /** First use: one small chunk, the first element going at `at`. */
  private start(at: number): void {
    this.setRing([this.newChunk(FIRST_CHUNK)]);
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
    const old = this.dir[this.dirHead] as Open;
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
    this.unshare(this.dirHead);
  }

  private newChunk(size: number): Open {
    if (size === CHUNK && this.spare !== null) {
      const c = this.spare;
      this.spare = null;
      return c;
    }
    this.chunkAllocations++;
    return new Array<string | undefined>(size).fill(undefined);
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
    const chunk = this.dir[at];
    if (chunk === this.reopenedFront) this.reopenedFront = null;
    if (chunk === this.reopenedBack) this.reopenedBack = null;
    if (typeof chunk === 'number') {
      packedRuns.release(chunk);
      this.unshare(at);
    } else if (this.foreign !== 0 && this.shared[at] === 1) {
      // A chunk another deque holds cannot be reused: that deque still reads it.
      this.unshare(at);
    } else {
      this.spare = chunk;
    }
    this.dir[at] = NO_CHUNK;
    if (front) this.dirHead = (this.dirHead + 1) & mask;
    this.chunks--;
  }

  /** Doubles the ring of chunk references, unrolling it: O(chunks), once per doubling. */
  private growDirectory(): void {
    const old = this.dir;
    const next: Chunk[] = new Array(old.length * 2);
    for (let k = 0; k < this.chunks; k++) next[k] = old[(this.dirHead + k) & (old.length - 1)];
    if (this.foreign !== 0) {
      const shared = new Uint8Array(next.length);
      for (let k = 0; k < this.chunks; k++) shared[k] = this.shared[(this.dirHead + k) & (old.length - 1)];
      this.shared = shared;
    }
    if (this.loose !== -1) this.loose = (this.loose - this.dirHead) & (old.length - 1);
    this.setRing(next);
    this.dirHead = 0;
  }

  /** Empty again: keep the first chunk (the spare, or a small new one, if it was packed), centred, and forget the rest. */
  private reset(): void {
    // The first chunk is the only one left in use: a chunk is dropped as soon as the last of its elements goes.
    let first = this.dir[this.dirHead];
    if (this.foreign !== 0) {
      const shared = typeof first === 'number' ? 0 : this.shared[this.dirHead];
      this.shared = shared === 1 ? new Uint8Array([1]) : NOTHING_SHARED;
      this.foreign = shared;
    }
    if (typeof first === 'number') {
      packedRuns.release(first);
      first = this.newChunk(this.spare !== null ? CHUNK : FIRST_CHUNK);
    }
    this.setRing([first]);
    this.dirHead = 0;
    this.chunks = 1;
    this.head = first.length >> 1;
    this.reopenedFront = null;
    this.reopenedBack = null;
    this.loose = -1;
  }
}
