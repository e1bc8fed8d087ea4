import type { StreamId, U64 } from './id.js';
import type { Consumer } from './group.js';

/** A pending entry (Redis's streamNACK): delivered to a consumer, not yet acknowledged. */
export interface Nack {
  readonly id: StreamId;
  deliveryTime: number;
  deliveryCount: U64;
  /** Null only between XCLAIM FORCE creating it and assigning it. */
  consumer: Consumer | null;
}

/** Nacks per chunk: small enough that an insert inside one moves little. */
const CHUNK = 128;
/** A chunk with fewer live nacks than this merges with a neighbour that has room for them. */
const CHUNK_MIN = CHUNK >> 2;

/**
 * A run of nacks in ID order. A taken nack stays where it is, flagged in
 * `gone`, until more than half the run is gone and the run is rebuilt: a
 * removal moves nothing. (Moving the rest of the run down was most of
 * XACK's cost: the runs outlive the young generation and the nacks do
 * not, so every pointer moved inside an old array is also recorded for
 * the next scavenge.) A gone nack's ID still orders the searches.
 */
class Chunk {
  /**
   * 1 at the index of a nack taken from the list, nothing elsewhere (a
   * typed array cost about 2 µs to make, once for every XREADGROUP of a
   * consumer whose pending entries were all acknowledged before it).
   */
  gone: number[] = [];
  dead = 0;

  constructor(public items: Nack[]) {}

  get live(): number {
    return this.items.length - this.dead;
  }

  /** Index of the first live nack at or after `pos`, or the length. */
  liveFrom(pos: number): number {
    const items = this.items;
    const gone = this.gone;
    while (pos < items.length && gone[pos] === 1) pos++;
    return pos;
  }

  /** Drops the gone nacks. */
  compact(): void {
    if (this.dead === 0) return;
    const kept: Nack[] = [];
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (this.gone[i] !== 1) kept.push(items[i]);
    this.items = kept;
    this.gone = [];
    this.dead = 0;
  }
}

/**
 * A pending entries list: nacks sorted by ID, in chunks of at most CHUNK,
 * found by binary search over the chunks' last IDs and then inside one.
 * Deliveries mostly append and acknowledgements take from anywhere (each
 * consumer acknowledges its own share), so one sorted array would move half
 * the list per acknowledgement: with 20,000 pending, an XACK of 10 IDs took
 * 30 µs (Redis: 5), and V8's shift() at the front stops being cheap once
 * the array's store is a large object. IDs are compared as numbers: a
 * sortable string key per ID, built for each lookup, made XACK cost over
 * 2 µs an ID.
 */
