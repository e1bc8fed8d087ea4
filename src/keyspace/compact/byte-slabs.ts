import { unaccountedBytes } from './unaccounted.js';

/** Bytes per slab at most: a handle's offset part counts its 8-byte units. */
const SLAB_BYTES = 1 << 16;
/**
 * A class's first slab: its slabs double from here to SLAB_BYTES, so that
 * a database of a few keys in many size classes takes kilobytes, not 64
 * KiB a class.
 */
const FIRST_SLAB_BYTES = 1 << 10;
const UNIT_BITS = 3;
const OFFSET_BITS = 16 - UNIT_BITS;
const OFFSET_MASK = (1 << OFFSET_BITS) - 1;
/**
 * Slabs at most: a handle stays below 2^30, a small integer to V8, which a
 * JS array holds without an object of its own (8 GiB of slabs).
 */
const MAX_SLABS = 1 << (30 - OFFSET_BITS);
/** The largest block a store hands out unless it asks for larger ones (the keyspace's records). */
export const MAX_BLOCK = 512;

/**
 * Block sizes up to `largest`: 8-byte steps up to 64, then `steps` equal
 * steps per doubling (at least 8 bytes each), so a block wastes at most
 * about 1/steps of its size.
 */
function classSizes(largest: number, steps: number): number[] {
  const sizes = [8, 16, 24, 32, 40, 48, 56, 64];
  for (let base = 64; base < largest; base *= 2) {
    const step = Math.max(8, base / steps);
    for (let size = base + step; size <= 2 * base && size <= largest; size += step) sizes.push(size);
  }
  return sizes.filter((size) => size <= largest);
}

/**
 * Blocks of up to `largest` bytes (at most a slab's 64 KiB) in slabs
 * outside V8's heap, each slab cut into blocks of one size class, freed
 * blocks kept per class for the next allocation of that class. A block is named by a handle, a number below
 * 2^30: the collector never sees what the blocks hold, so data kept here
 * is neither copied by scavenges nor marked by mark-compacts, whatever
 * its amount (a million keys kept as strings on V8's heap made scavenges
 * of 6-12 ms while they arrived: docs/benchmarks.md). Slabs are kept for
 * as long as the store lives, as a malloc keeps its arenas.
 */
export class ByteSlabs {
  private readonly sizes: number[];
  /** Per size in 8-byte units (rounded up), its class. */
  private readonly classOfUnits: Uint8Array;
  /** The slabs; a handle's high bits index this. */
  readonly slabs: Buffer[] = [];
  /** A DataView of each slab, which reads four bytes in one load. */
  readonly views: DataView[] = [];
  /** Per slab, its class. */
  private slabClass = new Uint8Array(64);
  /** Per class, the slab being cut and the next unused offset in it (-1: none). */
  private readonly cutting: Int32Array;
  private readonly cutAt: Int32Array;
  /** Per class, the size of its next slab. */
  private readonly nextSlabBytes: Int32Array;
  /** Per class, a stack of freed handles. */
  private readonly free: Int32Array[];
  private readonly freeCount: Int32Array;
  /** Blocks handed out and not released. */
  blocksInUse = 0;

  /** `steps` size classes per doubling past 64 bytes (see classSizes). */
  constructor(
    readonly largest = MAX_BLOCK,
    steps = 4,
  ) {
    if (largest > SLAB_BYTES) throw new RangeError(`a block cannot exceed a slab's ${SLAB_BYTES} bytes`);
    const sizes = (this.sizes = classSizes(largest, steps));
    this.classOfUnits = new Uint8Array((largest >>> UNIT_BITS) + 1);
    for (let u = 0, c = 0; u < this.classOfUnits.length; u++) {
      while (sizes[c] < u * 8) c++;
      this.classOfUnits[u] = c;
    }
    this.cutting = new Int32Array(sizes.length).fill(-1);
    this.cutAt = new Int32Array(sizes.length);
    this.nextSlabBytes = new Int32Array(sizes.length).fill(FIRST_SLAB_BYTES);
    this.free = sizes.map(() => new Int32Array(16));
    this.freeCount = new Int32Array(sizes.length);
  }

  /** A block of at least `size` bytes (size ≤ `largest`), or -1 when the slabs are exhausted. */
  alloc(size: number): number {
    const c = this.classOfUnits[(size + 7) >>> UNIT_BITS];
    const n = this.freeCount[c];
    this.blocksInUse++;
    if (n > 0) {
      this.freeCount[c] = n - 1;
      return this.free[c][n - 1];
    }
    let slab = this.cutting[c];
    const bytes = this.sizes[c];
    if (slab < 0 || this.cutAt[c] + bytes > this.slabs[slab].length) {
      if (this.slabs.length === MAX_SLABS) {
        this.blocksInUse--;
        return -1;
      }
      slab = this.slabs.length;
      const next = this.nextSlabBytes[c];
      this.nextSlabBytes[c] = Math.min(SLAB_BYTES, next * 2);
      // Whole blocks only: a class past 32 KiB gets a slab per block, of its own size.
      const size = Math.max(bytes, next - (next % bytes));
      const memory = unaccountedBytes(size);
      this.slabs.push(memory);
      this.views.push(new DataView(memory.buffer, memory.byteOffset, size));
      if (slab === this.slabClass.length) {
        const grown = new Uint8Array(slab * 2);
        grown.set(this.slabClass);
        this.slabClass = grown;
      }
      this.slabClass[slab] = c;
      this.cutting[c] = slab;
      this.cutAt[c] = 0;
    }
    const at = this.cutAt[c];
    this.cutAt[c] = at + bytes;
    return (slab << OFFSET_BITS) | (at >>> UNIT_BITS);
  }

  /** Gives a block back for reuse. */
  release(handle: number): void {
    this.blocksInUse--;
    const c = this.slabClass[handle >>> OFFSET_BITS];
    let stack = this.free[c];
    const n = this.freeCount[c];
    if (n === stack.length) {
      const grown = new Int32Array(n * 2);
      grown.set(stack);
      this.free[c] = stack = grown;
    }
    stack[n] = handle;
    this.freeCount[c] = n + 1;
  }

  /** How many bytes the block `handle` has room for. */
  capacity(handle: number): number {
    return this.sizes[this.slabClass[handle >>> OFFSET_BITS]];
  }

  /** The view of the slab holding block `handle`. */
  view(handle: number): DataView {
    return this.views[handle >>> OFFSET_BITS];
  }

  /** The slab holding block `handle`. */
  slab(handle: number): Buffer {
    return this.slabs[handle >>> OFFSET_BITS];
  }
}

/** The offset of block `handle` in its slab. */
export function offsetOf(handle: number): number {
  return (handle & OFFSET_MASK) << UNIT_BITS;
}
