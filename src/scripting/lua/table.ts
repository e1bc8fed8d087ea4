import { LuaError } from './errors.js';
import { ceilLog2, newTableSerial, numberHash, objectSerial, stringHash } from './table-hash.js';
import type { LuaValue } from './value.js';

/** Lua 5.1's MAXBITS: neither part of a table grows past 2^26 slots. */
const MAXBITS = 26;
const MAXASIZE = 1 << MAXBITS;

/**
 * Scratch space of the rehash, which runs to completion without calling
 * out: nums[i] counts integer keys in (2^(i-1), 2^i]; hashInts and
 * arraySize are countHash's and computeSizes's second results.
 */
const NUMS = new Int32Array(MAXBITS + 1);

/** The node arrays of a table without a hash part (never written: every write to them is behind nk !== null). */
const NO_NODES: LuaValue[] = [];
const NO_LINKS: number[] = [];
let hashInts = 0;
let arraySize = 0;

/** Node vectors up to this size are searched by scanning; larger ones keep a Map from key to slot. */
export const SCAN_LIMIT = 16;

/**
 * A Lua table, laid out as Lua 5.1's ltable.c lays it out: an array part for
 * keys 1..n (holes are undefined) and a hash part that is Lua's node vector
 * (keys, values and collision chains, filled from `lastfree` downwards),
 * resized by the same rehash that counts integer keys to size the array
 * part. Lookups in the hash part do not walk the chains but scan (small
 * tables) or use a Map from key to slot; the layout is kept only so that
 * the border `#` finds, `next`'s order and when the array part grows are
 * those of Redis's Lua.
 *
 * `get`/`set` are raw (no metamethods). Keys are normalised as Lua does:
 * numbers compare by value (1.0 and 1 are one key, as are 0 and -0); nil and
 * NaN keys cannot be stored.
 */
export class LuaTable {
  /** Array part: index i holds key i + 1. Its length is Lua's sizearray. */
  arr: LuaValue[];
  /** Node keys, or null for Lua's dummy node (no hash part). A slot whose value is nil may keep its key. */
  nk: LuaValue[] | null;
  nv: LuaValue[];
  /** Next slot in the collision chain, -1 at the end. */
  nn: number[];
  /** Each node key's hash value. */
  nh: number[];
  lastfree: number;
  index: Map<LuaValue, number> | null;
  metatable: LuaTable | null;
  /** Redis's readonly tables (the globals and what they reach): writes raise an error. */
  readonly: boolean;
  /** Stands for the table's address in hashes. */
  readonly serial: number;
  /** Bumped on every resize, so that an iteration can tell its slot numbers moved. */
  shape: number;

  constructor(narray = 0, nhash = 0) {
    this.arr = [];
    for (let i = 0; i < narray; i++) this.arr.push(undefined);
    this.nk = null;
    this.nv = NO_NODES;
    this.nn = NO_LINKS;
    this.nh = NO_LINKS;
    this.lastfree = 0;
    this.index = null;
    this.metatable = null;
    this.readonly = false;
    this.serial = newTableSerial();
    this.shape = 0;
    if (nhash > 0) this.setNodeVector(nhash);
  }

  /**
   * A table holding `values` (or values[start..end)) at 1..n, laid out as Lua lays out a new table
   * filled by lua_rawseti in order (how Redis builds KEYS, ARGV and the
   * arrays of redis.call's replies): the array part is the next power of
   * two, which is what `#` sees once holes are made.
   */
  static fromArray(values: readonly LuaValue[], start = 0, end = values.length): LuaTable {
    const t = new LuaTable(0, 0);
    const n = Math.max(0, Math.min(end, values.length) - start);
    const size = n <= 1 ? n : 2 ** ceilLog2(n);
    let arr: LuaValue[];
    if (size === n) {
      arr = values.slice(start, start + n);
    } else {
      // Made at its size: a slice grown by push would reserve room past it.
      arr = filled(size, undefined);
      for (let i = 0; i < n; i++) arr[i] = values[start + i];
    }
    t.arr = arr;
    return t;
  }

