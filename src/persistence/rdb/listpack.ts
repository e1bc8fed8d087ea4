import { smallInt, toInt64 } from '../../codecs/integer-text.js';
import { GrowingBuffer } from '../../codecs/rdb/growing-buffer.js';
import { MAX_VALUE_ELEMENTS } from '../../codecs/rdb/reader.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';
import { byteString } from '../../protocol/byte-string.js';
import { backlenSize } from '../../queues/list/listpack-size.js';

/**
 * Redis's listpack (listpack.c), the byte form of every small collection
 * and stream node in an RDB: a 6-byte header (total bytes, entry count,
 * 65535 when unknown), entries, and an 0xFF end byte. An entry is an
 * encoding byte, its data, and its own length written backwards so the
 * list can be walked from the tail. Strings that string2ll reads as
 * integers are stored as integers, in the narrowest of seven forms.
 */

const HEADER = 6;
const EOF = 0xff;
const UNKNOWN_COUNT = 65535;

/**
 * A builder for a listpack made and written out within one call, reused
 * (reset) rather than a new one per small collection a save writes; one
 * written a piece at a time has its own, since others are made between
 * its pieces.
 */
export function oneShotListpack(): ListpackBuilder {
  return shared.reset();
}

/** Builds a listpack entry by entry, into one growing buffer. */
export class ListpackBuilder extends GrowingBuffer {
  private count = 0;

  constructor() {
    super(64, HEADER);
  }

  /** lpAppend: an integer-looking string goes in as an integer. */
  add(s: string): this {
    const c = s.length === 0 ? 0 : s.charCodeAt(0);
    if (s.length <= 20 && (c === 45 || (c >= 48 && c <= 57))) {
      const small = smallInt(s);
      if (small === small) return this.addInt(small);
      const big = toInt64(s);
      if (big !== null) return this.addInt(big);
    }
    const len = s.length;
    const head = len < 64 ? 1 : len < 4096 ? 2 : 5;
    this.ensure(head + len + 5);
    const b = this.buf;
    const at = this.size;
    if (head === 1) b[at] = 0x80 | len;
    else if (head === 2) {
      b[at] = 0xe0 | (len >> 8);
      b[at + 1] = len & 0xff;
    } else {
      b[at] = 0xf0;
      b.writeUInt32LE(len, at + 1);
    }
    // A short string a char at a time: cheaper than the native write's call.
    if (len > 48) b.write(s, at + head, len, 'latin1');
    else for (let i = 0, o = at + head; i < len; i++) b[o + i] = s.charCodeAt(i);
    return this.close(at, head + len);
  }

  addInt(v: number | bigint): this {
    if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) v = Number(v);
    this.ensure(14);
    const b = this.buf;
    const at = this.size;
    if (typeof v === 'number' && v >= 0 && v <= 127) {
      b[at] = v;
      return this.close(at, 1);
    }
    if (typeof v === 'number' && v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[at] = 0xc0 | (u >> 8);
      b[at + 1] = u & 0xff;
      return this.close(at, 2);
    }
    if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
      const width = v >= -32768 && v <= 32767 ? 2 : v >= -8388608 && v <= 8388607 ? 3 : 4;
      b[at] = 0xf0 + width - 1;
      b.writeIntLE(v, at + 1, width);
      return this.close(at, 1 + width);
    }
    b[at] = 0xf4;
    b.writeBigInt64LE(BigInt(v), at + 1);
    return this.close(at, 9);
  }

  /** Ends the entry of `len` bytes at `at` with its back-length (lpEncodeBacklen). */
  private close(at: number, len: number): this {
    const b = this.buf;
    let p = at + len;
    const n = backlenSize(len);
    for (let i = n - 1; i >= 0; i--) {
      const bits = Math.floor(len / 2 ** (7 * i)) & 127;
      b[p++] = i === 0 ? bits | (n > 1 ? 128 : 0) : i === n - 1 ? bits : bits | 128;
    }
    this.size = p;
    this.count++;
    return this;
  }

  /** Empties the builder for the next listpack. */
  reset(): this {
    this.size = HEADER;
    this.count = 0;
    return this;
  }

  get entries(): number {
    return this.count;
  }

  /** The listpack: header, entries, end byte; a view of the builder's buffer, to be copied before anything else is added. */
  finish(): Buffer {
    this.ensure(1);
    this.buf[this.size] = EOF;
    const b = this.buf;
    const total = this.size + 1;
    // The header a byte at a time: Buffer's checked writers cost more than the small listpacks a save makes.
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = total >>> 24;
    const count = Math.min(this.count, UNKNOWN_COUNT);
    b[4] = count & 0xff;
    b[5] = count >>> 8;
    return b.subarray(0, total);
  }
}

