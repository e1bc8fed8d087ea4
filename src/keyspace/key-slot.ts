/**
 * Redis Cluster's key → hash slot rule (cluster.c keyHashSlot): CRC16 of
 * the key, or of its hash tag, modulo 16384. Keys are byte strings (one
 * latin1 char per byte), so charCodeAt gives the byte Redis hashes.
 */

export const CLUSTER_SLOTS = 16384;

/**
 * CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection), as
 * crc16.c, sliced by four: table k (entries k*256 …) is the CRC of a byte
 * followed by k zero bytes, so four bytes fold into the state with four
 * independent lookups instead of four dependent steps. Every command with
 * a key hashes it on a cluster node.
 */
const TABLE = new Uint16Array(4 * 256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  TABLE[i] = crc & 0xffff;
}
for (let k = 1; k < 4; k++) {
  for (let i = 0; i < 256; i++) {
    const prev = TABLE[(k - 1) * 256 + i];
    TABLE[k * 256 + i] = ((prev << 8) & 0xff00) ^ TABLE[prev >>> 8];
  }
}

/** The CRC16 of `s[start, end)`, each char taken as one byte. */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    crc =
      TABLE[3 * 256 + (((crc >>> 8) ^ s.charCodeAt(i)) & 0xff)] ^
      TABLE[2 * 256 + ((crc ^ s.charCodeAt(i + 1)) & 0xff)] ^
      TABLE[256 + (s.charCodeAt(i + 2) & 0xff)] ^
      TABLE[s.charCodeAt(i + 3) & 0xff];
  }
  for (; i < end; i++) crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >>> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/**
 * The slot of a key. A hash tag is what lies between the first `{` and the
 * first `}` after it; only a non-empty tag replaces the key, so that
 * `{}` and an unclosed `{` hash the whole key as Redis does.
 */
export function keyHashSlot(key: string): number {
  return key === lastKey ? lastSlot : freshKeyHashSlot(key);
}

/**
 * keyHashSlot of a key that is unlikely to be the last one hashed (a
 * command's key as routing first meets it): the memo is not asked, since
 * for another key of the same length comparing the two strings reads their
 * chars, but it is left holding this key for the slot index to find.
 */
export function freshKeyHashSlot(key: string): number {
  let slot = -1;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) slot = crc16(key, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  if (slot === -1) slot = crc16(key) & (CLUSTER_SLOTS - 1);
  if (key.length <= MEMO_MAX) {
    lastKey = key;
    lastSlot = slot;
  }
  return slot;
}

/**
 * The last short key hashed and its slot: a write on a cluster node hashes
 * its key twice, once routing it and once filing it in the slot index,
 * usually as the very same string. A long key is not kept alive for it.
 */
const MEMO_MAX = 256;
let lastKey = '';
let lastSlot = crc16('') & (CLUSTER_SLOTS - 1);
