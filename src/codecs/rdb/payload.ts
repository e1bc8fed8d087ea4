import { Crc64 } from '../crc64.js';

/**
 * The footer of DUMP and FUNCTION DUMP payloads (createDumpPayload,
 * verifyDumpPayload): two bytes of RDB version, then the CRC-64 of
 * everything before, both little-endian.
 */

/** RDB_VERSION of Redis 7.2: what Sluice writes, and the highest payload version it takes. */
export const RDB_VERSION = 11;

/** The footer's size: version and CRC-64. */
export const FOOTER = 10;

/** `body` followed by the RDB version and the CRC-64 of both. */
export function sealPayload(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + FOOTER);
  body.copy(out, 0);
  out.writeUInt16LE(RDB_VERSION, body.length);
  new Crc64().update(out, body.length + 2).writeTo(out, body.length + 2);
  return out;
}

/** Long enough, of this version or an older one, and the checksum right. */
export function validFooter(data: Buffer): boolean {
  if (data.length < FOOTER) return false;
  const at = data.length - FOOTER;
  if (data.readUInt16LE(at) > RDB_VERSION) return false;
  return new Crc64().update(data, at + 2).matches(data, at + 2);
}
