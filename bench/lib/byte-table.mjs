// Keys and values kept off V8's heap, for the floor server's keep-bytes
// mode: every entry's bytes in one buffer, found through an open-addressing
// table of their offsets. A million keys stored this way are no objects at
// all to the collector, which is what a keyspace outside V8's heap would
// take from a load that keeps what it is sent.

/** Bytes of a length in front of a key and of a value. */
const LENGTH_BYTES = 4;

export class ByteTable {
  /** A table of 2^slotBits slots (filled to three quarters at most) over `bytes` bytes of entries. */
  constructor(slotBits, bytes) {
    this.mask = (1 << slotBits) - 1;
    this.limit = (3 << slotBits) >> 2;
    this.slots = new Int32Array(1 << slotBits).fill(-1);
    this.data = Buffer.allocUnsafeSlow(bytes);
    this.used = 0;
    this.size = 0;
  }

  /**
   * Stores the value src[vs, vs + vl) under the key src[ks, ks + kl): in
   * place when the key holds a value of that length, else as a new entry
   * (the old one's bytes stay unused). False when the table or its buffer
   * is full.
   */
  set(src, ks, kl, vs, vl) {
    const data = this.data;
    let slot = hash(src, ks, kl) & this.mask;
    for (let at = this.slots[slot]; at !== -1; at = this.slots[slot]) {
      if (readLength(data, at) === kl && sameBytes(data, at + LENGTH_BYTES, src, ks, kl)) {
        const v = at + LENGTH_BYTES + kl;
        if (readLength(data, v) === vl) {
          src.copy(data, v + LENGTH_BYTES, vs, vs + vl);
          return true;
        }
        break;
      }
      slot = (slot + 1) & this.mask;
    }
    const fresh = this.slots[slot] === -1;
    const end = this.used + 2 * LENGTH_BYTES + kl + vl;
    if (end > data.length || (fresh && this.size >= this.limit)) return false;
    const at = this.used;
    writeLength(data, at, kl);
    src.copy(data, at + LENGTH_BYTES, ks, ks + kl);
    writeLength(data, at + LENGTH_BYTES + kl, vl);
    src.copy(data, at + 2 * LENGTH_BYTES + kl, vs, vs + vl);
    this.used = end;
    this.slots[slot] = at;
    if (fresh) this.size++;
    return true;
  }
}

/** FNV-1a over src[start, start + len). */
function hash(src, start, len) {
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) h = Math.imul(h ^ src[i], 0x01000193);
  return h >>> 0;
}

function sameBytes(a, aStart, b, bStart, len) {
  for (let i = 0; i < len; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

function readLength(data, at) {
  return data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
}

function writeLength(data, at, n) {
  data[at] = n & 255;
  data[at + 1] = (n >> 8) & 255;
  data[at + 2] = (n >> 16) & 255;
  data[at + 3] = (n >>> 24) & 255;
}
