/**
 * Redis's CRC-64 (crc64.c): the Jones polynomial, reflected, initial value
 * 0, no final xor; check value 0xe9c6d914c4b8d9ca for "123456789". DUMP
 * payloads and RDB files end with it. The 64-bit state is kept as two 32-bit halves so
 * that no BigInt arithmetic runs per byte.
 */

const POLY_HI = 0x95ac9329; // 0xad93d23594c935a9 reflected
const POLY_LO = 0xac4bc9b5;

/**
 * Slicing-by-8: table k (entries k*256 …) is the CRC of a byte followed by
 * k zero bytes, so eight bytes fold into the state with eight lookups
 * instead of eight dependent steps. Table 0 is the classic one.
 */
const TABLE_HI = new Uint32Array(8 * 256);
const TABLE_LO = new Uint32Array(8 * 256);
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
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const hi = TABLE_HI[(k - 1) * 256 + i];
    const lo = TABLE_LO[(k - 1) * 256 + i];
    const t = lo & 0xff;
    TABLE_LO[k * 256 + i] = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[t]) >>> 0;
    TABLE_HI[k * 256 + i] = ((hi >>> 8) ^ TABLE_HI[t]) >>> 0;
  }
}

/** A CRC-64 fed in pieces (a file written a chunk at a time). */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(bytes: Uint8Array, end = bytes.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    // Four bytes a load rather than a load and a shift per byte.
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; i + 8 <= end; i += 8) {
      lo ^= words.getInt32(i, true);
      hi ^= words.getInt32(i + 4, true);
      const a = 7 * 256 + (lo & 0xff);
      const b = 6 * 256 + ((lo >>> 8) & 0xff);
      const c = 5 * 256 + ((lo >>> 16) & 0xff);
      const d = 4 * 256 + (lo >>> 24);
      const e = 3 * 256 + (hi & 0xff);
      const f = 2 * 256 + ((hi >>> 8) & 0xff);
      const g = 256 + ((hi >>> 16) & 0xff);
      const h = hi >>> 24;
      lo = TABLE_LO[a] ^ TABLE_LO[b] ^ TABLE_LO[c] ^ TABLE_LO[d] ^ TABLE_LO[e] ^ TABLE_LO[f] ^ TABLE_LO[g] ^ TABLE_LO[h];
      hi = TABLE_HI[a] ^ TABLE_HI[b] ^ TABLE_HI[c] ^ TABLE_HI[d] ^ TABLE_HI[e] ^ TABLE_HI[f] ^ TABLE_HI[g] ^ TABLE_HI[h];
    }
    for (; i < end; i++) {
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
    const out = Buffer.allocUnsafe(8);
    this.writeTo(out, 0);
    return out;
  }

  /** Writes the checksum's 8 little-endian bytes at `at`. */
  writeTo(out: Buffer, at: number): void {
    out.writeUInt32LE(this.lo >>> 0, at);
    out.writeUInt32LE(this.hi >>> 0, at + 4);
  }

  /** Whether the 8 little-endian bytes at `at` are this checksum. */
  matches(data: Buffer, at: number): boolean {
    return data.readUInt32LE(at) === this.lo >>> 0 && data.readUInt32LE(at + 4) === this.hi >>> 0;
  }
}

/** The CRC-64 of `bytes[0, end)` as 8 little-endian bytes. */
export function crc64(bytes: Uint8Array, end = bytes.length): Buffer {
  return new Crc64().update(bytes, end).digest();
}
