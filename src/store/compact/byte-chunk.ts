import { byteString } from '../../protocol/byte-string.js';
import { unaccountedBytes, unaccountedInt32 } from './unaccounted.js';

/**
 * The longest string a chunk keeps as bytes. A longer one stays a JS
 * string: such strings are few per chunk, and past V8's large-object size
 * a scavenge never copies one.
 */
const MAX_KEPT = 512;
/** Whether a chunk keeps a string of `length` chars as bytes (when they all are bytes). */
export function keptAsBytes(length: number): boolean {
  return length <= MAX_KEPT;
}

/** A slot's length when its value is a JS value in `values` instead of bytes. */
const IN_VALUES = -1;
/** Dead bytes a chunk tolerates before it rewrites its bytes without them (and at least half of what it holds). */
const MIN_DEAD = 1024;
/** Buffers and offset tables at least this long are kept where V8 does not count them (unaccounted.ts). */
const UNACCOUNTED_BYTES = 4096;

/**
 * The slots of one chunk of a DenseTable, each holding a string as bytes in
 * the chunk's own buffer, or any other JS value (a string too long or not
 * all bytes, a number) in an array beside it.
 *
 * A table of a million members kept as JS strings handed each scavenge
 * while it grew a new space full of survivors to copy: loading one took
 * scavenges of 9-19 ms (docs/benchmarks.md). Here a chunk of 1,024
 * entries is a handful of objects on V8's heap whatever it holds, and the
 * collector never reads its bytes. A string is made again from the bytes
 * each time it is read, and dies young.
 *
 * Bytes are appended; what a slot let go of is counted dead until the chunk
 * rewrites its buffer without it. The memory is freed with the chunk, by the
 * collector, so chunks can be shared copy-on-write (DenseTable) without any
 * count of their holders.
 */
export class ByteChunk {
  /** Slots in use: 0..length-1. */
  length = 0;
  /** Per slot s: [2s] the offset of its bytes, [2s + 1] their length, or IN_VALUES. */
  private at: Int32Array;
  private bytes: Buffer;
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
    this.at = int32s(2 * Math.min(slots, room));
    this.bytes = buffer(byteRoom);
  }

  /** The value in slot `s` (s < length). */
  get(s: number): unknown {
    const n = this.at[2 * s + 1];
    return n === IN_VALUES ? this.values![s] : byteString(this.bytes, this.at[2 * s], n);
  }

  /** Whether slot `s` holds the string `key`. */
  is(s: number, key: string): boolean {
    const n = this.at[2 * s + 1];
    if (n === IN_VALUES) return this.values![s] === key;
    if (n !== key.length) return false;
    const b = this.bytes;
    const o = this.at[2 * s];
    for (let j = 0; j < n; j++) if (b[o + j] !== key.charCodeAt(j)) return false;
    return true;
  }

  /** Puts `v` in slot `s` (s ≤ length: a slot in use, or the next one). */
  set(s: number, v: unknown): void {
    if (s === this.length) this.grow();
    else this.release(s);
    if (typeof v === 'string' && keptAsBytes(v.length) && this.keep(s, v)) return;
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
    } else if (from === this) {
      this.at[2 * s] = this.at[2 * fs];
      this.at[2 * s + 1] = n;
    } else {
      const o = this.reserve(n);
      from.bytes.copy(this.bytes, o, from.at[2 * fs], from.at[2 * fs] + n);
      this.at[2 * s] = o;
      this.at[2 * s + 1] = n;
      from.dead += n;
    }
    from.at[2 * fs + 1] = 0;
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

  /** The bytes slot `s` holds live, at their offset, to the chunk's buffer `into`; returns the bytes written. */
  private pack(from: Int32Array, source: Buffer): number {
    let o = 0;
    for (let s = 0; s < this.length; s++) {
      const n = from[2 * s + 1];
      if (n <= 0) continue;
      source.copy(this.bytes, o, from[2 * s], from[2 * s] + n);
      this.at[2 * s] = o;
      o += n;
    }
    return o;
  }

  private release(s: number): void {
    const n = this.at[2 * s + 1];
    if (n === IN_VALUES) this.values![s] = undefined;
    else this.dead += n;
    this.at[2 * s + 1] = 0;
  }

  private grow(): void {
    if (2 * this.length === this.at.length) {
      const at = int32s(Math.min(2 * this.slots, 2 * this.at.length));
      at.set(this.at);
      this.at = at;
    }
    this.at[2 * this.length + 1] = 0;
    this.length++;
  }

  /** Writes `v` into slot `s` as bytes; false (nothing kept) when a char of it is not a byte. */
  private keep(s: number, v: string): boolean {
    const n = v.length;
    const o = this.reserve(n);
    const b = this.bytes;
    for (let j = 0; j < n; j++) {
      const c = v.charCodeAt(j);
      if (c > 255) {
        this.used -= n;
        return false;
      }
      b[o + j] = c;
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
      const rewrite = this.dead >= MIN_DEAD && 2 * this.dead >= this.used && live + n <= old.length;
      this.bytes = buffer(rewrite ? old.length : Math.max(2 * old.length, live + n));
      this.used = this.pack(this.at, old);
      this.dead = 0;
    }
    const o = this.used;
    this.used += n;
    return o;
  }

  /** The bytes its slots hold. */
  get liveBytes(): number {
    return this.used - this.dead;
  }
}

function int32s(length: number): Int32Array {
  return length * 4 >= UNACCOUNTED_BYTES ? unaccountedInt32(length) : new Int32Array(length);
}

function buffer(length: number): Buffer {
  return length >= UNACCOUNTED_BYTES ? unaccountedBytes(length) : Buffer.allocUnsafeSlow(Math.max(length, 16));
}
