import { byteString } from '../protocol/byte-string.js';
import { copyBytes } from './compact/byte-copy.js';
import { ByteSlabs, MAX_BLOCK, offsetOf } from './compact/byte-slabs.js';
import { CHUNK, CHUNK_BITS, CHUNK_MASK, DenseIndex, roomFor } from './compact/dense-index.js';
import { hashBytes, hashMember } from './compact/member-hash.js';
import { SlotIndex } from './slot-index.js';
import { unaccountedFloat64 } from './compact/unaccounted.js';
import type { TypedValue, Value } from './value.js';

/** The walks that mark a table's keys (KeyTable.beginMarks), a bit each: one of each kind runs at a time. */
export const WALK_MARKS = { save: 1, rewrite: 2 } as const;

/** Receives a record's bytes (pairBytes): the key at b[keyAt, keyAt + keyLength), the value at b[valueAt, valueAt + valueLength). */
export type PairBytes = (b: Buffer, keyAt: number, keyLength: number, valueAt: number, valueLength: number) => void;

/** What removeKey answers for a key that was not there. */
const ABSENT: unknown = Object.freeze({ absent: true });
/**
 * The latest deadline kept: the largest double below 2^63 ms. Redis takes
 * any int64 (PXAT 9223372036854775807 is a key that never expires), but a
 * double rounds those near 2^63 up to 2^63 itself, which the RDB's int64,
 * PEXPIREAT in an AOF and an integer reply cannot carry.
 */
const MAX_DEADLINE = 2 ** 63 - 1024;
/** What place takes for a position to be indexed later (DenseIndex.deferPosition). */
const DEFER = 1;
/** What a position's handle is when its key is a JS string, too long or not all bytes. */
const NO_RECORD = -1;
/** The table size from which prefetch pays for its hashing: below it the index and records mostly sit in the cache already. */
const PREFETCH_MIN_KEYS = 1 << 15;
/** The most keys one prefetch reads; the rest of a longer batch are looked up as usual. */
const PREFETCH_MAX = 64;
const prefetchHashes = new Int32Array(PREFETCH_MAX);
const prefetchAt = new Int32Array(PREFETCH_MAX);
const prefetchPositions = new Int32Array(PREFETCH_MAX);
/** What prefetch's last pass holds between its two steps; emptied after, so that it keeps no value alive. */
const prefetchValues: (TypedValue | null)[] = new Array<TypedValue | null>(PREFETCH_MAX).fill(null);
/** A record's bytes besides its key and value: the key's length (one byte) and the value's (two). */
const RECORD_HEAD = 3;
/** The longest key a record holds: its length is one byte. */
const MAX_RECORD_KEY = 255;

/**
 * A database's key → value dictionary: a DenseIndex whose positions hold
 * a key and its value, and beside them, once a server keeps them, each
 * key's access stamp (Redis keeps 24 bits of it in every object).
 *
 * A key of up to 255 bytes is kept as bytes in a record outside V8's heap
 * (ByteSlabs), and its value with it when that is a plain string that
 * fits (a record is at most MAX_BLOCK bytes). Per CHUNK positions, the
 * records' handles are an Int32Array outside the heap too, and the JS
 * values (longer keys, values of other types) a JS array made only for a
 * chunk that holds one. Keys and small strings are most of what a
 * keyspace holds, and kept as JS strings every one of them was copied by
 * the scavenge after it arrived and marked by every mark-compact after
 * that: a million keys arriving made pauses of 6-17 ms (docs/benchmarks.md).
 * With them in records, JS arrays holding the handles were still 16
 * bytes a key on the heap, copied twice by the scavenges of a million
 * keys arriving: 12 scavenges of 2.1-3.2 ms, 25 ms in all, against 7 of
 * at most 1.2-2.6 ms and 7-9 ms in all with the handles outside it.
 * Reading a key or a value from its record makes a string of it, which
 * dies young; a key is compared with a record's bytes in place.
 *
 * Dense positions are what the keyspace's own needs ask of it: SCAN's
 * stateless cursor (positions left to visit), RANDOMKEY and random
 * eviction in O(1), and a walk of the stamps for eviction candidates that
 * reads consecutive memory, where a JS Map offers none of these and every
 * lookup in a Map of a million keys costs several cache misses (a stamp
 * kept in a second Map cost one SET at the memory limit two of them).
 *
 * A command nearly always reads and then writes or removes the same key,
 * and a client often repeats one: every access tries the position the last
 * one found (`found`) before it hashes the key, which a JS Map does only once
 * per string (V8 keeps the hash in it) and this table in JavaScript each time.
 *
 * The chunks are never shared (no frozen view or clone is taken of a
 * keyspace: snapshots walk it with nextDown), so they are written in place.
 */
