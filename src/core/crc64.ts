/**
 * Redis's CRC-64 (crc64.c): the Jones polynomial, reflected, initial value
 * 0, no final xor; check value 0xe9c6d914c4b8d9ca for "123456789". DUMP
 * payloads and RDB files end with it. The 64-bit state is kept as two 32-bit halves so
 * that no BigInt arithmetic runs per byte.
 */

const POLY_HI = 0x95ac9329; // 0xad93d23594c935a9 reflected
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry !== 0) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** A CRC-64 fed in pieces (a file written a chunk at a time). */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(bytes: Uint8Array, end = bytes.length): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < end; i++) {
      const t = (lo ^ bytes[i]) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[t];
      hi = (hi >>> 8) ^ TABLE_HI[t];
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The checksum as 8 little-endian bytes, the order DUMP payloads and RDB files store it in. */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo >>> 0, 0);
    out.writeUInt32LE(this.hi >>> 0, 4);
    return out;
  }
}

/** The CRC-64 of `bytes[0, end)` as 8 little-endian bytes. */
export function crc64(bytes: Uint8Array, end = bytes.length): Buffer {
  return new Crc64().update(bytes, end).digest();
}
