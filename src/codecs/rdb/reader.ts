import { constants } from 'node:buffer';
import { Crc64 } from '../crc64.js';
import { lzfDecompress } from '../lzf.js';
import { RdbError } from './rdb-error.js';
import { byteString } from '../../protocol/byte-string.js';

/** An LZF back reference of three bytes expands to at most 264: a longer claimed length is corrupt. */
const LZF_MAX_RATIO = 264;
const TWO32 = 2 ** 32;
const EMPTY = Buffer.alloc(0);

/**
 * The most elements one value may decode into. A payload of up to 512 MB
 * can describe hundreds of millions of empty elements, and a JS array
 * grown past about 2^27 aborts the process (V8 "invalid size", not an
 * exception); a hash decodes into twice its fields, so 2^26. Redis has no
 * such limit: a larger value is refused as corrupt (see docs/commands.md).
 */
export const MAX_VALUE_ELEMENTS = 2 ** 26;

/**
 * Reads RDB's primitives (rdbLoadLen, rdbGenericLoadStringObject, the
 * double forms, millisecond times) from a buffer, checking every length
 * against the bytes left before anything is allocated for it, so that a
 * corrupt count fails at once instead of reserving memory. Failures throw
 * an RdbError with the offset.
 */
export class RdbReader {
  /** The offset of the next byte in the input. */
  pos: number;
  /** The input's bytes in hand: byte i of the input is data[i - base], for base <= i < held. */
  protected data: Buffer;
  protected base = 0;
  protected held: number;

  constructor(
    data: Buffer,
    pos = 0,
    /** Where the readable part ends (a DUMP payload's footer is not part of the value). */
    readonly end = data.length,
  ) {
    this.data = data;
    this.pos = pos;
    this.held = end;
  }

  /** Elements decoded so far for the current value (see MAX_VALUE_ELEMENTS). */
  private valueElements = 0;

  /** Starts counting elements for a new value. */
  startValue(): void {
    this.valueElements = 0;
  }

  /** Counts `n` more elements of the current value, failing past MAX_VALUE_ELEMENTS. */
  elements(n: number, at = this.pos): void {
    this.valueElements += n;
    if (this.valueElements > MAX_VALUE_ELEMENTS) this.fail(`more than ${MAX_VALUE_ELEMENTS} elements in one value`, at);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new RdbError(reason, at);
  }

  /** A record of the file starts at `at` (a reader fed as bytes arrive keeps it, to read it again). */
  recordStart(_at: number): void {}

  need(n: number): void {
    if (n > this.held - this.pos) this.fetch(n);
  }

  /**
   * Brings the next `n` bytes into hand, for a reader that holds only part
   * of its input; one that holds all of it has none to bring.
   */
  protected fetch(n: number): void {
    if (n > this.end - this.pos) this.fail('unexpected end of data');
  }

  /** The CRC-64 of the input's bytes before `at`, where the reader has been. */
  checksumBefore(at: number): Buffer {
    return new Crc64().update(this.data, at).digest();
  }