export class KeyTable extends DenseIndex {
  /** The position of the key that the last get, set, indexOf or holdsAt found or inserted. */
  found = -1;
  /**
   * The key string that last found `found`'s key, while that position still
   * holds it (else null): a client repeating a key sends the string the
   * parser made for it before, and a reference compare then stands for
   * comparing the record's bytes.
   */
  private foundKey: string | null = null;
  /**
   * The key string that get last failed to find, while what locate answered
   * for it holds (`shape` unchanged): a command that looks a key up and then
   * creates it (RESTORE's BUSYKEY check, then its put) adds it where the
   * lookup left off instead of hashing and probing for it again.
   */
  private missKey: string | null = null;
  private missHash = 0;
  private missSlot = 0;
  private missShard = 0;
  private missShape = -1;
  /**
   * The index slot (and its shard) of the position that get, indexOf or a
   * store last found by probing, while `shape` is unchanged: a removal of
   * the key just looked up (DEL's lookup, then its removal) unlinks that
   * slot instead of reading the position's hash and probing for it again,
   * a cache miss in a large table.
   */
  private slotPosition = -1;
  private slotFound = 0;
  private slotShard = 0;
  private slotShape = -1;
  /**
   * Per chunk, two words a position: its record, or NO_RECORD when its key
   * is a JS string in `slots`, and its access stamp (once keepStamps has
   * been called). A command that finds its key writes the stamp, and beside
   * the handle that the lookup has just read it costs no further cache miss
   * in a large table.
   */
  private handles: Int32Array[] = [];
  /**
   * Per chunk, null while every key and value of it is in records; else
   * two slots a position: its key when that is not in a record, and its
   * value when that is not (undefined where a record holds it).
   */
  private slots: (unknown[] | null)[] = [];
  /**
   * Per chunk, each position's deadline in ms (-1: none), or null while no
   * key of the chunk has had one: read where the key's lookup has just
   * found it, instead of in a second table (KeyDeadlines).
   */
  private deadlines: (Float64Array | null)[] = [];
  /** How many keys have a deadline. */
  private withDeadline = 0;
  /** Per position, a bit for each walk in progress that has seen its key (see beginMarks); null while none is. */
  private marks: Uint8Array | null = null;
  /** The bits of the walks in progress. */
  private marking = 0;
  /** The bits a key added now gets: of the walks for which such a key is not theirs to write. */
  private addedMarks = 0;
  /** The walks in progress that hear of each key they marked that leaves the table. */
  private markWatchers: { bit: number; removed: (key: string) => void }[] = [];
  /** Where keys and values kept as bytes are. */
  private readonly records = new ByteSlabs();
  /** Whether the record newRecord last made holds the value too. */
  private valueKept = false;
  /** What keysAt's and prefetch's reading passes summed: kept only so that the pass is not dropped (not private, which the compiler would call unused). */
  touched = 0;
  /** Its keys by cluster hash slot (database 0 of a cluster node); null otherwise, which costs the table a null check per key added, moved or removed. */
  private slotIndex: SlotIndex | null = null;

  constructor(shardTarget?: number) {
    super(shardTarget);
  }

  /** `found` when it still holds `key`, else -1: the check every access makes before hashing. */
  private atFound(key: string): number {
    const at = this.found;
    if (key === this.foundKey) return at;
    if (at < 0 || at >= this.size || !this.keyIs(at, key)) return -1;
    this.foundKey = key;
    return at;
  }

  /** Whether position `i` holds `key`; if it does, `i` becomes `found`. */
  holdsAt(i: number, key: string): boolean {
    if (i < 0 || i >= this.size || !this.keyIs(i, key)) return false;
    this.found = i;
    this.foundKey = key;
    return true;
  }

  /** The key at position `i` (0 ≤ i < size). */
  keyAt(i: number): string {
    const k = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    if (k === NO_RECORD) return this.slots[i >>> CHUNK_BITS]![(i & CHUNK_MASK) * 2] as string;
    const b = this.records.slab(k);
    const o = offsetOf(k);
    return byteString(b, o + 1, b[o]);
  }

