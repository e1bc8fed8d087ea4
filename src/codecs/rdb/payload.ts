import { crc64 } from '../crc64.js';

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
  const versioned = Buffer.concat([body, Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8])]);
  return Buffer.concat([versioned, crc64(versioned)]);
}

/** Long enough, of this version or an older one, and the checksum right. */
export function validFooter(data: Buffer): boolean {
  if (data.length < FOOTER) return false;
  const at = data.length - FOOTER;
  if (data.readUInt16LE(at) > RDB_VERSION) return false;
  return crc64(data, data.length - 8).equals(data.subarray(at + 2));
}
