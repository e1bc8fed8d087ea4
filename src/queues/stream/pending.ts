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

/** Nacks per chunk: small enough that an insert or removal inside one moves little. */
const CHUNK = 128;
/** A chunk this small after a removal merges with a neighbour that has room for it. */
const CHUNK_MIN = CHUNK >> 2;

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
  private chunks: Nack[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  first(): Nack | undefined {
    return this.chunks.length === 0 ? undefined : this.chunks[0][0];
  }

  last(): Nack | undefined {
    const chunks = this.chunks;
    if (chunks.length === 0) return undefined;
    const tail = chunks[chunks.length - 1];
    return tail[tail.length - 1];
  }

  *[Symbol.iterator](): Generator<Nack> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** The first `n` nacks in order. */
  head(n: number): Nack[] {
    const out: Nack[] = [];
    for (const chunk of this.chunks) {
      for (const nack of chunk) {
        if (out.length === n) return out;
        out.push(nack);
      }
    }
    return out;
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
    const n = chunk[seek(chunk, id)];
    return same(n.id, id) ? n : undefined;
  }

  /** The first nack whose ID is ≥ `id`. */
  atOrAfter(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const chunk = this.chunks[ci];
    return chunk[seek(chunk, id)];
  }

  /** The first nack whose ID is > `id`. */
  after(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const chunk = this.chunks[ci];
    let pos = seek(chunk, id);
    if (same(chunk[pos].id, id)) pos++;
    return pos < chunk.length ? chunk[pos] : this.chunks[ci + 1]?.[0];
  }

  /** Adds a nack whose ID is after every one in the list (loading, copying). */
  push(nack: Nack): void {
    const chunks = this.chunks;
    const tail = chunks[chunks.length - 1];
    if (tail === undefined || tail.length === CHUNK) chunks.push([nack]);
    else tail.push(nack);
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
    chunk.splice(seek(chunk, nack.id), 0, nack);
    this.count++;
    if (chunk.length > CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(CHUNK >> 1));
  }

  /** Removes the nack with this ID and returns it; undefined when there is none. */
  take(id: StreamId): Nack | undefined {
    const ci = this.chunkFor(id);
    if (ci === this.chunks.length) return undefined;
    const chunk = this.chunks[ci];
    const pos = seek(chunk, id);
    const n = chunk[pos];
    if (!same(n.id, id)) return undefined;
    chunk.splice(pos, 1);
    this.count--;
    if (chunk.length < CHUNK_MIN) this.absorb(ci);
    return n;
  }

  remove(id: StreamId): boolean {
    return this.take(id) !== undefined;
  }

  /** Drops chunk `ci` when empty, or merges it into a neighbour with room for it, so that chunks stay full enough. */
  private absorb(ci: number): void {
    const chunks = this.chunks;
    const chunk = chunks[ci];
    if (chunk.length === 0) {
      chunks.splice(ci, 1);
      return;
    }
    const prev = chunks[ci - 1];
    if (prev !== undefined && prev.length + chunk.length <= CHUNK) {
      for (const n of chunk) prev.push(n);
      chunks.splice(ci, 1);
      return;
    }
    const next = chunks[ci + 1];
    if (next !== undefined && next.length + chunk.length <= CHUNK) {
      for (const n of next) chunk.push(n);
      chunks.splice(ci + 1, 1);
    }
  }
}

function lastOf(chunk: Nack[]): Nack {
  return chunk[chunk.length - 1];
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
