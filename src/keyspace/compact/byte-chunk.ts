import { byteString } from '../../protocol/byte-string.js';
import { copyBytes, writeBytes } from './byte-copy.js';
import { unaccountedArrayBuffer } from './unaccounted.js';

/**
 * The longest string a chunk keeps as bytes. A longer one stays a JS
 * string: a chunk holds few such, so they are few objects for the
 * collector however long they are, and a buffer of long strings would be
 * rewritten at a high cost each time its dead bytes are dropped.
 */
const MAX_KEPT = 512;
/** Whether a chunk keeps a string of `length` chars as bytes (when they all are bytes). */
export function keptAsBytes(length: number): boolean {
  return length <= MAX_KEPT;
}

/** A slot's length when its value is a JS value in `values` instead of bytes. */
const IN_VALUES = -1;
/** A slot's length when its value is a 32-bit integer, kept in place of the offset: a table's slot numbers (TreeZset). */
const IN_INT = -2;
/** A chunk's memory, when at least this long, is kept where V8 does not count it (unaccounted.ts). */
const UNACCOUNTED_BYTES = 4096;

/**
 * The slots of one chunk of a DenseTable or a sorted set's tree leaf, each
 * holding a string as bytes in the chunk's own buffer, a 32-bit integer in
 * place, or any other JS value (a string too long or not all bytes, a
 * deadline) in an array beside it.
 *
 * A table of a million members kept as JS strings handed each scavenge
 * while it grew a new space full of survivors to copy: loading one took
 * scavenges of 9-19 ms (docs/benchmarks.md). Here a chunk of 1,024
 * entries is a handful of objects on V8's heap whatever it holds, and the
 * collector never reads its bytes. A string is made again from the bytes
 * each time it is read, and dies young.
 *
 * Bytes are appended; what a slot let go of is counted dead until the
 * chunk, full, rewrites its buffer without it (when at least half is
 * dead). The memory is freed with the chunk, by the collector, so chunks
 * can be shared copy-on-write (DenseTable) without any count of their
 * holders.
 */
export class ByteChunk {
  /** Slots in use: 0..length-1. */
  length = 0;
  /** Per slot s: [2s] the offset of its bytes (or its integer), [2s + 1] their length, or IN_VALUES or IN_INT. */
  private at: Int32Array;
  private bytes: Buffer;
  /** The same bytes, read four at a time when comparing. */
  private words: DataView;
  /** Bytes appended to `bytes`. */
  private used = 0;
  /** Of `used`, the bytes no slot holds any more. */
  private dead = 0;
  /** Per slot, the value of a slot whose length is IN_VALUES; null while none is. */
  private values: unknown[] | null = null;

  /** `slots`: the most this chunk will hold; `room` and `byteRoom`: the slots and bytes to make room for now. */
  constructor(
    private readonly slots: number,
    room: number,
    byteRoom: number,
  ) {
    const memory = storage(2 * Math.min(slots, room), byteRoom);
    this.at = memory.at;
    this.bytes = memory.bytes;
    this.words = memory.words;
  }

  /** The value in slot `s` (s < length). */
  get(s: number): unknown {
    const n = this.at[2 * s + 1];
    if (n >= 0) return byteString(this.bytes, this.at[2 * s], n);
    return n === IN_INT ? this.at[2 * s] : this.values![s];
  }

  /** Whether slot `s` holds the string `key`. */
  is(s: number, key: string): boolean {
    const n = this.at[2 * s + 1];
    if (n < 0) return n === IN_VALUES && this.values![s] === key;
    if (n !== key.length) return false;
    const o = this.at[2 * s];
    const words = this.words;
    let j = 0;
    for (const end = n & ~3; j < end; j += 4) {
      // A string with a char above 255 is never kept as bytes (keyWord is then -1).
      if (words.getUint32(o + j) !== keyWord(key, j)) return false;
    }
    const b = this.bytes;
    for (; j < n; j++) if (b[o + j] !== key.charCodeAt(j)) return false;
    return true;
  }

  /** Puts `v` in slot `s` (s ≤ length: a slot in use, or the next one). */
  set(s: number, v: unknown): void {
    if (s === this.length) this.grow();
    else this.release(s);
    if (typeof v === 'string') {
      if (keptAsBytes(v.length) && this.keep(s, v)) return;
    } else if (typeof v === 'number' && (v | 0) === v && !Object.is(v, -0)) {
      this.at[2 * s] = v;
      this.at[2 * s + 1] = IN_INT;
      return;
    }
    this.inValues(s, v);
  }

