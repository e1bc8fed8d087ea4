import { byteString } from '../../protocol/byte-string.js';
import { ByteSlabs, offsetOf } from './byte-slabs.js';
import { copyBytes, writeBytes } from './byte-copy.js';

/**
 * Runs of byte strings kept in blocks outside V8's heap, each with a table
 * of where its entries start, so that any entry is read in O(1): how a
 * list keeps the chunks away from its ends (queues/list/deque.ts), as Redis
 * keeps a quicklist's nodes as listpacks. Kept as strings on the heap,
 * those chunks were what a growing list promoted at each scavenge, and
 * the old generation they filled set off mark-compacts of 5-9 ms while
 * LPUSH ran (docs/benchmarks.md); here the collector never sees them.
 *
 * A block: how many holders it has (u32), then the run: a table of
 * count + 1 offsets into the run (big-endian u16; entry k runs from
 * offset k to offset k + 1), then the entries' bytes back to back. A run
 * stays under 64 KiB, so it holds small entries only.
 *
 * A run never changes once built: a rotation builds a new one. So holders
 * may share it (a list and its snapshots, each copy made by COPY) and
 * each gives its hold back (release); the block is reused when the last
 * one does.
 */
export class RunBlocks {
  /**
   * Sixteen size classes per doubling: a run is built once at its exact
   * size, and four classes (up to a quarter of each block unused) took a
   * list of 16-byte elements from 15 bytes an element as strings to 20.
   */
  readonly slabs = new ByteSlabs(BLOCK_MAX, 16);

  /**
   * A run of `items[from]` … `items[to - 1]` whose entry k is items[k], the
   * slots before `from` empty (a chunk is read by slot number), held once;
   * -1 when their bytes are too many for one run, an item is not all
   * bytes (a char above 255), or no block is left.
   */
  build(items: readonly (string | undefined)[], from: number, to: number): number {
    const table = 2 * to + 2;
    let total = table;
    for (let k = from; k < to; k++) total += (items[k] as string).length;
    if (total > RUN_MAX) return -1;
    const h = this.slabs.alloc(HEAD + total);
    if (h < 0) return -1;
    const b = this.slabs.slab(h);
    const o = offsetOf(h);
    this.slabs.view(h).setUint32(o, 1, true);
    const run = o + HEAD;
    let at = table;
    for (let k = 0; k <= to; k++) {
      if (k > from) {
        const s = items[k - 1] as string;
        if (!writeBytes(b, run + at, s)) return this.abandon(h);
        at += s.length;
      }
      b[run + 2 * k] = at >> 8;
      b[run + 2 * k + 1] = at & 0xff;
    }
    return h;
  }

  /** Entry k of run `h`. */
  entry(h: number, k: number): string {
    const b = this.slabs.slab(h);
    const run = offsetOf(h) + HEAD;
    const start = offsetAt(b, run, k);
    return byteString(b, run + start, offsetAt(b, run, k + 1) - start);
  }