  /**
   * The keys at `positions`, read in passes: every position's handle, then
   * the first byte of every record, then the strings. When the positions
   * lie far apart (a slot's keys, once a reshard has moved keys about),
   * each read misses the cache; read a key at a time, each miss waits for
   * the one before, while in passes the misses of different keys overlap.
   */
  keysAt(positions: readonly number[]): string[] {
    const n = positions.length;
    const keys = new Array<string>(n);
    const records = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const i = positions[j];
      records[j] = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    }
    let touched = 0;
    for (let j = 0; j < n; j++) {
      const k = records[j];
      if (k !== NO_RECORD) touched += this.records.slab(k)[offsetOf(k)];
    }
    // Kept, so that the compiler cannot drop the pass that only reads.
    this.touched = touched;
    for (let j = 0; j < n; j++) keys[j] = this.keyAt(positions[j]);
    return keys;
  }

  /** Whether the table is large enough for prefetch to pay: below this, its index and records mostly sit in the cache already. */
  get prefetchPays(): boolean {
    return this.size >= PREFETCH_MIN_KEYS;
  }

  /**
   * Reads where the keys spelled by `buf` at `spans` (offset and length
   * pairs, the first `count`) sit: the index slot holding each one's hash,
   * the handle of the position it holds, the record's first byte, and for
   * a value kept as an object what it holds next (TypedValue.warm).
   * Requests pipelined together then find their keys in the cache. A
   * lookup at a time waits for each of its misses in turn (about three in a
   * table of a million keys); read here a step for every key at once, the
   * misses of different keys overlap. Changes nothing.
   */
  prefetch(buf: Uint8Array, spans: Int32Array, count: number): void {
    const n = Math.min(count, PREFETCH_MAX);
    for (let j = 0; j < n; j++) {
      const len = spans[2 * j + 1];
      prefetchHashes[j] = len <= MAX_RECORD_KEY ? hashBytes(buf, spans[2 * j], len) : 0;
    }
    this.readAhead(n);
  }

  /** prefetch for keys already made strings (a replica's stream, which redis-parser frames): the first `count` of `keys`. */
  prefetchKeys(keys: readonly string[], count: number): void {
    const n = Math.min(count, PREFETCH_MAX);
    for (let j = 0; j < n; j++) {
      const key = keys[j];
      prefetchHashes[j] = key.length <= MAX_RECORD_KEY ? hashMember(key) : 0;
    }
    this.readAhead(n);
  }

  /** The reading passes of prefetch, for the first `n` of prefetchHashes. */
  private readAhead(n: number): void {
    const positions = prefetchPositions;
    const at = prefetchAt;
    this.hashPositions(prefetchHashes, n, positions);
    const size = this.size;
    for (let j = 0; j < n; j++) {
      const i = positions[j];
      at[j] = i >= 0 && i < size ? this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2] : NO_RECORD;
    }
    let touched = 0;
    for (let j = 0; j < n; j++) {
      const k = at[j];
      if (k !== NO_RECORD) touched += this.records.slab(k)[offsetOf(k)];
    }
    // A value that is not bytes in its record (a hash, a list, a set…) is an object the command reads next, and then what it holds.
    const values = prefetchValues;
    let objects = 0;
    for (let j = 0; j < n; j++) {
      const i = positions[j];
      if (i < 0 || i >= size) continue;
      const slots = this.slots[i >>> CHUNK_BITS];
      const v = slots === null ? undefined : slots[(i & CHUNK_MASK) * 2 + 1];
      if (typeof v === 'object' && v !== null) values[objects++] = v as TypedValue;
    }
    for (let j = 0; j < objects; j++) {
      const v = values[j]!;
      if (v.warm !== undefined) touched += v.warm();
      values[j] = null;
    }
    this.touched = touched;
  }

  /** A record's key is compared four bytes a load: a probe's hash matched, so the bytes nearly always do too. */
  protected keyIs(i: number, key: string): boolean {
    const k = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    if (k === NO_RECORD) return this.slots[i >>> CHUNK_BITS]![(i & CHUNK_MASK) * 2] === key;
    const b = this.records.slab(k);
    const o = offsetOf(k) + 1;
    const n = key.length;
    if (b[o - 1] !== n) return false;
    const words = this.records.view(k);
    let j = 0;
    for (const end = n & ~3; j < end; j += 4) {
      const c0 = key.charCodeAt(j);
      const c1 = key.charCodeAt(j + 1);
      const c2 = key.charCodeAt(j + 2);
      const c3 = key.charCodeAt(j + 3);
      // A char above 255 would spill into its neighbour's byte of the word: no record holds such a key.
      if ((c0 | c1 | c2 | c3) > 255 || words.getInt32(o + j, true) !== (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))) return false;
    }
    for (; j < n; j++) if (b[o + j] !== key.charCodeAt(j)) return false;
    return true;
  }

  get(key: string): Value | undefined {
    const last = this.atFound(key);
    if (last >= 0) return this.valueAt(last);
    const h = hashMember(key);
    const slot = this.locate(key, h);
    if (slot < 0) {
      this.missKey = key;
      this.missHash = h;
      this.missSlot = slot;
      this.missShard = this.located;
      this.missShape = this.shape;
      return undefined;
    }
    const i = this.positionAt(slot);
    this.found = i;
    this.foundKey = key;
    this.noteSlot(i, slot);
    return this.valueAt(i);
  }

  /** Position `i` sits in slot `slot` of the shard `locate` just probed (see slotPosition). */
  private noteSlot(i: number, slot: number): void {
    this.slotPosition = i;
    this.slotFound = slot;
    this.slotShard = this.located;
    this.slotShape = this.shape;
  }

  has(key: string): boolean {
    return this.locate(key, hashMember(key)) >= 0;
  }

  /** The key's position, or -1; a position holds its key until a removal moves the last key into it. */
  indexOf(key: string): number {
    const slot = this.locate(key, hashMember(key));
    if (slot < 0) return -1;
    this.foundKey = key;
    this.found = this.positionAt(slot);
    this.noteSlot(this.found, slot);
    return this.found;
  }

  /** The value at position `i` (0 ≤ i < size). */
  valueAt(i: number): Value {
    const v = this.slotValue(i);
    if (v !== undefined) return v;
    const k = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    const b = this.records.slab(k);
    const at = offsetOf(k) + 1 + b[offsetOf(k)];
    return byteString(b, at + 2, b[at] | (b[at + 1] << 8));
  }

  /** Stores a value; returns the one it replaced, undefined when the key is new. */
  set(key: string, value: Value): Value | undefined {
    const i = this.existing(key, value);
    if (i < 0) return undefined;
    const old = this.valueAt(i);
    this.replaceAt(i, value);
    return old;
  }

  /**
   * Stores a value; true when the key is new. Unlike set it does not read
   * the value it replaces, which for one kept as bytes would make a string,
   * and the value replaced, gone for good, is discarded (TypedValue.discard).
   */
  store(key: string, value: Value): boolean {
    const i = this.existing(key, value);
    if (i < 0) return true;
    const old = this.slotValue(i);
    this.replaceAt(i, value);
    if (old !== value) discard(old);
    return false;
  }

  /** The position of `key`, which becomes `found`; a key not there is added with `value`, and -1 answered. */
  private existing(key: string, value: Value): number {
    let h: number;
    let slot: number;
    if (key === this.missKey && this.missShape === this.shape) {
      // Known absent: `found` cannot hold it.
      h = this.missHash;
      slot = this.missSlot;
      this.located = this.missShard;
    } else {
      const last = this.atFound(key);
      if (last >= 0) return last;
      h = hashMember(key);
      slot = this.locate(key, h);
    }
    this.foundKey = key;
    if (slot >= 0) {
      this.found = this.positionAt(slot);
      this.noteSlot(this.found, slot);
      return this.found;
    }
    this.found = this.append(h, slot, key, value);
    return -1;
  }

  /** Keeps a key absent from the table (hash `h`, `miss` what locate answered) and its value at a new position; returns it. */
  private append(h: number, miss: number, key: string, value: Value): number {
    const record = this.newRecord(key, value);
    return this.place(h, miss, record, record !== NO_RECORD && this.valueKept, key, value);
  }

  /**
   * Indexes a new position for `record` (NO_RECORD: `key` is kept as a JS
   * string), or with `miss` DEFER leaves it to be indexed later, and keeps
   * `value` in the chunk unless `inRecords`. `key` may be null only for a
   * record that holds it.
   */
  private place(h: number, miss: number, record: number, inRecords: boolean, key: string | null, value: Value | undefined): number {
    const k = miss === DEFER ? this.deferPosition(h) : this.addPosition(h, miss);
    const c = k >>> CHUNK_BITS;
    if (c === this.slots.length) {
      this.slots.push(null);
      this.deadlines.push(null);
    }
    const deadlines = this.deadlines[c];
    if (deadlines !== null) deadlines[k & CHUNK_MASK] = -1;
    roomFor(this.handles, k, 2)[(k & CHUNK_MASK) * 2] = record;
    if (this.slotIndex !== null) this.slotIndex.added(k, key ?? this.keyAt(k));
    if (this.marks !== null) this.markAdded(k);
    // A chunk's JS slots, once made, keep room for every position its handles have room for.
    if (!inRecords || this.slots[c] !== null) {
      const slots = this.slotsOf(c);
      const at = (k & CHUNK_MASK) * 2;
      slots[at] = record === NO_RECORD ? key : undefined;
      slots[at + 1] = inRecords ? undefined : value;
    }
    return k;
  }

  /**
   * Adds the key spelt by `kb[ko, ko + kn)` with the plain string value
   * spelt by `vb[vo, vo + vn)`, both copied into a record, neither made a
   * string (what a load does with the bulk of a dataset): 1 when added, 0
   * when the key is already here (nothing changes), -1 when the pair does
   * not fit in a record (the caller stores it as strings). `deferred`: the
   * key is added without looking for it, as addDeferred adds one.
   */
  storeBytes(kb: Buffer, ko: number, kn: number, vb: Buffer, vo: number, vn: number, deferred = false): number {
    if (kn > MAX_RECORD_KEY || RECORD_HEAD + kn + vn > MAX_BLOCK) return -1;
    const h = hashBytes(kb, ko, kn);
    let slot = DEFER;
    if (!deferred) {
      // Not a load's way (a load defers): the key is made a string for the lookup.
      slot = this.locate(byteString(kb, ko, kn), h);
      if (slot >= 0) return 0;
    }
    const record = this.records.alloc(RECORD_HEAD + kn + vn);
    if (record < 0) return -1;
    const b = this.records.slab(record);
    const o = offsetOf(record);
    b[o] = kn;
    copyBytes(kb, ko, ko + kn, b, o + 1);
    const at = o + 1 + kn;
    b[at] = vn & 255;
    b[at + 1] = vn >>> 8;
    copyBytes(vb, vo, vo + vn, b, at + 2);
    this.found = this.place(h, slot, record, true, null, undefined);
    this.foundKey = null;
    return 1;
  }

  /**
   * Adds a key at a new position (`found`) without looking for it: it is
   * indexed with the others added so (DenseIndex.deferPosition), and if it
   * was there already, duplicateFound says so then.
   */
  addDeferred(key: string, value: Value): void {
    this.found = this.append(hashMember(key), DEFER, key, value);
    this.foundKey = null;
  }

  /**
   * When the record at position `i` holds both its key and its value (a
   * plain string): hands `take` the slab and where each is, so that a walk
   * writing them out copies bytes rather than making strings; false, with
   * nothing handed, otherwise.
   */
  pairBytes(i: number, take: PairBytes): boolean {
    const k = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    if (k === NO_RECORD || this.slotValue(i) !== undefined) return false;
    const b = this.records.slab(k);
    const o = offsetOf(k);
    const keyLength = b[o];
    const at = o + 1 + keyLength;
    take(b, o + 1, keyLength, at + 2, b[at] | (b[at + 1] << 8));
    return true;
  }

  /** The JS value at position `i`, undefined when its record holds it. */
  private slotValue(i: number): Value | undefined {
    const slots = this.slots[i >>> CHUNK_BITS];
    return slots === null ? undefined : (slots[(i & CHUNK_MASK) * 2 + 1] as Value | undefined);
  }

  /** Chunk `c`'s JS slots, made (or grown with its handles) when it has none for each of its positions. */
  private slotsOf(c: number): unknown[] {
    const slots = this.slots[c];
    const need = this.handles[c].length;
    if (slots !== null && slots.length >= need) return slots;
    const made = new Array<unknown>(need).fill(undefined);
    if (slots !== null) for (let j = 0; j < slots.length; j++) made[j] = slots[j];
    return (this.slots[c] = made);
  }

  /**
   * Puts `value` at position `i`: in the key's record when it is a string
   * that fits, else in the chunk, the record then cut back to its key.
   */
  private replaceAt(i: number, value: Value): void {
    const c = i >>> CHUNK_BITS;
    const handles = this.handles[c];
    const j = i & CHUNK_MASK;
    const k = handles[2 * j];
    if (k !== NO_RECORD) {
      const record = typeof value === 'string' ? this.keepValue(k, value) : NO_RECORD;
      if (record !== NO_RECORD) {
        handles[2 * j] = record;
        const slots = this.slots[c];
        if (slots !== null) slots[2 * j + 1] = undefined;
        return;
      }
      if (this.slotValue(i) === undefined) handles[2 * j] = this.keyOnly(k);
    }
    this.slotsOf(c)[2 * j + 1] = value;
  }

  /**
   * A record of `key` (and of `value` when it fits, which sets
   * `valueKept`), or NO_RECORD when the key is too long or not all bytes.
   */
  private newRecord(key: string, value: Value): number {
    const n = key.length;
    if (n > MAX_RECORD_KEY) return NO_RECORD;
    const keep = typeof value === 'string' && RECORD_HEAD + n + value.length <= MAX_BLOCK;
    const record = this.records.alloc(RECORD_HEAD + n + (keep ? value.length : 0));
    if (record < 0) return NO_RECORD;
    const b = this.records.slab(record);
    const o = offsetOf(record);
    b[o] = n;
    for (let j = 0; j < n; j++) {
      const c = key.charCodeAt(j);
      if (c > 255) {
        this.records.release(record);
        return NO_RECORD;
      }
      b[o + 1 + j] = c;
    }
    this.valueKept = keep && writeValue(b, o + 1 + n, value as string);
    return record;
  }

  /**
   * Puts `value` in the record `record` of a key, or in a new one when it
   * needs more room or far less (sized); returns the record that holds
   * both, or -1 when the value cannot be kept as bytes (the record then
   * still holds the key).
   */
  private keepValue(record: number, value: string): number {
    const need = RECORD_HEAD + this.records.slab(record)[offsetOf(record)] + value.length;
    if (need > MAX_BLOCK) return -1;
    const sized = this.sized(record, need);
    if (sized < 0) return -1;
    const b = this.records.slab(sized);
    const o = offsetOf(sized);
    if (writeValue(b, o + 1 + b[o], value)) {
      if (sized !== record) this.records.release(record);
      return sized;
    }
    if (sized !== record) this.records.release(sized);
    return -1;
  }

  /** The record of a key whose value has left it, moved to a smaller block when it held a long value. */
  private keyOnly(record: number): number {
    const sized = this.sized(record, RECORD_HEAD + this.records.slab(record)[offsetOf(record)]);
    if (sized < 0 || sized === record) return record;
    this.records.release(record);
    return sized;
  }

  /**
   * `record` itself when its block suits `need` bytes (room enough, and not
   * more than twice that past 64 bytes), else a new block holding a copy
   * of its key; -1 when no block is left.
   */
  private sized(record: number, need: number): number {
    const room = this.records.capacity(record);
    if (need <= room && (room <= 64 || need * 2 > room)) return record;
    const moved = this.records.alloc(need);
    if (moved < 0) return -1;
    const b0 = this.records.slab(record);
    const o0 = offsetOf(record);
    const b = this.records.slab(moved);
    const o = offsetOf(moved);
    for (let j = 0, n = b0[o0]; j <= n; j++) b[o + j] = b0[o0 + j];
    return moved;
  }

  /**
   * Removes a key; false when it was not there. Unlike take it does not
   * read the value, which, gone for good, is discarded.
   */
  delete(key: string): boolean {
    const old = this.removeKey(key, false);
    if (old === ABSENT) return false;
    discard(old);
    return true;
  }

  /** Removes a key; returns its value, undefined when it was not there. */
  take(key: string): Value | undefined {
    const v = this.removeKey(key, true);
    return v === ABSENT ? undefined : (v as Value);
  }

  /**
   * Removes a key and answers what its chunk held for the value (`read`:
   * the value itself, a string made of one kept as bytes), ABSENT when it
   * was not there. A removal nearly always follows a lookup of the same
   * key (DEL's, or the evictor's check of its candidate), so the position
   * `found` is tried before the key is hashed and looked up again.
   */
  private removeKey(key: string, read: boolean): unknown {
    let i = this.atFound(key);
    let slot = -1;
    if (i >= 0 && i === this.slotPosition && this.shape === this.slotShape) {
      slot = this.slotFound;
      this.located = this.slotShard;
    } else if (i < 0) {
      slot = this.locate(key, hashMember(key));
      if (slot < 0) return ABSENT;
      i = this.positionAt(slot);
    }
    const v = read ? this.valueAt(i) : this.slotValue(i);
    this.removeEntry(i, slot);
    return v;
  }

  /** The entry's record is let go; the last key moves into the hole. */
  protected override removeEntry(i: number, slot = -1): void {
    if (this.markWatchers.length !== 0) this.tellRemoved(i);
    if (this.slotIndex !== null) this.slotIndex.removed(i);
    const k = this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2];
    if (k !== NO_RECORD) this.records.release(k);
    if (this.withDeadline !== 0 && this.deadlineAt(i) !== -1) this.withDeadline--;
    this.foundKey = null;
    super.removeEntry(i, slot);
  }

  /** The key, its value, its stamp, its marks and its deadline move. */
  protected moveEntry(from: number, to: number): void {
    const fc = from >>> CHUNK_BITS;
    const fj = from & CHUNK_MASK;
    const tc = to >>> CHUNK_BITS;
    const tj = to & CHUNK_MASK;
    const fromHandles = this.handles[fc];
    const toHandles = this.handles[tc];
    toHandles[2 * tj] = fromHandles[2 * fj];
    toHandles[2 * tj + 1] = fromHandles[2 * fj + 1];
    const source = this.slots[fc];
    const key = source === null ? undefined : source[2 * fj];
    const value = source === null ? undefined : source[2 * fj + 1];
    const target = key === undefined && value === undefined ? this.slots[tc] : this.slotsOf(tc);
    if (target !== null) {
      target[2 * tj] = key;
      target[2 * tj + 1] = value;
    }
    const marks = this.marks;
    if (marks !== null) marks[to] = marks[from];
    const deadlines = this.deadlines[fc];
    const when = deadlines === null ? -1 : deadlines[fj];
    if (when !== -1 || this.deadlines[tc] !== null) this.deadlineChunk(tc)[tj] = when;
    if (this.slotIndex !== null) this.slotIndex.moved(from, to);
  }

  /** A chunk left empty goes; else the position's JS slots let go of what they held. */
  protected dropLast(last: number): void {
    if (this.slotIndex !== null) this.slotIndex.dropped(last);
    const c = last >>> CHUNK_BITS;
    if ((last & CHUNK_MASK) === 0) {
      this.handles.pop();
      this.slots.pop();
      this.deadlines.pop();
      return;
    }
    const slots = this.slots[c];
    if (slots !== null) {
      const at = (last & CHUNK_MASK) * 2;
      slots[at] = undefined;
      slots[at + 1] = undefined;
    }
  }

  /** The keys by hash slot, once indexSlots has started the index; null until then. */
  get bySlot(): SlotIndex | null {
    return this.slotIndex;
  }

  /** Starts indexing the keys by hash slot, those already here included. */
  indexSlots(): void {
    if (this.slotIndex !== null) return;
    const index = new SlotIndex();
    for (let i = 0; i < this.size; i++) index.added(i, this.keyAt(i));
    this.slotIndex = index;
  }

  /** Stops indexing by slot (the contents left database 0). */
  dropSlots(): void {
    this.slotIndex = null;
  }

  /** Sets every key's stamp to `stamp` (a server starting to keep them, or changing their kind). A new key's is whatever setStampAt writes. */
  keepStamps(stamp: number): void {
    for (let i = 0; i < this.size; i++) this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2 + 1] = stamp;
  }

  /** The stamp at position `i`. */
  stampAt(i: number): number {
    return this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2 + 1];
  }

  setStampAt(i: number, stamp: number): void {
    this.handles[i >>> CHUNK_BITS][(i & CHUNK_MASK) * 2 + 1] = stamp;
  }

  /**
   * Starts a walk that marks the keys it has dealt with (a BGSAVE's, an
   * AOF rewrite's: `bit`, one of WALK_MARKS), for the walk's own code to
   * test and set: a bit per position, moved with its key, in place of a
   * set of the key strings, which held a young string per key (a million
   * of them promoted per BGSAVE, which set off mark-compacts of 17-21 ms).
   * Keys added while it lasts have the bit already when `added`; each key
   * with the bit that leaves the table is told to `removed`. A walk of
   * the same kind still marking (one that never ended) gives its bit up.
   */
  beginMarks(bit: number, { added, removed }: { added: boolean; removed?: (key: string) => void }): void {
    this.endMarks(bit);
    if (this.marks === null) this.marks = new Uint8Array(Math.max(CHUNK, this.size));
    else for (let i = 0; i < this.size; i++) this.marks[i] &= ~bit;
    this.marking |= bit;
    if (added) this.addedMarks |= bit;
    if (removed !== undefined) this.markWatchers.push({ bit, removed });
  }

  /** The walk that had `bit` is over. */
  endMarks(bit: number): void {
    this.marking &= ~bit;
    this.addedMarks &= ~bit;
    if (this.markWatchers.length !== 0) this.markWatchers = this.markWatchers.filter((w) => w.bit !== bit);
    if (this.marking === 0) this.marks = null;
  }

  /** Whether the key at position `i` has the walk's bit. */
  marked(i: number, bit: number): boolean {
    return (this.marks![i] & bit) !== 0;
  }

  mark(i: number, bit: number): void {
    this.marks![i] |= bit;
  }

  /** The walks that marked the key at position `i`, about to leave, and watch for that, hear of it. */
  private tellRemoved(i: number): void {
    const m = this.marks![i];
    if (m === 0) return;
    for (const w of this.markWatchers) if ((m & w.bit) !== 0) w.removed(this.keyAt(i));
  }

  /** A key added at position `k` has the bits of the walks that mark added keys, the room for it made first. */
  private markAdded(k: number): void {
    let marks = this.marks!;
    if (k >= marks.length) {
      const more = new Uint8Array(marks.length * 2);
      more.set(marks);
      this.marks = marks = more;
    }
    marks[k] = this.addedMarks;
  }

  /** The position of `key`, or -1: the one `found` holds costs no lookup (a command reading a key's deadline has just looked it up). */
  positionOf(key: string): number {
    const at = this.atFound(key);
    return at >= 0 ? at : this.indexOf(key);
  }

  /** How many keys have a deadline. */
  get deadlineCount(): number {
    return this.withDeadline;
  }

  /** The deadline of the key at position `i`, -1 when it has none. */
  deadlineAt(i: number): number {
    const chunk = this.deadlines[i >>> CHUNK_BITS];
    return chunk === null ? -1 : chunk[i & CHUNK_MASK];
  }

  /** Sets (or with -1, drops) the deadline of the key at position `i`; one past MAX_DEADLINE is kept as it. */
  setDeadlineAt(i: number, when: number): void {
    if (when > MAX_DEADLINE) when = MAX_DEADLINE;
    const c = i >>> CHUNK_BITS;
    if (when === -1 && this.deadlines[c] === null) return;
    const chunk = this.deadlineChunk(c);
    const j = i & CHUNK_MASK;
    if (chunk[j] === -1) {
      if (when !== -1) this.withDeadline++;
    } else if (when === -1) {
      this.withDeadline--;
    }
    chunk[j] = when;
  }

  /**
   * The keys that have a deadline, with it, in a walk that spans changes
   * to the table (nextDown: every key that has one throughout is met at
   * least once, some maybe twice); a chunk where no key has had one is
   * passed over whole.
   */
  *deadlineEntries(): IterableIterator<[string, number]> {
    for (let i = this.nextDown(this.size); i >= 0; i = this.nextDown(i)) {
      const chunk = this.deadlines[i >>> CHUNK_BITS];
      if (chunk === null) {
        i &= ~CHUNK_MASK;
        continue;
      }
      const when = chunk[i & CHUNK_MASK];
      if (when !== -1) yield [this.keyAt(i), when];
    }
  }

  /** Chunk c's deadlines, made (every one -1) if it had none yet. */
  private deadlineChunk(c: number): Float64Array {
    return (this.deadlines[c] ??= unaccountedFloat64(CHUNK).fill(-1));
  }

  /** A uniformly random key, or undefined when empty. */
  randomKey(): string | undefined {
    return this.size === 0 ? undefined : this.keyAt(Math.floor(Math.random() * this.size));
  }

  /** One step of SCAN: up to `count` keys from the cursor on into `out`; returns the next cursor (see scanPositions). */
  scan(cursor: number, count: number, out: string[]): number {
    return this.scanPositions(cursor, count, (i) => out.push(this.keyAt(i)));
  }

  /** The keys in position order; the table must not change during the iteration. */
  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.keyAt(i);
  }

  /** The entries in position order; the table must not change during the iteration. */
  *entries(): IterableIterator<[string, Value]> {
    for (let i = 0; i < this.size; i++) yield [this.keyAt(i), this.valueAt(i)];
  }

  /**
   * A step of a walk that spans event-loop turns while the table changes
   * (a BGSAVE, an AOF rewrite, the keys with a deadline): the next position
   * to look at, the positions left being those below `left` (the table's
   * size to begin with, then the position last looked at), or -1 when none
   * is. It goes from the last position down, as SCAN goes, so every key
   * present from the start to the end of the walk is met at least once; a
   * key may be met twice (a removal moves the last key into its hole), and
   * one added meanwhile may or may not be.
   */
  nextDown(left: number): number {
    return Math.min(left, this.size) - 1;
  }
}

/** TypedValue.discard of a value the table let go of, if it is one that holds memory outside the heap. */
export function discard(v: unknown): void {
  if (typeof v === 'object' && v !== null && (v as TypedValue).discard !== undefined) (v as TypedValue).discard!();
}

/**
 * Writes `value`'s length (two bytes) and bytes at `o`; false when a char
 * is not a byte, which only a value made outside the protocol can hold.
 */
function writeValue(b: Buffer, o: number, value: string): boolean {
  const n = value.length;
  b[o] = n & 255;
  b[o + 1] = n >>> 8;
  for (let j = 0; j < n; j++) {
    const c = value.charCodeAt(j);
    if (c > 255) return false;
    b[o + 2 + j] = c;
  }
  return true;
}
