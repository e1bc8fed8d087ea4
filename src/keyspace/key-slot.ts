/**
 * Redis Cluster's key → hash slot rule (cluster.c keyHashSlot): CRC16 of
 * the key, or of its hash tag, modulo 16384. Keys are byte strings (one
 * latin1 char per byte), so charCodeAt gives the byte Redis hashes.
 */

export const CLUSTER_SLOTS = 16384;

/** CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection), as crc16.c. */
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  TABLE[i] = crc & 0xffff;
}

/** The CRC16 of `s[start, end)`, each char taken as one byte. */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >>> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/**
 * The slot of a key. A hash tag is what lies between the first `{` and the
 * first `}` after it; only a non-empty tag replaces the key, so that
 * `{}` and an unclosed `{` hash the whole key as Redis does.
 */
export function keyHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  return crc16(key) & (CLUSTER_SLOTS - 1);
}
