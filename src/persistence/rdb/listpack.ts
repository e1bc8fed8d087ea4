import { smallInt, toInt64 } from '../../core/numbers.js';
import { RdbError } from '../../core/rdb/rdb-error.js';

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

/** Builds a listpack entry by entry. */
export class ListpackBuilder {
  private parts: Buffer[] = [];
  private bytes = HEADER + 1;
  private count = 0;

  /** lpAppend: an integer-looking string goes in as an integer. */
  add(s: string): this {
    const c = s.length === 0 ? 0 : s.charCodeAt(0);
    if (s.length <= 20 && (c === 45 || (c >= 48 && c <= 57))) {
      const small = smallInt(s);
      if (small === small) return this.addInt(small);
      const big = toInt64(s);
      if (big !== null) return this.addInt(big);
    }
    return this.push(encodeString(Buffer.from(s, 'latin1')));
  }

  addInt(v: number | bigint): this {
    return this.push(encodeInt(typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v));
  }

  private push(entry: Buffer): this {
    const back = backlen(entry.length);
    this.parts.push(entry, back);
    this.bytes += entry.length + back.length;
    this.count++;
    return this;
  }

  get entries(): number {
    return this.count;
  }

  finish(): Buffer {
    const head = Buffer.alloc(HEADER);
    head.writeUInt32LE(this.bytes, 0);
    head.writeUInt16LE(Math.min(this.count, UNKNOWN_COUNT), 4);
    return Buffer.concat([head, ...this.parts, Buffer.from([EOF])], this.bytes);
  }
}

function encodeString(data: Buffer): Buffer {
  const len = data.length;
  let head: Buffer;
  if (len < 64) head = Buffer.from([0x80 | len]);
  else if (len < 4096) head = Buffer.from([0xe0 | (len >> 8), len & 0xff]);
  else {
    head = Buffer.alloc(5);
    head[0] = 0xf0;
    head.writeUInt32LE(len, 1);
  }
  return Buffer.concat([head, data]);
}

function encodeInt(v: number | bigint): Buffer {
  if (typeof v === 'number') {
    if (v >= 0 && v <= 127) return Buffer.from([v]);
    if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      return Buffer.from([0xc0 | (u >> 8), u & 0xff]);
    }
    if (v >= -32768 && v <= 32767) {
      const b = Buffer.alloc(3);
      b[0] = 0xf1;
      b.writeInt16LE(v, 1);
      return b;
    }
    if (v >= -8388608 && v <= 8388607) {
      const b = Buffer.alloc(4);
      b[0] = 0xf2;
      b.writeIntLE(v, 1, 3);
      return b;
    }
    if (v >= -2147483648 && v <= 2147483647) {
      const b = Buffer.alloc(5);
      b[0] = 0xf3;
      b.writeInt32LE(v, 1);
      return b;
    }
  }
  const b = Buffer.alloc(9);
  b[0] = 0xf4;
  b.writeBigInt64LE(BigInt(v), 1);
  return b;
}

/** lpEncodeBacklen: the entry's length, most significant 7 bits first, every byte but the first flagged. */
function backlen(l: number): Buffer {
  if (l <= 127) return Buffer.from([l]);
  if (l < 16383) return Buffer.from([l >> 7, (l & 127) | 128]);
  if (l < 2097151) return Buffer.from([l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128]);
  if (l < 268435455) return Buffer.from([l >> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128]);
  return Buffer.from([Math.floor(l / 2 ** 28), ((l >> 21) & 127) | 128, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128]);
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
    if (dataLen !== 0 || typeof value === 'string') value = lp.toString('latin1', p + head, p + entryLen);
    p += entryLen;
    const back = backlen(entryLen);
    if (back.length > last - p || !lp.subarray(p, p + back.length).equals(back)) fail('bad back-length', p);
    p += back.length;
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
