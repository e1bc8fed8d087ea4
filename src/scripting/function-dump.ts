import { FOOTER, sealPayload, validFooter } from '../codecs/rdb/payload.js';
import { RdbError } from '../codecs/rdb/rdb-error.js';
import { RdbReader } from '../codecs/rdb/reader.js';
import { RdbWriter } from '../codecs/rdb/writer.js';

/** RDB_OPCODE_FUNCTION2: one library's code follows. */
const OPCODE_FUNCTION = 245;
/** RDB_OPCODE_FUNCTION_PRE_GA: the format of Redis 7.0's release candidates. */
const OPCODE_FUNCTION_PRE_GA = 246;

/**
 * FUNCTION DUMP's payload (functionDumpCommand): each library's code as an
 * RDB function entry, then the RDB version and the CRC-64 of all before
 * it. Sluice stores the strings uncompressed, which every RDB reader takes.
 */
export function dumpPayload(codes: Iterable<string>): string {
  const w = new RdbWriter(false);
  for (const code of codes) {
    w.byte(OPCODE_FUNCTION);
    w.length(code.length);
    w.raw(Buffer.from(code, 'latin1'));
  }
  return sealPayload(w.result()).toString('latin1');
}

/**
 * The library codes of a FUNCTION RESTORE payload, or the error Redis
 * replies (without its ERR). The footer is checked first (verifyDumpPayload);
 * entries are read while more than the footer's ten bytes remain, and a
 * string may run into the footer as it can in Redis.
 */
export function parsePayload(payload: string, skipCrc = false): { codes: string[] } | { error: string } {
  const data = Buffer.from(payload, 'latin1');
  if (!validFooter(data, skipCrc)) return { error: 'DUMP payload version or checksum are wrong' };
  const reader = new RdbReader(data);
  const codes: string[] = [];
  while (data.length - reader.pos > FOOTER) {
    const type = data[reader.pos++];
    if (type === OPCODE_FUNCTION_PRE_GA) return { error: 'Pre-GA function format not supported' };
    if (type !== OPCODE_FUNCTION) return { error: 'given type is not a function' };
    try {
      codes.push(reader.string());
    } catch (e) {
      if (e instanceof RdbError) return { error: 'Failed loading library payload' };
      throw e;
    }
  }
  return { codes };
}
