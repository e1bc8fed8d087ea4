import { crc64 } from '../../core/crc64.js';
import type { Value } from '../../store/keyspace/value.js';
import { readValue, type LoadLimits } from './decode-value.js';
import { RDB_VERSION } from './format.js';
import { RdbReader } from './reader.js';
import { writeValue } from './encode-value.js';
import { RdbWriter } from './writer.js';

/** The footer: two bytes of RDB version, eight of CRC-64, both little-endian. */
const FOOTER = 10;

export interface DumpOptions {
  /** rdbcompression */
  compress: boolean;
  /** list-max-listpack-size */
  listFill: number;
}

/** DUMP's payload (createDumpPayload): the value's RDB type and body, the RDB version, the CRC-64 of all before it. */
export function dumpPayload(v: Value, opts: DumpOptions): Buffer {
  const w = new RdbWriter(opts.compress);
  writeValue(w, v, opts.listFill);
  w.byte(RDB_VERSION & 0xff);
  w.byte(RDB_VERSION >> 8);
  const body = w.result();
  return Buffer.concat([body, crc64(body)]);
}

/** verifyDumpPayload: long enough, a version this server writes or an older one, and the checksum right. */
export function validFooter(data: Buffer): boolean {
  if (data.length < FOOTER) return false;
  const at = data.length - FOOTER;
  if (data.readUInt16LE(at) > RDB_VERSION) return false;
  return crc64(data, data.length - 8).equals(data.subarray(at + 2));
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
