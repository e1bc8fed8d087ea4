import { constants } from 'node:buffer';
import type { Reply } from '../protocol/reply.js';
import { stringSize, VALUE_OBJECT } from './heap-size.js';

/**
 * From this length a modified string keeps its bytes in a buffer. Measured
 * through the server (pipelined SETRANGE of 8 bytes, server CPU per call):
 * rebuilding the JS string costs 2.5-2.9 µs up to 2 KiB, 3.1 at 4 KiB, 4.2
 * at 8 KiB, 6.3 at 16 KiB; writing into a buffer 1.7-1.9 µs at any length.
 * But a buffer adds 300-450 bytes of resident memory per value (its
 * ArrayBuffer, backing store and allocation): over a third of a 1 KiB
 * value, under a tenth of a 4 KiB one. At 4 KiB the rebuild costs about a
 * microsecond more than the buffer write, and the buffer less than a tenth
 * of the value in memory; past it the rebuild grows with the length.
 */
export const BYTES_FROM = 4096;

/** No string value outgrows what V8 can turn into a string (checkStringLength), so no capacity needs to either. */
const MAX_CAPACITY = constants.MAX_STRING_LENGTH;
/** Up to this length a byte loop beats latin1Write's fixed cost (as in the reply and AOF encoders). */
const SHORT_WRITE = 32;

function write(buf: Buffer, s: string, at: number): void {
  const n = s.length;
  if (n <= SHORT_WRITE) {
    for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
  } else {
    buf.latin1Write(s, at);
  }
}

/**
 * A string value that is modified in place: what APPEND and SETRANGE leave
 * behind, the values Redis reports as `raw` whatever their length. While a
 * change leaves it shorter than BYTES_FROM the value stays a JS byte string,
 * rebuilt by each change (the object only marks it raw); the first change
 * that leaves it longer moves its bytes into a buffer with room to grow,
 * where later changes cost what they write, amortised: the buffer doubles
 * when it runs out, like Redis's sds. Bytes past the length are undefined
 * (never zeroed ahead: filling the room a doubling leaves cost as much as
 * the copy), so a write past the end zeroes its gap itself.
 */
export class MutableString {
  readonly type = 'string';
  /** The value while `bytes` is null: the string it was made from, or rebuilt by changes while short. */
  private text: string;
  /** Once long: the value is bytes[0, len), the rest room to grow into. */
  private bytes: Buffer | null = null;
  private len: number;

  constructor(text: string) {
    this.text = text;
    this.len = text.length;
  }

  /**
   * `n` zero bytes, held as exactly that (SETRANGE on a missing key
   * allocates offset + length and no more, as Redis's sdsnewlen does).
   */
  static zeroed(n: number): MutableString {
    if (n < BYTES_FROM) return new MutableString('\0'.repeat(n));
    const s = new MutableString('');
    s.bytes = Buffer.alloc(n);
    s.len = n;
    return s;
  }

  /**
   * A value of the first `len` bytes of a buffer of its own (a big bulk of
   * SET, which the request parser copied into one): the buffer is kept
   * rather than copied again on the first change, as Redis's SET keeps the
   * query buffer's sds, and what it holds past `len` is room to grow into.
   */
  static fromBytes(bytes: Buffer, len = bytes.length): MutableString {
    const s = new MutableString('');
    s.bytes = bytes;
    s.len = len;
    return s;
  }

  get length(): number {
    return this.len;
  }

  encoding(): string {
    return 'raw';
  }

  /** MEMORY USAGE: the string it holds, or its buffer (room to grow into included). */
  memoryUsage(): number {
    return VALUE_OBJECT + (this.bytes === null ? stringSize(this.text.length) : VALUE_OBJECT + this.bytes.length);
  }

  append(s: string): void {
    const total = this.len + s.length;
    if (this.bytes === null && total < BYTES_FROM) {
      this.text += s;
    } else {
      write(this.room(total), s, this.len);
    }
    this.len = total;
  }

  /** Writes `s` at `offset`; a gap past the end reads as zero bytes. */
  setRange(offset: number, s: string): void {
    const end = offset + s.length;
    if (this.bytes === null && Math.max(end, this.len) < BYTES_FROM) {
      const t = this.text;
      this.text = offset > t.length ? t + '\0'.repeat(offset - t.length) + s : t.slice(0, offset) + s + t.slice(end);
      this.len = this.text.length;
      return;
    }
    const bytes = this.room(Math.max(end, this.len));
    if (offset > this.len) bytes.fill(0, this.len, offset);
    write(bytes, s, offset);
    if (end > this.len) this.len = end;
  }

  /** Writes one byte at `i`, within the value (SETBIT's): in its buffer when it has one, without a string of it. */
  setByte(i: number, b: number): void {
    if (this.bytes !== null) this.bytes[i] = b;
    else this.setRange(i, String.fromCharCode(b));
  }

  /** The byte at `i`; past the end, 0 (as bytes beyond a string read to the bit commands). */
  byteAt(i: number): number {
    if (i >= this.len) return 0;
    return this.bytes === null ? this.text.charCodeAt(i) : this.bytes[i];
  }

  /**
   * Bytes [start, end) to read, not to write: a view of the buffer once the
   * value is long, a copy of those bytes while it is a short string.
   */
  view(start = 0, end = this.len): Uint8Array {
    if (this.bytes !== null) return this.bytes.subarray(start, end);
    return Buffer.from(this.text.slice(start, end), 'latin1');
  }

  /**
   * The buffer holding the bytes, to overwrite in place without changing
   * the length (a dense HyperLogLog's registers): a short value moves into
   * a buffer of its length first. The buffer may be longer than the value;
   * what it holds past the value is not the value's. Not a view of the
   * value's length: making one per PFADD cost about a tenth of the command.
   */
  bytesInPlace(): Buffer {
    return this.room(this.len);
  }

  /** The whole value as a byte string: a copy, O(n), once it is in a buffer. */
  toString(): string {
    return this.bytes === null ? this.text : this.bytes.latin1Slice(0, this.len);
  }

  /** Writes bytes [start, end) as a bulk reply, copying only those. */
  writeBulk(reply: Reply, start = 0, end = this.len): void {
    if (this.bytes !== null) reply.bulkBuffer(this.bytes.subarray(start, end));
    else reply.bulk(start === 0 && end === this.len ? this.text : this.text.slice(start, end));
  }

  /** An independent copy, as long as the value (COPY: Redis's dupStringObject allocates the length). */
  clone(): MutableString {
    const copy = new MutableString(this.text);
    if (this.bytes !== null) {
      copy.bytes = Buffer.alloc(this.len);
      this.bytes.copy(copy.bytes, 0, 0, this.len);
      copy.len = this.len;
    }
    return copy;
  }

  /**
   * The buffer, holding at least `n` bytes (n >= length). A value that
   * grows gets twice what it needs, so that growing by appends costs
   * amortised O(1) per byte; one that only changes gets its length.
   */
  private room(n: number): Buffer {
    const old = this.bytes;
    if (old !== null && old.length >= n) return old;
    const next = Buffer.allocUnsafe(n > this.len ? Math.max(n, Math.min(2 * n, MAX_CAPACITY)) : n);
    if (old !== null) old.copy(next, 0, 0, this.len);
    else next.latin1Write(this.text, 0);
    this.bytes = next;
    this.text = '';
    return next;
  }
}