  /** The next byte without taking it, or 0 at the end. */
  private peek(): number {
    if (this.pos >= this.held) {
      if (this.pos >= this.end) return 0;
      this.fetch(1);
    }
    return this.data[this.pos - this.base];
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++ - this.base];
  }

  /** `n` bytes as a view into the data: it stays valid whatever is read after it. */
  bytes(n: number): Buffer {
    this.need(n);
    const at = this.pos - this.base;
    const b = this.data.subarray(at, at + n);
    this.pos += n;
    return b;
  }

  /** A length or an encoding marker (rdbLoadLenByRef); 64-bit lengths past 2^53 come back as Infinity. */
  lengthOrEncoding(): { n: number; encoded: boolean } {
    const at = this.pos;
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 3) return { n: first & 0x3f, encoded: true };
    if (kind === 0) return { n: first & 0x3f, encoded: false };
    if (kind === 1) return { n: ((first & 0x3f) << 8) | this.byte(), encoded: false };
    if (first === 0x80) {
      this.need(4);
      const n = this.data.readUInt32BE(this.pos - this.base);
      this.pos += 4;
      return { n, encoded: false };
    }
    if (first === 0x81) {
      const big = this.u64BE();
      return { n: typeof big === 'bigint' ? Infinity : big, encoded: false };
    }
    return this.fail(`unknown length encoding ${first}`, at);
  }

  /** A plain length. */
  length(): number {
    const at = this.pos;
    const len = this.lengthOrEncoding();
    if (len.encoded) this.fail('unexpected encoded length', at);
    return len.n;
  }

  /** A length that counts items of at least `minBytes` bytes each still to be read: a count the data cannot hold is corrupt. */
  count(minBytes = 1): number {
    const at = this.pos;
    const n = this.length();
    if (n * minBytes > this.remaining) this.fail(`count ${n} exceeds the remaining data`, at);
    return n;
  }

  /** A 64-bit length exactly: a number up to 2^53, a bigint beyond (stream IDs and counters). */
  lengthU64(): number | bigint {
    const at = this.pos;
    const first = this.peek();
    if (first === 0x81) {
      this.pos++;
      return this.u64BE();
    }
    const len = this.lengthOrEncoding();
    if (len.encoded) this.fail('unexpected encoded length', at);
    return len.n;
  }

  private u64BE(): number | bigint {
    this.need(8);
    const hi = this.data.readUInt32BE(this.pos - this.base);
    const lo = this.data.readUInt32BE(this.pos - this.base + 4);
    this.pos += 8;
    if (hi < 0x200000) return hi * TWO32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A string object's bytes (raw, an integer encoding, or LZF), as a view or a new buffer. */
  stringBytes(): Buffer {
    const at = this.pos;
    const len = this.lengthOrEncoding();
    if (!len.encoded) return this.bytes(len.n);
    switch (len.n) {
      case 0:
        return Buffer.from(String(this.bytes(1).readInt8(0)), 'latin1');
      case 1:
        return Buffer.from(String(this.bytes(2).readInt16LE(0)), 'latin1');
      case 2:
        return Buffer.from(String(this.bytes(4).readInt32LE(0)), 'latin1');
      case 3:
        return this.lzf();
      default:
        return this.fail(`unknown string encoding ${len.n}`, at);
    }
  }

  /** Where the bytes of the string rawString last read are: rawData[rawAt, rawAt + its length). They stay valid whatever is read after. */
  rawData: Buffer = EMPTY;
  rawAt = 0;

  /**
   * A string object written as plain bytes (no integer or LZF encoding),
   * left in place (rawData, rawAt) rather than made a string: its length,
   * or -1, nothing read, for an encoded one.
   */
  rawString(): number {
    if (this.peek() >= 0x80) return -1;
    const n = this.length();
    this.need(n);
    this.rawData = this.data;
    this.rawAt = this.pos - this.base;
    this.pos += n;
    return n;
  }

  /** A string object as a byte string (one latin1 char per byte). */
  string(): string {
    if (this.peek() < 0x80) {
      // A raw string of up to 16 KiB, the usual case: read without a view of its bytes.
      const n = this.length();
      this.need(n);
      const s = byteString(this.data, this.pos - this.base, n);
      this.pos += n;
      return s;
    }
    const b = this.stringBytes();
    if (b.length > constants.MAX_STRING_LENGTH) this.fail('string longer than the process can hold');
    return b.toString('latin1');
  }

  private lzf(): Buffer {
    const at = this.pos;
    const clen = this.length();
    const len = this.length();
    this.need(clen);
    if (len > clen * LZF_MAX_RATIO || len > constants.MAX_STRING_LENGTH) this.fail('invalid LZF lengths', at);
    const out = lzfDecompress(this.bytes(clen), len);
    if (out === null) this.fail('invalid LZF compressed string', at);
    return out;
  }

  /** A double in binary64, little-endian (RDB 8 and later). */
  binaryDouble(): number {
    this.need(8);
    const d = this.data.readDoubleLE(this.pos - this.base);
    this.pos += 8;
    return d;
  }

  /** rdbLoadDoubleValue: a length byte (253 NaN, 254 +inf, 255 -inf) and that many characters read with %lg. */
  asciiDouble(): number {
    const at = this.pos;
    const len = this.byte();
    if (len === 255) return -Infinity;
    if (len === 254) return Infinity;
    if (len === 253) return NaN;
    const text = this.bytes(len).toString('latin1');
    const d = parseCDouble(text);
    if (d === null) this.fail('invalid double', at);
    return d;
  }

  /** A signed 64-bit little-endian count of milliseconds (rdbLoadMillisecondTime). */
  msTime(): number {
    this.need(8);
    const d = Number(this.data.readBigInt64LE(this.pos - this.base));
    this.pos += 8;
    return d;
  }

  /** A signed 32-bit little-endian count of seconds (RDB_OPCODE_EXPIRETIME). */
  secondsTime(): number {
    this.need(4);
    const d = this.data.readInt32LE(this.pos - this.base);
    this.pos += 4;
    return d;
  }
}

/** What sscanf's %lg takes of the decimal forms Redis writes (%.17g, inf, nan), after leading blanks; trailing bytes are ignored. */
function parseCDouble(text: string): number | null {
  const m = /^\s*([+-]?)(inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(text);
  if (m === null) return null;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2].toLowerCase();
  if (body.startsWith('inf')) return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * Number(body);
}