/** The length the `n`-byte back-length at `start` encodes, or -1 when its bytes are not one (the first unflagged, the rest flagged). */
export function readBacklen(lp: Buffer, start: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const b = lp[start + i];
    if ((i === 0) === ((b & 128) !== 0)) return -1;
    v = v * 128 + (b & 127);
  }
  return v;
}

/** An entry read back: a byte string, or an integer. */
export type ListpackEntry = string | number | bigint;

/**
 * Every entry of a listpack, checked whole (lpValidateIntegrity with deep
 * validation): header size and count, each entry inside the buffer with a
 * matching back-length, the end byte last. `base` is the listpack's offset
 * in the payload, for errors.
 */
export function readListpack(lp: Buffer, base: number): ListpackEntry[] {
  const fail = (reason: string, at: number): never => {
    throw new RdbError(`invalid listpack: ${reason}`, base + at);
  };
  if (lp.length < HEADER + 1) fail('shorter than its header', 0);
  if (lp.readUInt32LE(0) !== lp.length) fail('size in header does not match', 0);
  const declared = lp.readUInt16LE(4);
  const out: ListpackEntry[] = [];
  let p = HEADER;
  const last = lp.length - 1;
  while (p < last) {
    const start = p;
    const b = lp[p];
    let value: ListpackEntry;
    let dataLen: number;
    let head: number;
    if (b < 0x80) {
      value = b;
      head = 1;
      dataLen = 0;
    } else if ((b & 0xc0) === 0x80) {
      head = 1;
      dataLen = b & 0x3f;
      value = '';
    } else if ((b & 0xe0) === 0xc0) {
      if (p + 2 > last) fail('entry past the end', start);
      const u = ((b & 0x1f) << 8) | lp[p + 1];
      value = u >= 4096 ? u - 8192 : u;
      head = 2;
      dataLen = 0;
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > last) fail('entry past the end', start);
      head = 2;
      dataLen = ((b & 0x0f) << 8) | lp[p + 1];
      value = '';
    } else if (b === 0xf0) {
      if (p + 5 > last) fail('entry past the end', start);
      head = 5;
      dataLen = lp.readUInt32LE(p + 1);
      value = '';
    } else if (b >= 0xf1 && b <= 0xf4) {
      const size = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
      if (p + 1 + size > last) fail('entry past the end', start);
      value = size === 8 ? normal(lp.readBigInt64LE(p + 1)) : lp.readIntLE(p + 1, size);
      head = 1 + size;
      dataLen = 0;
    } else {
      return fail(`bad entry encoding ${b}`, start);
    }
    const entryLen = head + dataLen;
    if (entryLen > last - p) fail('entry past the end', start);
    if (dataLen !== 0 || typeof value === 'string') value = byteString(lp, p + head, dataLen);
    p += entryLen;
    const n = backlenSize(entryLen);
    if (n > last - p || readBacklen(lp, p, n) !== entryLen) fail('bad back-length', p);
    p += n;
    if (out.length === MAX_VALUE_ELEMENTS) fail('more entries than one value may hold', start);
    out.push(value);
  }
  if (p !== last || lp[last] !== EOF) fail('no end byte', p);
  if (declared !== UNKNOWN_COUNT && declared !== out.length) fail('entry count in header does not match', 4);
  return out;
}

/** A 64-bit integer as a number when exact, else a bigint. */
function normal(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

/** An entry as the string Redis would give back (integers in decimal). */
export function entryText(e: ListpackEntry): string {
  return typeof e === 'string' ? e : String(e);
}

const shared = new ListpackBuilder();
