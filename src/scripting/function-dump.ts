import { crc64 } from '../core/crc64.js';
import { lzfDecompress } from '../core/lzf.js';

/** The RDB version Redis 7.2 writes after a DUMP payload (RDB_VERSION); payloads of later versions are refused. */
export const RDB_VERSION = 11;
/** RDB_OPCODE_FUNCTION2: one library's code follows. */
const OPCODE_FUNCTION = 245;
/** RDB_OPCODE_FUNCTION_PRE_GA: the format of Redis 7.0's release candidates. */
const OPCODE_FUNCTION_PRE_GA = 246;
/** The footer: two bytes of RDB version, eight of CRC-64. */
const FOOTER = 10;
/** An LZF back reference of three bytes repeats at most 264. */
const LZF_MAX_RATIO = 264;
/** V8's longest string. */
const MAX_STRING = 2 ** 29 - 24;

/**
 * FUNCTION DUMP's payload (functionDumpCommand): each library's code as an
 * RDB function entry, then the RDB version and the CRC-64 of all before
 * it. Sluice stores the strings uncompressed, which every RDB reader takes.
 */
export function dumpPayload(codes: Iterable<string>): string {
  const parts: Buffer[] = [];
  for (const code of codes) {
    const bytes = Buffer.from(code, 'latin1');
    parts.push(Buffer.from([OPCODE_FUNCTION]), rdbLength(bytes.length), bytes);
  }
  parts.push(Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8]));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, crc64(body)]).toString('latin1');
}

/** rdbSaveLen: 6 bits, 14 bits, or a marker byte and 32 or 64 bits big-endian. */
function rdbLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n]);
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0x80;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x81;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

/**
 * The library codes of a FUNCTION RESTORE payload, or the error Redis
 * replies (without its ERR). The footer is checked first (verifyDumpPayload);
 * entries are read while more than the footer's ten bytes remain, and a
 * string may run into the footer as it can in Redis.
 */
export function parsePayload(payload: string): { codes: string[] } | { error: string } {
  const data = Buffer.from(payload, 'latin1');
  if (!validFooter(data)) return { error: 'DUMP payload version or checksum are wrong' };
  const reader = new RdbReader(data);
  const codes: string[] = [];
  while (data.length - reader.pos > FOOTER) {
    const type = data[reader.pos++];
    if (type === OPCODE_FUNCTION_PRE_GA) return { error: 'Pre-GA function format not supported' };
    if (type !== OPCODE_FUNCTION) return { error: 'given type is not a function' };
    const code = reader.string();
    if (code === null) return { error: 'Failed loading library payload' };
    codes.push(code);
  }
  return { codes };
}

function validFooter(data: Buffer): boolean {
  if (data.length < FOOTER) return false;
  const at = data.length - FOOTER;
  if (data.readUInt16LE(at) > RDB_VERSION) return false;
  return crc64(data, data.length - 8).equals(data.subarray(at + 2));
}

/** Reads RDB strings (rdbGenericLoadStringObject) from a buffer; null for anything malformed or cut short. */
class RdbReader {
  pos = 0;

  constructor(private readonly data: Buffer) {}

  string(): string | null {
    const len = this.length();
    if (len === null) return null;
    if (len.encoded) {
      switch (len.n) {
        case 0:
          return this.integer(1);
        case 1:
          return this.integer(2);
        case 2:
          return this.integer(4);
        case 3:
          return this.lzf();
        default:
          return null;
      }
    }
    return this.bytes(len.n);
  }

  private length(): { n: number; encoded: boolean } | null {
    const d = this.data;
    if (this.pos >= d.length) return null;
    const first = d[this.pos++];
    const kind = first >> 6;
    if (kind === 3) return { n: first & 0x3f, encoded: true };
    if (kind === 0) return { n: first & 0x3f, encoded: false };
    if (kind === 1) {
      if (this.pos >= d.length) return null;
      return { n: ((first & 0x3f) << 8) | d[this.pos++], encoded: false };
    }
    if (first === 0x80) {
      if (this.pos + 4 > d.length) return null;
      const n = d.readUInt32BE(this.pos);
      this.pos += 4;
      return { n, encoded: false };
    }
    if (first === 0x81) {
      if (this.pos + 8 > d.length) return null;
      const n = d.readBigUInt64BE(this.pos);
      this.pos += 8;
      // Longer than any payload that can arrive: the read that follows fails.
      return { n: n > BigInt(d.length) ? d.length + 1 : Number(n), encoded: false };
    }
    return null;
  }

  private bytes(n: number): string | null {
    if (this.pos + n > this.data.length) return null;
    const s = this.data.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** RDB_ENC_INT8/16/32: a little-endian signed integer, loaded as its decimal digits. */
  private integer(size: 1 | 2 | 4): string | null {
    const d = this.data;
    if (this.pos + size > d.length) return null;
    const v = size === 1 ? d.readInt8(this.pos) : size === 2 ? d.readInt16LE(this.pos) : d.readInt32LE(this.pos);
    this.pos += size;
    return String(v);
  }

  private lzf(): string | null {
    const clen = this.length();
    const len = this.length();
    // rdbLoadLen without an encoding flag reads an encoding byte's six bits as a length.
    if (clen === null || len === null || this.pos + clen.n > this.data.length) return null;
    // No LZF stream expands 264-fold, and no JavaScript string holds more: refused before allocating.
    if (len.n > clen.n * LZF_MAX_RATIO || len.n > MAX_STRING) return null;
    const out = lzfDecompress(this.data.subarray(this.pos, this.pos + clen.n), len.n);
    this.pos += clen.n;
    return out === null ? null : out.toString('latin1');
  }
}