  /** Whether entry k of run `h` is `s`, without making a string of it. */
  entryIs(h: number, k: number, s: string): boolean {
    const b = this.slabs.slab(h);
    const run = offsetOf(h) + HEAD;
    const start = run + offsetAt(b, run, k);
    const n = s.length;
    if (run + offsetAt(b, run, k + 1) - start !== n) return false;
    // Last byte first: elements of one family (IDs, keys) tend to share their beginning and differ at the end.
    if (n !== 0 && b[start + n - 1] !== s.charCodeAt(n - 1)) return false;
    for (let i = 0; i < n - 1; i++) if (b[start + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** How many entries run `h` holds (its table starts at 0 and its first entry where the table ends). */
  count(h: number): number {
    return (offsetAt(this.slabs.slab(h), offsetOf(h) + HEAD, 0) >> 1) - 1;
  }

  /**
   * A new run holding run `h` with entries a … b (a <= b) rotated by one,
   * `v` coming in at one end of that range and the entry at the other end
   * leaving it: towards the end (`right`), v becomes entry a, entries
   * a … b - 1 move up one and entry b goes; towards the start, entry a
   * goes, a + 1 … b move down one and v becomes entry b. Entries outside
   * a … b stay. This is how a list shifts its elements across a packed
   * chunk. -1 when the result would not fit in one run (or v is not all
   * bytes); `h` itself is left as it was.
   */
  rotated(h: number, a: number, b: number, v: string, right: boolean): number {
    const src = this.slabs.slab(h);
    const from = offsetOf(h) + HEAD;
    const count = this.count(h);
    const table = 2 * count + 2;
    const oa = offsetAt(src, from, a);
    const ob1 = offsetAt(src, from, b + 1);
    const end = offsetAt(src, from, count);
    const gone = right ? ob1 - offsetAt(src, from, b) : offsetAt(src, from, a + 1) - oa;
    const grow = v.length - gone;
    if (end + grow > RUN_MAX) return -1;
    const r = this.slabs.alloc(HEAD + end + grow);
    if (r < 0) return -1;
    const dst = this.slabs.slab(r);
    const to = offsetOf(r) + HEAD;
    this.slabs.view(r).setUint32(to - HEAD, 1, true);
    for (let j = 0; j <= count; j++) {
      let o: number;
      if (j <= a) o = offsetAt(src, from, j);
      else if (j > b + 1) o = offsetAt(src, from, j) + grow;
      else if (right) o = offsetAt(src, from, j - 1) + v.length;
      else o = j === b + 1 ? ob1 + grow : offsetAt(src, from, j + 1) - gone;
      dst[to + 2 * j] = o >> 8;
      dst[to + 2 * j + 1] = o & 0xff;
    }
    let at = to + table;
    at += copyBytes(src, from + table, from + oa, dst, at);
    if (right) {
      if (!writeBytes(dst, at, v)) return this.abandon(r);
      at += v.length;
      at += copyBytes(src, from + oa, from + ob1 - gone, dst, at);
    } else {
      at += copyBytes(src, from + oa + gone, from + ob1, dst, at);
      if (!writeBytes(dst, at, v)) return this.abandon(r);
      at += v.length;
    }
    copyBytes(src, from + ob1, from + end, dst, at);
    return r;
  }

  /** Frees a block whose run could not be built, and answers -1. */
  private abandon(r: number): number {
    this.slabs.release(r);
    return -1;
  }

  /** The first entry k in [from, to) of run `h` equal to `s`, or -1. */
  find(h: number, from: number, to: number, s: string): number {
    for (let k = from; k < to; k++) if (this.entryIs(h, k, s)) return k;
    return -1;
  }

  /** The last entry k in [from, to) of run `h` equal to `s`, or -1. */
  findLast(h: number, from: number, to: number, s: string): number {
    for (let k = to - 1; k >= from; k--) if (this.entryIs(h, k, s)) return k;
    return -1;
  }

  /** One more holder of run `h`. */
  retain(h: number): void {
    const view = this.slabs.view(h);
    const o = offsetOf(h);
    view.setUint32(o, view.getUint32(o, true) + 1, true);
  }

  /** A holder of run `h` lets it go; the last one frees its block. */
  release(h: number): void {
    const view = this.slabs.view(h);
    const o = offsetOf(h);
    const holders = view.getUint32(o, true) - 1;
    if (holders === 0) this.slabs.release(h);
    else view.setUint32(o, holders, true);
  }

  /** How many holders run `h` has. */
  holders(h: number): number {
    return this.slabs.view(h).getUint32(offsetOf(h), true);
  }

  /** The bytes run `h`'s block takes. */
  bytes(h: number): number {
    return this.slabs.capacity(h);
  }
}

/** The holder count before each run. */
const HEAD = 4;
/** The longest run: its offsets are 16 bits. */
const RUN_MAX = 0xffff;
const BLOCK_MAX = 1 << 16;

function offsetAt(b: Buffer, run: number, k: number): number {
  return (b[run + 2 * k] << 8) | b[run + 2 * k + 1];
}

