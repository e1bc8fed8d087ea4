import { sealPayload } from '../../codecs/rdb/payload.js';
import { RdbReader } from '../../codecs/rdb/reader.js';
import { RdbWriter } from '../../codecs/rdb/writer.js';
import type { Value } from '../../keyspace/value.js';
import { readValue, type LoadLimits } from './decode-value.js';
import { writeValue } from './encode-value.js';

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
