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

/** Long enough, of this version or an older one, and the checksum right (not read with `skipCrc`: DEBUG SET-SKIP-CHECKSUM-VALIDATION). */
export function validFooter(data: Buffer, skipCrc = false): boolean {
  if (data.length < FOOTER) return false;
  const at = data.length - FOOTER;
  if (data.readUInt16LE(at) > RDB_VERSION) return false;
  return skipCrc || new Crc64().update(data, at + 2).matches(data, at + 2);
}

/**
 * validFooter for a payload as a byte string (a command's argument, one
 * latin1 char per byte), read in place: 1 valid, 0 not, -1 when a char is
 * not a byte (the caller copies it into a buffer, as Buffer.from does, and
 * asks validFooter).
 */
export function validFooterText(s: string, skipCrc = false): number {
  const n = s.length;
  if (n < FOOTER) return 0;
  const at = n - FOOTER;
  if (skipCrc) {
    if (!byteText(s, 0, n)) return -1;
    return (s.charCodeAt(at) | (s.charCodeAt(at + 1) << 8)) > RDB_VERSION ? 0 : 1;
  }
  const crc = new Crc64();
  if (!crc.updateText(s, at + 2) || !byteText(s, at + 2, n)) return -1;
  if ((s.charCodeAt(at) | (s.charCodeAt(at + 1) << 8)) > RDB_VERSION) return 0;
  return crc.matchesText(s, at + 2) ? 1 : 0;
}

/** Whether every char of `s[from, to)` is a byte. */
function byteText(s: string, from: number, to: number): boolean {
  let wide = 0;
  for (let j = from; j < to; j++) wide |= s.charCodeAt(j);
  return wide <= 0xff;
}