  /** Removes the last slot. */
  pop(): void {
    this.release(--this.length);
  }

  /**
   * Moves the value of `from`'s slot `fs` into this chunk's slot `s` (a slot
   * in use), leaving slot `fs` empty; its holder then pops it.
   */
  take(s: number, from: ByteChunk, fs: number): void {
    this.release(s);
    const n = from.at[2 * fs + 1];
    if (n === IN_VALUES) {
      this.inValues(s, from.values![fs]);
      from.values![fs] = undefined;
    } else if (from === this || n === IN_INT) {
      this.at[2 * s] = from.at[2 * fs];
      this.at[2 * s + 1] = n;
    } else {
      const o = this.reserve(n);
      copyBytes(from.bytes, from.at[2 * fs], from.at[2 * fs] + n, this.bytes, o);
      this.at[2 * s] = o;
      this.at[2 * s + 1] = n;
      from.dead += n;
    }
    from.at[2 * fs + 1] = 0;
  }

  /**
   * How slot `s` orders against `key`, char by char as Redis compares bytes:
   * negative when it sorts first, 0 when equal, positive when after.
   */
  compare(s: number, key: string): number {
    const n = this.at[2 * s + 1];
    if (n === IN_VALUES) {
      const v = this.values![s] as string;
      return v < key ? -1 : v === key ? 0 : 1;
    }
    const o = this.at[2 * s];
    const m = Math.min(n, key.length);
    const words = this.words;
    let j = 0;
    // Four bytes a step, read big-endian so that the words order as the bytes do; members often share long prefixes.
    for (const end = m & ~3; j < end; j += 4) {
      const k = keyWord(key, j);
      if (k < 0) break;
      const w = words.getUint32(o + j);
      if (w !== k) return w < k ? -1 : 1;
    }
    const b = this.bytes;
    for (; j < m; j++) {
      const d = b[o + j] - key.charCodeAt(j);
      if (d !== 0) return d;
    }
    return n - key.length;
  }

  /** Puts `v` in a new slot at `s` (s ≤ length), the slots from `s` on moving up one. */
  insertAt(s: number, v: unknown): void {
    this.shiftUp(s, 1);
    this.set(s, v);
  }

  /** Removes `count` slots from `s` on, those after them moving down. */
  removeAt(s: number, count = 1): void {
    for (let k = s; k < s + count; k++) this.release(k);
    this.at.copyWithin(2 * s, 2 * (s + count), 2 * this.length);
    if (this.values !== null) this.values.splice(s, count);
    this.length -= count;
  }

  /** Makes `count` empty slots at `s` (s ≤ length), the slots from `s` on moving up; fill them with `copyFrom`. */
  shiftUp(s: number, count: number): void {
    for (let k = 0; k < count; k++) this.grow();
    this.at.copyWithin(2 * (s + count), 2 * s, 2 * (this.length - count));
    if (this.values !== null) this.values.splice(s, 0, ...new Array<unknown>(count));
    for (let k = s; k < s + count; k++) this.at[2 * k + 1] = 0;
  }

  /** Copies the value of `from`'s slot `fs` into slot `s` (s ≤ length), leaving `from` as it was. */
  copyFrom(s: number, from: ByteChunk, fs: number): void {
    const n = from.at[2 * fs + 1];
    if (n < 0) {
      this.set(s, from.get(fs));
      return;
    }
    if (s === this.length) this.grow();
    else this.release(s);
    const o = this.reserve(n);
    copyBytes(from.bytes, from.at[2 * fs], from.at[2 * fs] + n, this.bytes, o);
    this.at[2 * s] = o;
    this.at[2 * s + 1] = n;
  }

  /** A copy that this chunk's later writes leave alone; it holds the live bytes only. */
  copy(): ByteChunk {
    const c = new ByteChunk(this.slots, this.at.length / 2, this.used - this.dead);
    c.length = this.length;
    c.values = this.values === null ? null : this.values.slice();
    c.at.set(this.at);
    c.used = c.pack(this.at, this.bytes);
    return c;
  }

