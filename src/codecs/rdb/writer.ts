import { lzfCompress, lzfMayFit } from '../lzf.js';
import { byteString } from '../../protocol/byte-string.js';
import { smallInt } from '../integer-text.js';
import { GrowingBuffer } from './growing-buffer.js';

/** Up to this length a string is copied a char at a time: cheaper than the native write's call. */
const SHORT = 48;

/** Strings up to this size go through one reused buffer; a longer one gets its own, which is not kept. */
const SCRATCH = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH);

/** A string's bytes, in a buffer reused from call to call when the string is short: valid until the next call. */
function latin1Bytes(s: string): Buffer {
  const len = s.length;
  if (len > SCRATCH) return Buffer.from(s, 'latin1');
  if (len > SHORT) return scratch.subarray(0, scratch.write(s, 0, len, 'latin1'));
  for (let i = 0; i < len; i++) scratch[i] = s.charCodeAt(i);
  return scratch.subarray(0, len);
}

/**
 * Writes RDB's primitives into a growing buffer as Redis's rdbSave*
 * functions do: lengths in 6, 14, 32 or 64 bits, strings as small integers,
 * LZF (when `compress`, Redis's rdbcompression) or raw bytes, binary
 * doubles, millisecond times.
 */
export class RdbWriter extends GrowingBuffer {
  constructor(readonly compress: boolean) {
    super(256);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.size++] = b;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.size);
    this.size += bytes.length;
  }

  /** rdbSaveLen; a bigint for 64-bit values past 2^53 (stream IDs). */
  length(n: number | bigint): void {
    if (typeof n === 'number' && n < 64) {
      this.byte(n);
    } else if (typeof n === 'number' && n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.size] = 0x80;
      this.buf.writeUInt32BE(Number(n), this.size + 1);
      this.size += 5;
    } else {
      this.ensure(9);
      this.buf[this.size] = 0x81;
      this.buf.writeBigUInt64BE(BigInt(n), this.size + 1);
      this.size += 9;
    }
  }

  /** rdbSaveRawString of a byte string, copied straight into the buffer unless it is compressed. */
  string(s: string): void {
    const len = s.length;
    if (len <= 11 && this.integer(s)) return;
    if (this.compress && len > 20) {
      this.blob(latin1Bytes(s), false);
      return;
    }
    this.length(len);
    this.ensure(len);
    if (len > SHORT) {
      this.size += this.buf.write(s, this.size, len, 'latin1');
      return;
    }
    const buf = this.buf;
    let at = this.size;
    for (let i = 0; i < len; i++) buf[at++] = s.charCodeAt(i);
    this.size = at;
  }

  /**
   * string() of the byte string `src[o, o + n)`, copied from where it is
   * kept (a key's record) without making a string of it.
   */
  stringOf(src: Buffer, o: number, n: number): void {
    // Only a '-' or a digit can begin what string2ll reads.
    if (n <= 11 && (src[o] === 0x2d || (src[o] >= 0x30 && src[o] <= 0x39)) && this.integer(byteString(src, o, n))) return;
    if (this.compress && n > 20 && lzfMayFit(src, o, n, n - 4)) {
      this.blob(src.subarray(o, o + n), false);
      return;
    }
    this.length(n);
    this.ensure(n);
    if (n > SHORT) {
      src.copy(this.buf, this.size, o, o + n);
      this.size += n;
      return;
    }
    const buf = this.buf;
    let at = this.size;
    for (let i = 0; i < n; i++) buf[at++] = src[o + i];
    this.size = at;
  }

  /**
   * rdbSaveRawString of bytes (a listpack, an intset): LZF when asked for
   * and it saves at least four bytes, else the length and the bytes.
   * `tryInteger` for bytes that may spell a small integer.
   */
  blob(bytes: Buffer, tryInteger = true): void {
    if (tryInteger && bytes.length <= 11 && this.integer(bytes.toString('latin1'))) return;
    const len = bytes.length;
    if (this.compress && len > 20) {
      const packed = lzfCompress(bytes, len - 4);
      if (packed !== null) {
        this.byte(0xc3);
        this.length(packed.length);
        this.length(len);
        this.raw(packed);
        return;
      }
    }
    this.length(len);
    this.raw(bytes);
  }

  /** rdbTryIntegerEncoding: a string that string2ll reads as a 32-bit integer, in 1, 2 or 4 bytes. */
  private integer(s: string): boolean {
    const v = smallInt(s);
    if (v !== v || v < -2147483648 || v > 2147483647) return false;
    if (v >= -128 && v <= 127) {
      this.byte(0xc0);
      this.byte(v & 0xff);
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.size] = 0xc1;
      this.buf.writeInt16LE(v, this.size + 1);
      this.size += 3;
    } else {
      this.ensure(5);
      this.buf[this.size] = 0xc2;
      this.buf.writeInt32LE(v, this.size + 1);
      this.size += 5;
    }
    return true;
  }

  binaryDouble(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.size);
    this.size += 8;
  }

  msTime(ms: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(ms), this.size);
    this.size += 8;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  result(): Buffer {
    return this.buf.subarray(0, this.size);
  }

  /** Empties the buffer, once its bytes went elsewhere. */
  reset(): void {
    this.size = 0;
  }
}
