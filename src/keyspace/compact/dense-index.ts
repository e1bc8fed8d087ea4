import { unaccountedInt32 } from './unaccounted.js';

export const CHUNK_BITS = 10;
/** Positions per chunk: the unit in which a table's per-position arrays grow and shrink. */
export const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
/** Average entries per index shard before the next one is split. */
const SHARD_TARGET = 1024;
/** Slots in a new shard's table. */
const MIN_SLOTS = 8;
/** What reserve sizes a shard for beyond its expected share, for the spread of hashes between shards. */
const RESERVE_SLACK = 1.15;
/**
 * The most entries reserve makes room for (about 64 MB of tables): a hint
 * larger than that, true or not, is met by splitting as entries arrive.
 */
const MAX_RESERVE = 1 << 22;
/** The first chunk's first room, doubled up to CHUNK: a small table should not take 4 KB for it. */
export const FIRST_ROOM = 8;
/** Fibonacci hashing: a slot comes from the top bits of the hash times this, which mixes in every bit of it. */
const SPREAD = 0x9e3779b1;

/**
 * The index of a table of keys kept at dense positions: Redis's hashtable
 * as the large encoding of sets and hashes (DenseTable) and the keyspace's
 * dictionary (KeyTable). A subclass keeps what sits at each position (the
 * key, a value) and answers whether a position holds a key; this class
 * keeps the positions 0..size-1 dense and finds a key's position.
 *
 * - Removing an entry moves the last into its place, so entries always
 *   fill positions 0..size-1. That gives a uniformly random entry in O(1)
 *   (SPOP, SRANDMEMBER, HRANDFIELD, RANDOMKEY), which a Map cannot, and
 *   SCAN a stateless cursor (`scanPositions`).
 * - The index is shards of linear-probing tables, each under 3/4 full,
 *   deletions closing the gap by shifting back (no tombstones). A slot
 *   holds a position + 1 (0: empty) and the key's hash, so that a probe
 *   compares keys only on a full hash match, and a split or a resize
 *   reads nothing but the small table it rebuilds. A key's hash picks its
 *   shard by linear hashing: the index grows by splitting one shard of
 *   about SHARD_TARGET entries at a time, so no insert ever rehashes the
 *   whole of it (one table of a million slots took 13-65 ms to rebuild).
 *
 * The hashes are kept per position too, in chunks of CHUNK, so that moving
 * the last entry into a hole finds its slot without hashing its key again.
 * Per entry that is its hash and 10.7 to 21.3 bytes of index: a Map spends
 * 28 on its entry alone, and still needs a sequence for random access.
 * Nothing is bounded by V8's 2^24-entry limit on a Map.
 */
export abstract class DenseIndex {
  /** Per shard, its table: slot j is [2j] the position + 1, [2j + 1] the hash. */
  private shards: Int32Array[] = [new Int32Array(2 * MIN_SLOTS)];
  /** Per chunk, the hash of each of its positions. */
  private hashChunks: Int32Array[] = [];
  /** Entries per shard. */
  private counts: number[] = [0];
  /** Shards are addressed by the low `level` bits of the hash, plus `split` of them by one bit more. */
  private level = 0;
  private split = 0;
  /** The shard that the last `locate` probed. */
  protected located = 0;
  /**
   * Counts the changes to the shards (a position indexed, deferred or
   * removed, a reserve): what `locate` answered for a key stays true
   * until it moves.
   */
  protected shape = 0;
  size = 0;
  /** The last this many positions are not in the shards yet (deferPosition). */
  private deferred = 0;
  /** The first deferred position found holding a key an earlier one holds (indexDeferred), -1 for none. */
  private duplicate = -1;

  /** `shardTarget` is for tests, which split shards without thousands of entries. */
  constructor(private readonly shardTarget = SHARD_TARGET) {}

  /** Whether position `i` holds `key`: what a probe asks on a full hash match. */
  protected abstract keyIs(i: number, key: string): boolean;

  /** The key at position `i`. */
  abstract keyAt(i: number): string;

  /** Puts what sat at position `from` (the last) at position `to`, as a removal fills its hole. */
  protected abstract moveEntry(from: number, to: number): void;

  /** Lets go of what sits at position `last`, the last, which a removal empties. */
  protected abstract dropLast(last: number): void;

  private hashAt(i: number): number {
    return this.hashChunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
  }

  /** The position held in slot `slot` of the shard the last `locate` probed. */
  protected positionAt(slot: number): number {
    return this.shards[this.located][2 * slot] - 1;
  }

  private shardOf(h: number): number {
    const i = h & ((1 << this.level) - 1);
    return i < this.split ? h & ((2 << this.level) - 1) : i;
  }

