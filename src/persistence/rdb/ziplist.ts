import { MAX_VALUE_ELEMENTS } from '../../codecs/rdb/reader.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';

/**
 * Reading Redis's ziplist (ziplist.c), the small-collection form of RDB
 * versions before 10 (Redis 2.6 to 6.2): a 10-byte header (total bytes,
 * tail offset, count), entries, and an 0xFF end byte. An entry is the
 * previous entry's length (1 byte, or 0xFE and 4 bytes), an encoding
 * (string lengths in 6, 14 or 32 bits; integers of 8 to 64 bits or 0 to
 * 12 in the encoding byte itself) and its data. Sluice never writes one.
 */

const HEADER = 10;
const END = 0xff;

/** Every entry of a ziplist as byte strings (integers in decimal), checked whole; `base` is its offset in the payload. */
export function readZiplist(zl: Buffer, base: number): string[] {
  const fail = (reason: string, at: number): never => {
    throw new RdbError(`invalid ziplist: ${reason}`, base + at);
  };
  if (zl.length < HEADER + 1) fail('shorter than its header', 0);
  if (zl.readUInt32LE(0) !== zl.length) fail('size in header does not match', 0);
  const declared = zl.readUInt16LE(8);
  const last = zl.length - 1;
  const out: string[] = [];
  let p = HEADER;
  let prevLen = 0;
  let tail = HEADER;
  while (p < last) {
    const start = p;
    let prev = zl[p++];
    if (prev === 0xfe) {
      if (p + 4 > last) fail('entry past the end', start);
      prev = zl.readUInt32LE(p);
      p += 4;
    }
    if (prev !== prevLen) fail('previous entry length does not match', start);
    if (p >= last) fail('entry past the end', start);
    const enc = zl[p++];
    let value: string;
    const kind = enc >> 6;
    if (kind < 3) {
      let len: number;
      if (kind === 0) len = enc & 0x3f;
      else if (kind === 1) {
        if (p >= last) fail('entry past the end', start);
        len = ((enc & 0x3f) << 8) | zl[p++];
      } else {
        if (p + 4 > last) fail('entry past the end', start);
        len = zl.readUInt32BE(p);
        p += 4;
      }
      if (len > last - p) fail('entry past the end', start);
      value = zl.toString('latin1', p, p + len);
      p += len;
    } else {
      const size = enc === 0xc0 ? 2 : enc === 0xd0 ? 4 : enc === 0xe0 ? 8 : enc === 0xf0 ? 3 : enc === 0xfe ? 1 : 0;
      if (size === 0 && (enc < 0xf1 || enc > 0xfd)) fail(`bad entry encoding ${enc}`, start);
      if (size > last - p) fail('entry past the end', start);
      if (size === 0) value = String((enc & 0x0f) - 1);
      else if (size === 8) value = zl.readBigInt64LE(p).toString();
      else value = String(zl.readIntLE(p, size));
      p += size;
    }
    if (out.length === MAX_VALUE_ELEMENTS) fail('more entries than one value may hold', start);
    out.push(value);
    prevLen = p - start;
    tail = start;
  }
  if (p !== last || zl[last] !== END) fail('no end byte', p);
  if (out.length !== 0 && zl.readUInt32LE(4) !== tail) fail('tail offset does not match', 4);
  if (declared !== 0xffff && declared !== out.length) fail('entry count in header does not match', 8);
  return out;
}
