import { sealPayload } from '../../codecs/rdb/payload.js';
import { RdbReader } from '../../codecs/rdb/reader.js';
import { RdbWriter } from '../../codecs/rdb/writer.js';
import type { Value } from '../../keyspace/value.js';
import { readValue, type LoadLimits } from './decode-value.js';
import { writeValue } from './encode-value.js';
import { TYPE_STRING } from './format.js';

export interface DumpOptions {
  /** rdbcompression */
  compress: boolean;
  /** list-max-listpack-size */
  listFill: number;
}

/** DUMP's payload (createDumpPayload): the value's RDB type and body, sealed with the RDB version and CRC-64. */
export function dumpPayload(v: Value, opts: DumpOptions): Buffer {
  const w = new RdbWriter(opts.compress);
  writeValue(w, v, opts.listFill);
  return sealPayload(w.result());
}

/**
 * The value in a RESTORE payload whose footer was checked (validFooter).
 * Throws an RdbError for anything malformed. As in Redis, which reads the
 * value from the whole buffer, bytes after the value are not looked at and
 * a value may run into the footer.
 */
export function payloadValue(data: Buffer, limits: LoadLimits): Value {
  const r = new RdbReader(data);
  const type = r.byte();
  return readValue(r, type, limits);
}

/**
 * The value of a payload, given as a byte string whose footer was checked
 * (validFooterText), when it is a plain string written raw or as an
 * integer (what MIGRATE carries most): read from the text in place, the
 * same string payloadValue reads. Undefined for any other payload, which
 * payloadValue reads (and refuses when malformed).
 */
export function payloadString(s: string): string | undefined {
  if (s.charCodeAt(0) !== TYPE_STRING) return undefined;
  const first = s.charCodeAt(1);
  const n = s.length;
  switch (first >> 6) {
    case 0:
      return 2 + first <= n ? s.slice(2, 2 + first) : undefined;
    case 1: {
      const len = ((first & 0x3f) << 8) | s.charCodeAt(2);
      return 3 + len <= n ? s.slice(3, 3 + len) : undefined;
    }
    case 3:
      // RDB_ENC_INT8, INT16, INT32: signed, little-endian.
      if (first === 0xc0 && n >= 3) return String((s.charCodeAt(2) << 24) >> 24);
      if (first === 0xc1 && n >= 4) return String(((s.charCodeAt(2) | (s.charCodeAt(3) << 8)) << 16) >> 16);
      if (first === 0xc2 && n >= 6) return String(s.charCodeAt(2) | (s.charCodeAt(3) << 8) | (s.charCodeAt(4) << 16) | (s.charCodeAt(5) << 24));
      return undefined;
    default:
      return undefined;
  }
}
