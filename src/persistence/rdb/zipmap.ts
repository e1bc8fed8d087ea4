import { MAX_VALUE_ELEMENTS } from '../../codecs/rdb/reader.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';

/**
 * Reading Redis's zipmap (zipmap.c), the small-hash form of RDB files from
 * Redis 2.x: a count byte, then per pair the key's length and bytes, the
 * value's length, a count of free bytes after the value, the value and the
 * free bytes; an 0xFF byte ends it. A length is one byte below 254, or 254
 * and four bytes.
 */
export function readZipmap(zm: Buffer, base: number): string[] {
  const fail = (reason: string, at: number): never => {
    throw new RdbError(`invalid zipmap: ${reason}`, base + at);
  };
  const out: string[] = [];
  let p = 1;
  const len = (): number => {
    if (p >= zm.length) fail('entry past the end', p);
    const b = zm[p++];
    if (b < 254) return b;
    if (b === 255) fail('unexpected end byte', p - 1);
    if (p + 4 > zm.length) fail('entry past the end', p);
    const n = zm.readUInt32LE(p);
    p += 4;
    return n;
  };
  if (zm.length < 2) fail('too short', 0);
  while (p < zm.length && zm[p] !== 0xff) {
    const klen = len();
    if (klen > zm.length - p) fail('entry past the end', p);
    const key = zm.toString('latin1', p, p + klen);
    p += klen;
    const vlen = len();
    if (p >= zm.length) fail('entry past the end', p);
    const free = zm[p++];
    if (vlen + free > zm.length - p) fail('entry past the end', p);
    if (out.length >= MAX_VALUE_ELEMENTS) fail('more entries than one value may hold', p);
    out.push(key, zm.toString('latin1', p, p + vlen));
    p += vlen + free;
  }
  if (p !== zm.length - 1) fail('no end byte', p);
  return out;
}