export class PendingList {
  private chunks: Chunk[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  first(): Nack | undefined {
    return this.liveAt(0, 0);
  }

  last(): Nack | undefined {
    const chunks = this.chunks;
    if (chunks.length === 0) return undefined;
    const tail = chunks[chunks.length - 1];
    let i = tail.items.length - 1;
    while (tail.gone[i] === 1) i--;
    return tail.items[i];
  }

  *[Symbol.iterator](): Generator<Nack> {
    for (const chunk of this.chunks) {
      const items = chunk.items;
      for (let i = 0; i < items.length; i++) if (chunk.gone[i] !== 1) yield items[i];
    }
  }

  /** The first `n` nacks in order. */
  head(n: number): Nack[] {
    const out: Nack[] = [];
    for (const nack of this) {
      if (out.length === n) break;
      out.push(nack);
    }
    return out;
  }

  /** The first live nack from index `pos` of chunk `ci` on. */
  private liveAt(ci: number, pos: number): Nack | undefined {
    const chunks = this.chunks;
    for (; ci < chunks.length; ci++, pos = 0) {
      const chunk = chunks[ci];
      const at = chunk.liveFrom(pos);
      if (at < chunk.items.length) return chunk.items[at];
    }
    return undefined;
  }

  /** Index of the first chunk whose last ID is ≥ `id` (the chunk count when there is none). */
  private chunkFor(id: StreamId): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    if (hi !== 0 && before(lastOf(chunks[hi - 1]).id, id)) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(lastOf(chunks[mid]).id, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const chunk = this.chunks[ci];
    const pos = seek(chunk.items, id);
    const n = chunk.items[pos];
    return same(n.id, id) && chunk.gone[pos] !== 1 ? n : undefined;
  }

  /** The first nack whose ID is ≥ `id`. */
  atOrAfter(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    return this.liveAt(ci, seek(this.chunks[ci].items, id));
  }

  /** The first nack whose ID is > `id`. */
  after(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const items = this.chunks[ci].items;
    let pos = seek(items, id);
    if (same(items[pos].id, id)) pos++;
    return this.liveAt(ci, pos);
  }

  /** Adds a nack whose ID is after every one in the list (loading, copying). */
  push(nack: Nack): void {
    const chunks = this.chunks;
    const tail = chunks[chunks.length - 1];
    if (tail === undefined || tail.items.length === CHUNK) chunks.push(new Chunk([nack]));
    else tail.items.push(nack);
    this.count++;
  }

  /** Adds a nack whose ID is not in the list yet. */
  insert(nack: Nack): void {
    const ci = this.chunkFor(nack.id);
    if (ci === this.chunks.length) {
      this.push(nack);
      return;
    }
    const chunk = this.chunks[ci];
    let pos = seek(chunk.items, nack.id);
    this.count++;
    if (chunk.gone[pos] === 1 && same(chunk.items[pos].id, nack.id)) {
      chunk.items[pos] = nack;
      chunk.gone[pos] = 0;
      chunk.dead--;
      return;
    }
    if (chunk.dead !== 0) {
      chunk.compact();
      pos = seek(chunk.items, nack.id);
    }
    chunk.items.splice(pos, 0, nack);
    if (chunk.items.length > CHUNK) this.chunks.splice(ci + 1, 0, new Chunk(chunk.items.splice(CHUNK >> 1)));
  }

  /** Removes the nack with this ID and returns it; undefined when there is none. */
  take(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const chunk = this.chunks[ci];
    const pos = seek(chunk.items, id);
    const n = chunk.items[pos];
    if (!same(n.id, id) || chunk.gone[pos] === 1) return undefined;
    chunk.gone[pos] = 1;
    chunk.dead++;
    this.count--;
    if (2 * chunk.dead > chunk.items.length) {
      chunk.compact();
      if (chunk.items.length < CHUNK_MIN) this.absorb(ci);
    }
    return n;
  }

  remove(id: StreamId): boolean {
    return this.take(id) !== undefined;
  }

  /** Drops chunk `ci` (compacted) when empty, or merges it into a neighbour with room for it, so that chunks stay full enough. */
  private absorb(ci: number): void {
    const chunks = this.chunks;
    const chunk = chunks[ci];
    if (chunk.items.length === 0) {
      chunks.splice(ci, 1);
      return;
    }
    const prev = chunks[ci - 1];
    if (prev !== undefined && prev.live + chunk.items.length <= CHUNK) {
      prev.compact();
      for (const n of chunk.items) prev.items.push(n);
      chunks.splice(ci, 1);
      return;
    }
    const next = chunks[ci + 1];
    if (next !== undefined && next.live + chunk.items.length <= CHUNK) {
      next.compact();
      for (const n of next.items) chunk.items.push(n);
      chunks.splice(ci + 1, 1);
    }
  }
}

function lastOf(chunk: Chunk): Nack {
  return chunk.items[chunk.items.length - 1];
}

/** Index of the first nack in `chunk` whose ID is ≥ `id`. */
function seek(chunk: Nack[], id: StreamId): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(chunk[mid].id, id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * a < b (ms and seq are numbers or, past 2^53, bigints, which compare with
 * each other as values). Not id.ts's compareIds: that one is shared by every
 * stream path and its type feedback with it, and in A/B the consumer-group
 * load's XACKs took about a fifth longer with it here.
 */
function before(a: StreamId, b: StreamId): boolean {
  return a.ms !== b.ms ? a.ms < b.ms : a.seq < b.seq;
}

function same(a: StreamId, b: StreamId): boolean {
  return a.ms === b.ms && a.seq === b.seq;
}