  /** The slot of `key` (hash `h`) in its shard, or -(the free slot where it would go) - 1; `located` names the shard. */
  protected locate(key: string, h: number): number {
    if (this.deferred !== 0) this.indexDeferred();
    const s = this.shardOf(h);
    this.located = s;
    const table = this.shards[s];
    const mask = (table.length >>> 1) - 1;
    for (let i = home(h, table.length); ; i = (i + 1) & mask) {
      const e = table[2 * i];
      if (e === 0) return -i - 1;
      if (table[2 * i + 1] === h && this.keyIs(e - 1, key)) return i;
    }
  }

  /**
   * For each of the first `count` hashes, the position held by the first
   * slot of its probe that holds that hash (a key's own, but for a full
   * collision of hashes), else -1, into `out`: a probe that compares no
   * key. The reads of different hashes do not wait for each other, so in a
   * table larger than the cache their misses overlap (see
   * KeyTable.prefetch).
   */
  protected hashPositions(hashes: Int32Array, count: number, out: Int32Array): void {
    const shards = this.shards;
    for (let j = 0; j < count; j++) {
      const h = hashes[j];
      const table = shards[this.shardOf(h)];
      const mask = (table.length >>> 1) - 1;
      let at = -1;
      for (let slot = home(h, table.length); ; slot = (slot + 1) & mask) {
        const e = table[2 * slot];
        if (e === 0) break;
        if (table[2 * slot + 1] === h) {
          at = e - 1;
          break;
        }
      }
      out[j] = at;
    }
  }

  /**
   * Indexes a new position, `size`, for a key absent from the table, given
   * its hash and what `locate` answered for it; returns the position, at
   * which the caller then keeps the entry.
   */
  protected addPosition(h: number, miss: number): number {
    if (this.deferred !== 0) throw new Error('addPosition with deferred positions: locate first');
    this.shape++;
    const s = this.located;
    let table = this.shards[s];
    let slot = -miss - 1;
    if ((this.counts[s] + 1) * 8 > table.length * 3) {
      table = this.resizeShard(s, table.length * 2);
      slot = freeSlot(table, h);
    }
    const k = this.size;
    table[2 * slot] = k + 1;
    table[2 * slot + 1] = h;
    this.counts[s]++;
    roomFor(this.hashChunks, k)[k & CHUNK_MASK] = h;
    this.size = k + 1;
    if (this.size > this.shards.length * this.shardTarget) this.splitOne();
    return k;
  }

  /**
   * A new position, `size`, for a key of hash `h` that is left out of the
   * shards until indexDeferred, which anything else that reads or changes
   * them calls first. A load of a file into an empty table puts its keys
   * in this way: each insert of a key probed its shard at random, and the
   * cache misses of a million of them in tables of tens of megabytes were
   * most of the time their inserts took; indexed together, shard by shard,
   * each table is filled while it is in cache. Whether the key was there
   * already is found only then (duplicateFound).
   */
  protected deferPosition(h: number): number {
    this.shape++;
    const k = this.size;
    roomFor(this.hashChunks, k)[k & CHUNK_MASK] = h;
    this.size = k + 1;
    this.deferred++;
    return k;
  }

  /**
   * Puts the deferred positions into the shards: the shards are split as
   * the inserts would have split them, the positions bucketed by shard,
   * and each shard's filled in one go. A position whose key an earlier one
   * holds is indexed all the same, the first such kept for duplicateFound.
   */
  indexDeferred(): void {
    const n = this.deferred;
    if (n === 0) return;
    this.deferred = 0;
    this.shape++;
    while (this.size > this.shards.length * this.shardTarget) this.splitOne();
    const from = this.size - n;
    const shardCount = this.shards.length;
    const starts = new Int32Array(shardCount + 1);
    for (let k = from; k < this.size; k++) starts[this.shardOf(this.hashAt(k)) + 1]++;
    for (let s = 0; s < shardCount; s++) starts[s + 1] += starts[s];
    const cursors = starts.slice(0, shardCount);
    const order = new Int32Array(2 * n);
    for (let k = from; k < this.size; k++) {
      const h = this.hashAt(k);
      const at = 2 * cursors[this.shardOf(h)]++;
      order[at] = k;
      order[at + 1] = h;
    }
    for (let s = 0; s < shardCount; s++) {
      const added = starts[s + 1] - starts[s];
      if (added === 0) continue;
      let table = this.shards[s];
      const count = this.counts[s] + added;
      if (count * 8 > table.length * 3) table = this.resizeShard(s, tableLengthFor(count));
      const mask = (table.length >>> 1) - 1;
      for (let e = 2 * starts[s], end = 2 * starts[s + 1]; e < end; e += 2) {
        const k = order[e];
        const h = order[e + 1];
        let i = home(h, table.length);
        for (; table[2 * i] !== 0; i = (i + 1) & mask) {
          if (table[2 * i + 1] === h && (this.duplicate < 0 || k < this.duplicate) && this.keyIs(table[2 * i] - 1, this.keyAt(k))) this.duplicate = k;
        }
        table[2 * i] = k + 1;
        table[2 * i + 1] = h;
      }
      this.counts[s] = count;
    }
  }