  get(k: LuaValue): LuaValue {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k >= 1 && k <= a.length && Math.floor(k) === k) return a[k - 1];
    } else if (k === undefined) {
      return undefined;
    }
    if (this.nk === null) return undefined;
    const s = this.slot(k);
    return s < 0 ? undefined : this.nv[s];
  }

  /** get() for a key known to be a string (never in the array part). */
  getStr(k: string): LuaValue {
    if (this.nk === null) return undefined;
    const s = this.slot(k);
    return s < 0 ? undefined : this.nv[s];
  }

  /** get() for an integer key. */
  getInt(i: number): LuaValue {
    const a = this.arr;
    if (i >= 1 && i <= a.length) return a[i - 1];
    if (this.nk === null) return undefined;
    const s = this.slot(i);
    return s < 0 ? undefined : this.nv[s];
  }

  /**
   * Raw assignment with the checks lua_rawset makes: readonly tables, nil
   * and NaN keys. The errors carry no position (the library function that
   * called this is not Lua code); compiled code checks first itself.
   */
  set(k: LuaValue, v: LuaValue): void {
    if (this.readonly) throw new LuaError('Attempt to modify a readonly table');
    this.rawSet(k, v);
  }

  /** Assignment without the readonly check (the host filling its own tables, the libraries' fresh tables). */
  rawSet(k: LuaValue, v: LuaValue): void {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k >= 1 && k <= a.length && Math.floor(k) === k) {
        a[k - 1] = v;
        return;
      }
      if (k !== k) throw new LuaError('table index is NaN');
    } else if (k === undefined) {
      throw new LuaError('table index is nil');
    }
    if (this.nk !== null) {
      const s = this.slot(k);
      if (s >= 0) {
        this.nv[s] = v;
        return;
      }
    }
    const s = this.newKey(k);
    // -1: the table was resized for the key, which may now belong to the array part.
    if (s >= 0) this.nv[s] = v;
    else this.rawSet(k, v);
  }

  /** Lua's luaH_getn: a border, found the way Lua 5.1 finds it. */
  length(): number {
    const a = this.arr;
    let j = a.length;
    if (j > 0 && a[j - 1] === undefined) {
      let i = 0;
      while (j - i > 1) {
        const m = (i + j) >>> 1;
        if (a[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    if (this.nk === null) return j;
    return this.unboundSearch(j);
  }

  /**
   * Lua's next: the key after `k` (nil to start) and its value, or null at
   * the end. Throws "invalid key to 'next'" for a key the table does not have.
   */
  next(k: LuaValue): [LuaValue, LuaValue] | null {
    let i = this.findIndex(k);
    const a = this.arr;
    for (i++; i < a.length; i++) {
      if (a[i] !== undefined) return [i + 1, a[i]];
    }
    const nk = this.nk;
    if (nk === null) return null;
    for (i -= a.length; i < nk.length; i++) {
      if (this.nv[i] !== undefined) return [nk[i], this.nv[i]];
    }
    return null;
  }

  /**
   * Positions in next()'s order: the array part's slots, then the node
   * vector's; a position is an entry when its value is not nil. For a
   * reader that walks a table it does not change (cjson.encode): next(k)
   * finds k's slot again at every step and makes a pair for each entry.
   */
  positions(): number {
    return this.arr.length + (this.nk === null ? 0 : this.nk.length);
  }

  keyAtPosition(i: number): LuaValue {
    const n = this.arr.length;
    return i < n ? i + 1 : this.nk![i - n];
  }

  valueAtPosition(i: number): LuaValue {
    const n = this.arr.length;
    return i < n ? this.arr[i] : this.nv[i - n];
  }

  /**
   * The traversal position of key `k` (-1 for nil): array slots first, then
   * node slots numbered after them. Iterators that keep a position use it
   * to find their place again after the table was resized.
   */
  findIndex(k: LuaValue): number {
    if (k === undefined) return -1;
    const a = this.arr;
    if (typeof k === 'number' && k >= 1 && k <= a.length && Math.floor(k) === k) return k - 1;
    const s = this.nk === null ? -1 : this.slot(k);
    if (s < 0) throw new LuaError("invalid key to 'next'");
    return s + a.length;
  }

  /** Number of slots in the node vector (0 for the dummy node). */
  nodeSize(): number {
    return this.nk === null ? 0 : this.nk.length;
  }

  /** The node slot holding key k, or -1 (callers check that the table has a node vector). */
  slotOf(k: LuaValue): number {
    return this.slot(k);
  }

  private slot(k: LuaValue): number {
    const index = this.index;
    if (index !== null) {
      const s = index.get(k);
      return s === undefined ? -1 : s;
    }
    const nk = this.nk!;
    for (let i = 0; i < nk.length; i++) if (nk[i] === k) return i;
    return -1;
  }

  private unboundSearch(j: number): number {
    let i = j;
    j++;
    while (this.getInt(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > 0x7fffffff) {
        i = 1;
        while (this.getInt(i) !== undefined) i++;
        return i - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (this.getInt(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  private mainPosition(k: LuaValue, h: number): number {
    const size = this.nk!.length;
    if (typeof k === 'string' || typeof k === 'boolean') return h & (size - 1);
    if (k === 0) return 0;
    return h % ((size - 1) | 1);
  }

  private getFreePos(): number {
    const nk = this.nk!;
    while (this.lastfree > 0) {
      this.lastfree--;
      if (nk[this.lastfree] === undefined) return this.lastfree;
    }
    return -1;
  }

  /** Lua's newkey: places a key absent from the table (its hash given when known) and returns its slot, or resizes the table and returns -1 when the node vector is full. */
  private newKey(k: LuaValue, hash?: number): number {
    if (this.nk === null) {
      this.rehash(k);
      return -1;
    }
    const h = hash ?? keyHash(k);
    let mp = this.mainPosition(k, h);
    const nk = this.nk;
    const nv = this.nv;
    const nn = this.nn;
    if (nv[mp] !== undefined) {
      const n = this.getFreePos();
      if (n < 0) {
        this.rehash(k);
        return -1;
      }
      let other = this.mainPosition(nk[mp], this.nh[mp]);
      if (other !== mp) {
        // The colliding node is out of its main position: move it to the free slot.
        while (nn[other] !== mp) other = nn[other];
        nn[other] = n;
        nk[n] = nk[mp];
        nv[n] = nv[mp];
        nn[n] = nn[mp];
        this.nh[n] = this.nh[mp];
        if (this.index !== null) this.index.set(nk[n], n);
        nn[mp] = -1;
        nv[mp] = undefined;
      } else {
        nn[n] = nn[mp];
        nn[mp] = n;
        mp = n;
      }
    } else if (nk[mp] !== undefined && this.index !== null) {
      // A key whose value was set to nil gives its slot up to the new key.
      this.index.delete(nk[mp]);
    }
    nk[mp] = k;
    this.nh[mp] = h;
    if (this.index !== null) this.index.set(k, mp);
    return mp;
  }

  private rehash(extraKey: LuaValue): void {
    const nums = NUMS;
    for (let i = 0; i <= MAXBITS; i++) nums[i] = 0;
    let nasize = this.countArray(nums);
    let totaluse = nasize;
    totaluse += this.countHash(nums);
    nasize += hashInts;
    if (countInt(extraKey, nums)) nasize++;
    totaluse++;
    const na = computeSizes(nums, nasize);
    this.resize(arraySize, totaluse - na);
  }

  private countArray(nums: Int32Array): number {
    const a = this.arr;
    let ause = 0;
    let i = 1;
    for (let lg = 0, ttlg = 1; lg <= MAXBITS; lg++, ttlg *= 2) {
      let lc = 0;
      let lim = ttlg;
      if (lim > a.length) {
        lim = a.length;
        if (i > lim) break;
      }
      for (; i <= lim; i++) if (a[i - 1] !== undefined) lc++;
      nums[lg] += lc;
      ause += lc;
    }
    return ause;
  }

  /** The keys in use in the node vector; sets hashInts to how many of them are array candidates. */
  private countHash(nums: Int32Array): number {
    let total = 0;
    hashInts = 0;
    const nk = this.nk;
    if (nk === null) return 0;
    for (let i = nk.length - 1; i >= 0; i--) {
      if (this.nv[i] !== undefined) {
        if (countInt(nk[i], nums)) hashInts++;
        total++;
      }
    }
    return total;
  }

  /**
   * Lua's resize: the array part grown or shrunk, a new node vector, every
   * entry put back (array entries that no longer fit first, then the old
   * nodes from the last). Done in place, with the old parts kept until the
   * end, so that a failure midway (V8 out of stack) puts them back and
   * leaves the table whole, without a scratch table per rehash.
   */
  resize(nasize: number, nhsize: number): void {
    const oldArr = this.arr;
    const oldKeys = this.nk;
    const oldVals = this.nv;
    const oldLinks = this.nn;
    const oldHashes = this.nh;
    const oldFree = this.lastfree;
    const oldIndex = this.index;
    // An array part that keeps its size is kept: no key of the node vector belongs in it (rawSet puts those there).
    if (nasize !== oldArr.length) {
      const arr = oldArr.length > nasize ? oldArr.slice(0, nasize) : oldArr.slice();
      for (let i = arr.length; i < nasize; i++) arr.push(undefined);
      this.arr = arr;
    }
    this.setNodeVector(nhsize);
    try {
      for (let i = nasize; i < oldArr.length; i++) {
        if (oldArr[i] !== undefined) this.rawSet(i + 1, oldArr[i]);
      }
      if (oldKeys !== null) {
        for (let i = oldKeys.length - 1; i >= 0; i--) {
          if (oldVals[i] !== undefined) this.reinsert(oldKeys[i], oldVals[i], oldHashes[i]);
        }
      }
    } catch (e) {
      this.arr = oldArr;
      this.setNodes(oldKeys, oldVals, oldLinks, oldHashes, oldFree, oldIndex);
      throw e;
    }
    this.shape++;
  }

  /**
   * Puts back a node the resize took out, with the hash it was placed by: a
   * string's hash reads every char, and a table filling up (cmsgpack's
   * maps, cjson's objects) is resized at every doubling. Nor is the key
   * looked for first: the keys put back are distinct and none is in the
   * new parts yet.
   */
  private reinsert(k: LuaValue, v: LuaValue, h: number): void {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k >= 1 && k <= a.length && Math.floor(k) === k) {
        a[k - 1] = v;
        return;
      }
    }
    const s = this.newKey(k, h);
    // The new sizes hold every key, so newKey finds room; were it to resize, rawSet places the key afresh.
    if (s >= 0) this.nv[s] = v;
    else this.rawSet(k, v);
  }

  /** Takes a node vector as it is (resize putting back the old one, table-fill.ts placing keys at once). */
  setNodes(nk: LuaValue[] | null, nv: LuaValue[], nn: number[], nh: number[], lastfree: number, index: Map<LuaValue, number> | null): void {
    this.nk = nk;
    this.nv = nv;
    this.nn = nn;
    this.nh = nh;
    this.lastfree = lastfree;
    this.index = index;
  }

  private setNodeVector(size: number): void {
    if (size === 0) {
      this.nk = null;
      this.nv = NO_NODES;
      this.nn = NO_LINKS;
      this.nh = NO_LINKS;
      this.index = null;
      this.lastfree = 0;
      return;
    }
    const lsize = ceilLog2(size);
    if (lsize > MAXBITS) throw new LuaError('table overflow');
    size = 2 ** lsize;
    this.nk = filled(size, undefined);
    this.nv = filled(size, undefined);
    this.nn = filled(size, -1);
    this.nh = filled(size, 0);
    this.index = size > SCAN_LIMIT ? new Map() : null;
    this.lastfree = size;
  }
}

/**
 * An array of `size` (a power of two) copies of `v`. A table rebuilds its
 * node vector at every doubling while it fills (cmsgpack's maps, cjson's
 * objects), so the small sizes are literals: allocated at their size and
 * packed, where push would reserve room for 17 elements and
 * `new Array(size).fill` is holey, slower to make and to read.
 */
export function filled<T>(size: number, v: T): T[] {
  switch (size) {
    case 1:
      return [v];
    case 2:
      return [v, v];
    case 4:
      return [v, v, v, v];
    case 8:
      return [v, v, v, v, v, v, v, v];
    case 16:
      return [v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v];
  }
  const a: T[] = [];
  for (let i = 0; i < size; i++) a.push(v);
  return a;
}

function keyHash(k: LuaValue): number {
  switch (typeof k) {
    case 'string':
      return stringHash(k);
    case 'number':
      return k === 0 ? 0 : numberHash(k);
    case 'boolean':
      return k ? 1 : 0;
    case 'object':
      // Userdata and threads have no serial of their own.
      return k instanceof LuaTable ? k.serial : objectSerial(k as object);
    default:
      return objectSerial(k as object);
  }
}

/** Lua's arrayindex + countint: counts an integer key in 1..MAXASIZE into its power-of-two slice. */
function countInt(k: LuaValue, nums: Int32Array): boolean {
  if (typeof k === 'number' && k >= 1 && k <= MAXASIZE && Math.floor(k) === k) {
    nums[ceilLog2(k)]++;
    return true;
  }
  return false;
}

/** Lua's computesizes: the largest power of two n with more than n/2 of 1..n in use (into arraySize); returns how many keys go there. */
function computeSizes(nums: Int32Array, narray: number): number {
  let a = 0;
  let na = 0;
  let n = 0;
  for (let i = 0, twotoi = 1; twotoi / 2 < narray; i++, twotoi *= 2) {
    if (nums[i] > 0) {
      a += nums[i];
      if (a > twotoi / 2) {
        n = twotoi;
        na = a;
      }
    }
    if (a === narray) break;
  }
  arraySize = n;
  return na;
}
