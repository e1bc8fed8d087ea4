import { MAX_VALUE_ELEMENTS } from '../../codecs/rdb/reader.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';

/**
 * Redis's intset (intset.c) as an RDB string: the member width (2, 4 or 8
 * bytes), the count, then the members ascending, all little-endian.
 */

/** An intset of `members` (ascending) in `width`-byte slots, the width the set has. */
export function writeIntset(members: readonly (number | bigint)[], width: number): Buffer {
  const out = Buffer.alloc(8 + members.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(members.length, 4);
  members.forEach((m, i) => {
    const at = 8 + i * width;
    if (width === 8) out.writeBigInt64LE(BigInt(m), at);
    else out.writeIntLE(Number(m), at, width);
  });
  return out;
}

/** The members in decimal, checked as intsetValidateIntegrity does: a known width, the size, strictly ascending. */
export function readIntset(blob: Buffer, base: number): string[] {
  const fail = (reason: string, at: number): never => {
    throw new RdbError(`invalid intset: ${reason}`, base + at);
  };
  if (blob.length < 8) fail('shorter than its header', 0);
  const width = blob.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) fail(`bad width ${width}`, 0);
  const n = blob.readUInt32LE(4);
  if (8 + n * width !== blob.length) fail('size does not match the count', 4);
  if (n > MAX_VALUE_ELEMENTS) fail('more members than one value may hold', 4);
  const out: string[] = [];
  let prev: bigint | null = null;
  for (let i = 0; i < n; i++) {
    const at = 8 + i * width;
    const v = width === 8 ? blob.readBigInt64LE(at) : BigInt(blob.readIntLE(at, width));
    if (prev !== null && v <= prev) fail('members not ascending', at);
    prev = v;
    out.push(v.toString());
  }
  return out;
}