  /** The first deferred position indexDeferred found holding a key an earlier one holds (-1: none); asking forgets it. */
  duplicateFound(): number {
    const d = this.duplicate;
    this.duplicate = -1;
    return d;
  }

  /**
   * Makes room for about `n` entries in an empty index at once: the shards
   * that splitting would have reached, each table sized for its share of
   * the hashes. A load that knows its size ahead (an RDB file's RESIZEDB)
   * then neither splits nor resizes a shard on the way, which a profile
   * of a large load showed to be a noticeable share of its time. An index
   * that holds anything, or already has more than
   * one shard, is left as it is; room is made for MAX_RESERVE at most.
   */
  reserve(n: number): void {
    if (this.size !== 0 || this.shards.length !== 1 || n <= this.shardTarget) return;
    n = Math.min(n, MAX_RESERVE);
    this.shape++;
    const count = Math.ceil(n / this.shardTarget);
    const level = 31 - Math.clz32(count);
    const split = count - (1 << level);
    releaseTable(this.shards[0]);
    const shards: Int32Array[] = [];
    for (let s = 0; s < count; s++) {
      // A shard below `split`, or past the first 2^level, is addressed by one bit more: half the share.
      const bits = s < split || s >= 1 << level ? level + 1 : level;
      shards.push(takeTable(tableLengthFor(Math.ceil((n * RESERVE_SLACK) / 2 ** bits))));
    }
    this.shards = shards;
    this.counts = new Array<number>(count).fill(0);
    this.level = level;
    this.split = split;
  }

  /**
   * Removes the entry at position `i`, whose slot `locate` found in shard
   * `located` when the caller has it (else -1): the last entry takes position `i`.
   */
  protected removeEntry(i: number, slot = -1): void {
    if (this.deferred !== 0) this.indexDeferred();
    this.shape++;
    let s = this.located;
    if (slot < 0) {
      const h = this.hashAt(i);
      s = this.shardOf(h);
      slot = this.slotOf(s, i, h);
    }
    this.unlink(s, slot);
    const last = this.size - 1;
    if (i !== last) {
      const h = this.hashAt(last);
      const ls = this.shardOf(h);
      this.shards[ls][2 * this.slotOf(ls, last, h)] = i + 1;
      this.hashChunks[i >>> CHUNK_BITS][i & CHUNK_MASK] = h;
      this.moveEntry(last, i);
    }
    if ((last & CHUNK_MASK) === 0) this.hashChunks.pop();
    this.dropLast(last);
    this.size = last;
  }

  /** The slot of shard `s` that holds position `k`, whose key hashes to `h`. */
  private slotOf(s: number, k: number, h: number): number {
    const table = this.shards[s];
    const mask = (table.length >>> 1) - 1;
    let i = home(h, table.length);
    while (table[2 * i] !== k + 1) i = (i + 1) & mask;
    return i;
  }