  /**
   * Writes the live bytes of every slot, found where `from` places them in
   * `source`, one after another from the start of this chunk's buffer, and
   * points the slots at them; returns the bytes written.
   */
  private pack(from: Int32Array, source: Buffer): number {
    let o = 0;
    for (let s = 0; s < this.length; s++) {
      const n = from[2 * s + 1];
      if (n <= 0) continue;
      copyBytes(source, from[2 * s], from[2 * s] + n, this.bytes, o);
      this.at[2 * s] = o;
      o += n;
    }
    return o;
  }

  private release(s: number): void {
    const n = this.at[2 * s + 1];
    if (n > 0) this.dead += n;
    else if (n === IN_VALUES) this.values![s] = undefined;
    this.at[2 * s + 1] = 0;
  }

  private grow(): void {
    if (2 * this.length === this.at.length) this.resize(Math.min(2 * this.slots, 2 * this.at.length), this.bytes.length);
    this.at[2 * this.length + 1] = 0;
    this.length++;
  }

  /** Writes `v` into slot `s` as bytes; false (nothing kept) when a char of it is not a byte. */
  private keep(s: number, v: string): boolean {
    const n = v.length;
    const o = this.reserve(n);
    if (!writeBytes(this.bytes, o, v)) {
      this.used -= n;
      return false;
    }
    this.at[2 * s] = o;
    this.at[2 * s + 1] = n;
    return true;
  }

  private inValues(s: number, v: unknown): void {
    (this.values ??= [])[s] = v;
    this.at[2 * s + 1] = IN_VALUES;
  }

  /** The offset of `n` bytes appended, after dropping dead bytes or doubling the buffer when they do not fit. */
  private reserve(n: number): number {
    if (this.used + n > this.bytes.length) {
      const old = this.bytes;
      const live = this.used - this.dead;
      // Rewritten only once full, so each rewrite has been paid for by at least as many bytes appended.
      if (2 * this.dead >= this.used && live + n <= old.length) this.compact();
      else this.resize(this.at.length, Math.max(2 * old.length, live + n));
    }
    const o = this.used;
    this.used += n;
    return o;
  }

  /** Drops the dead bytes in place, through a scratch copy of the buffer: a tree leaf does this every few dozen removals. */
  private compact(): void {
    if (scratch.length < this.used) scratch = Buffer.allocUnsafeSlow(Math.max(this.used, 2 * scratch.length));
    copyBytes(this.bytes, 0, this.used, scratch, 0);
    this.used = this.pack(this.at, scratch);
    this.dead = 0;
  }

  /** Moves the chunk to new memory with room for `ints` offsets and lengths and `byteLength` bytes, its live bytes packed. */
  private resize(ints: number, byteLength: number): void {
    const oldAt = this.at;
    const oldBytes = this.bytes;
    const memory = storage(ints, byteLength);
    memory.at.set(oldAt.subarray(0, 2 * this.length));
    this.at = memory.at;
    this.bytes = memory.bytes;
    this.words = memory.words;
    this.used = this.pack(oldAt, oldBytes);
    this.dead = 0;
  }

  /** The bytes its slots hold. */
  get liveBytes(): number {
    return this.used - this.dead;
  }
}

/** Chars j to j + 3 of `key` as one big-endian word of bytes, or -1 when one of them is not a byte. */
function keyWord(key: string, j: number): number {
  const c0 = key.charCodeAt(j);
  const c1 = key.charCodeAt(j + 1);
  const c2 = key.charCodeAt(j + 2);
  const c3 = key.charCodeAt(j + 3);
  return (c0 | c1 | c2 | c3) > 255 ? -1 : ((c0 << 24) | (c1 << 16) | (c2 << 8) | c3) >>> 0;
}

/** Where compact() copies a chunk's bytes from: one for every chunk, grown to the largest seen. */
let scratch = Buffer.allocUnsafeSlow(4096);

/**
 * A chunk's offsets and bytes in one piece of memory: each piece is an
 * ArrayBuffer the collector tracks and sweeps one by one, and a tree of a
 * million members has tens of thousands of chunks (a mark-compact spent
 * 4-5 ms sweeping them with two a chunk).
 */
function storage(ints: number, byteLength: number): { at: Int32Array; bytes: Buffer; words: DataView } {
  const head = 4 * ints;
  const total = head + Math.max(byteLength, 16);
  const memory = total >= UNACCOUNTED_BYTES ? unaccountedArrayBuffer(total) : new ArrayBuffer(total);
  return {
    at: new Int32Array(memory, 0, ints),
    bytes: Buffer.from(memory, head, total - head),
    words: new DataView(memory, head, total - head),
  };
}
