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

/**
 * Eight bytes folded into one half of the state (`t`: TABLE_LO for the
 * low, TABLE_HI for the high): `x` and `y` are the state's low and high
 * halves xored with the next eight bytes, little-endian, and each byte is
 * looked up in the table for its distance from the end. Called once per
 * half, so that no pair is returned; inlined, the indices are computed once.
 */
function fold(t: Uint32Array, x: number, y: number): number {
  return t[7 * 256 + (x & 0xff)] ^ t[6 * 256 + ((x >>> 8) & 0xff)] ^ t[5 * 256 + ((x >>> 16) & 0xff)] ^ t[4 * 256 + (x >>> 24)] ^
    t[3 * 256 + (y & 0xff)] ^ t[2 * 256 + ((y >>> 8) & 0xff)] ^ t[256 + ((y >>> 16) & 0xff)] ^ t[y >>> 24];
}

/** From this many bytes on, update reads them four a load through a DataView: below it, making the view costs more than it saves. */
const WORDS_FROM = 64;

/** A CRC-64 fed in pieces (a file written a chunk at a time). */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(bytes: Uint8Array, end = bytes.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    if (end >= WORDS_FROM) {
      // Four bytes a load rather than a load and a shift per byte.
      const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (; i + 8 <= end; i += 8) {
        const x = lo ^ words.getInt32(i, true);
        const y = hi ^ words.getInt32(i + 4, true);
        lo = fold(TABLE_LO, x, y);
        hi = fold(TABLE_HI, x, y);
      }
    } else {
      for (; i + 8 <= end; i += 8) {
        const x = lo ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
        const y = hi ^ (bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24));
        lo = fold(TABLE_LO, x, y);
        hi = fold(TABLE_HI, x, y);
      }
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

  /**
   * update for a byte string (one latin1 char per byte, as the request
   * parser makes arguments): a RESTORE payload is checked without first
   * being copied into a buffer. False, the state then meaningless, when a
   * char of `s[0, end)` is not a byte.
   */
  updateText(s: string, end = s.length): boolean {
    let hi = this.hi;
    let lo = this.lo;
    let wide = 0;
    let i = 0;
    for (; i + 8 <= end; i += 8) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      const c4 = s.charCodeAt(i + 4);
      const c5 = s.charCodeAt(i + 5);
      const c6 = s.charCodeAt(i + 6);
      const c7 = s.charCodeAt(i + 7);
      wide |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
      const x = lo ^ (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
      const y = hi ^ (c4 | (c5 << 8) | (c6 << 16) | (c7 << 24));
      lo = fold(TABLE_LO, x, y);
      hi = fold(TABLE_HI, x, y);
    }
    for (; i < end; i++) {
      const ch = s.charCodeAt(i);
      wide |= ch;
      const t = (lo ^ ch) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[t];
      hi = (hi >>> 8) ^ TABLE_HI[t];
    }
    this.hi = hi;
    this.lo = lo;
    return wide <= 0xff;
  }

  /** Whether the 8 little-endian bytes that the byte string `s` holds at `at` are this checksum (its chars there are bytes: see byteText). */
  matchesText(s: string, at: number): boolean {
    const lo = s.charCodeAt(at) | (s.charCodeAt(at + 1) << 8) | (s.charCodeAt(at + 2) << 16) | (s.charCodeAt(at + 3) << 24);
    const hi = s.charCodeAt(at + 4) | (s.charCodeAt(at + 5) << 8) | (s.charCodeAt(at + 6) << 16) | (s.charCodeAt(at + 7) << 24);
    return lo === (this.lo | 0) && hi === (this.hi | 0);
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