  /** Empties slot `i` of shard `s`, shifting back the entries after it that may no longer be reachable past the gap. */
  private unlink(s: number, i: number): void {
    const table = this.shards[s];
    const mask = (table.length >>> 1) - 1;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = table[2 * j];
      if (e === 0) break;
      const h = table[2 * j + 1];
      const at = home(h, table.length);
      // The entry at j may fill the gap unless its home lies cyclically within (i, j].
      const reachable = i <= j ? at > i && at <= j : at > i || at <= j;
      if (!reachable) {
        table[2 * i] = e;
        table[2 * i + 1] = h;
        i = j;
      }
    }
    table[2 * i] = 0;
    const n = --this.counts[s];
    if (table.length > 2 * MIN_SLOTS && n * 16 < table.length) this.resizeShard(s, table.length / 2);
  }

  /** Rebuilds shard `s`'s table at `length` (twice its slots). */
  private resizeShard(s: number, length: number): Int32Array {
    const old = this.shards[s];
    const table = takeTable(length);
    for (let j = 0; j < old.length; j += 2) if (old[j] !== 0) place(table, old[j], old[j + 1]);
    this.shards[s] = table;
    releaseTable(old);
    return table;
  }

  /**
   * Splits the next shard in linear-hashing order: the entries whose hash
   * has the next bit set move to a new shard at the end.
   */
  private splitOne(): void {
    const from = this.split;
    const bit = 1 << this.level;
    const old = this.shards[from];
    let moving = 0;
    for (let j = 0; j < old.length; j += 2) if (old[j] !== 0 && (old[j + 1] & bit) !== 0) moving++;
    const staying = this.counts[from] - moving;
    const stay = takeTable(tableLengthFor(staying));
    const move = takeTable(tableLengthFor(moving));
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === 0) continue;
      const h = old[j + 1];
      place((h & bit) !== 0 ? move : stay, old[j], h);
    }
    this.shards[from] = stay;
    releaseTable(old);
    this.counts[from] = staying;
    this.shards.push(move);
    this.counts.push(moving);
    if (++this.split === bit) {
      this.level++;
      this.split = 0;
    }
  }

  /**
   * One step of a SCAN: calls `visit` with up to `count` positions from the
   * cursor on and returns the next cursor (0 at the end). A cursor is how
   * many positions are still to visit, walked from the last position down,
   * and 0 starts at the end. The guarantee follows from how positions
   * change: an arrival takes a position past every cursor handed out, and a
   * removal moves only the last entry, down into the hole, so an entry not
   * yet visited stays below the cursor; one already visited may come again.
   */
  scanPositions(cursor: number, count: number, visit: (i: number) => void): number {
    let next = cursor === 0 || cursor > this.size ? this.size : cursor;
    for (; count > 0 && next > 0; count--) visit(--next);
    return next;
  }

  /** Makes `copy`'s index and size a copy of this one's: the caller copies what sits at the positions. */
  protected copyIndexInto(copy: DenseIndex): void {
    this.indexDeferred();
    copy.shards = this.shards.map((t) => t.slice());
    copy.hashChunks = this.hashChunks.map((h) => h.slice());
    copy.counts = this.counts.slice();
    copy.level = this.level;
    copy.split = this.split;
    copy.size = this.size;
    copy.shape++;
  }
}

/**
 * The chunk of `chunks` (per CHUNK positions, an Int32Array each of
 * `width` words a position) that holds position `k`, with room for it,
 * made when `k` is the first position past the last chunk: the first
 * chunk grows from FIRST_ROOM positions by doubling, and a whole chunk is
 * kept where V8 does not count it (unaccounted.ts).
 */
export function roomFor(chunks: Int32Array[], k: number, width = 1): Int32Array {
  const c = k >>> CHUNK_BITS;
  const at = (k & CHUNK_MASK) * width;
  const chunk = chunks[c] ?? NO_ROOM;
  if (at < chunk.length) return chunk;
  const whole = CHUNK * width;
  const room = c > 0 ? whole : Math.min(whole, Math.max(FIRST_ROOM * width, 2 * at));
  const grown = room === whole ? unaccountedInt32(whole) : new Int32Array(room);
  grown.set(chunk);
  return (chunks[c] = grown);
}

/** What roomFor grows a chunk not made yet from. */
const NO_ROOM = new Int32Array(0);

/**
 * Index tables that splits and resizes let go, by length, for the next ones
 * to reuse. A table's memory is outside V8's heap and is freed only after a
 * collection finds it dead; while a big table grows, thousands of them die
 * between two collections, and the allocator keeps the memory they had
 * spread about (a set of 1,000,000 members grew the resident set by 121
 * bytes a member without reuse, 114 with it).
 */
const spares = new Map<number, Int32Array[]>();
/** Spare tables kept per length: a split lets go of one and takes two. */
const SPARES_PER_LENGTH = 8;

/** Tables of this length and longer are kept where V8 does not count them (unaccounted.ts). */
const UNACCOUNTED_TABLE = 1024;

function takeTable(length: number): Int32Array {
  return spares.get(length)?.pop() ?? (length >= UNACCOUNTED_TABLE ? unaccountedInt32(length) : new Int32Array(length));
}

/** Hands back a table that nothing references any more. */
function releaseTable(table: Int32Array): void {
  let list = spares.get(table.length);
  if (list === undefined) spares.set(table.length, (list = []));
  if (list.length < SPARES_PER_LENGTH) list.push(table.fill(0));
}

/** Where a probe for hash `h` starts in a table of `length` / 2 slots (a power of two). */
function home(h: number, length: number): number {
  return Math.imul(h, SPREAD) >>> (Math.clz32(length) + 2);
}

function freeSlot(table: Int32Array, h: number): number {
  const mask = (table.length >>> 1) - 1;
  let i = home(h, table.length);
  while (table[2 * i] !== 0) i = (i + 1) & mask;
  return i;
}

function place(table: Int32Array, entry: number, h: number): void {
  const i = freeSlot(table, h);
  table[2 * i] = entry;
  table[2 * i + 1] = h;
}

/** The length of a table (twice its slots, a power of two, at least MIN_SLOTS) that holds `n` entries at most 3/4 full. */
function tableLengthFor(n: number): number {
  let slots = MIN_SLOTS;
  while (n * 4 > slots * 3) slots *= 2;
  return 2 * slots;
}
