import { CLUSTER_SLOTS } from './key-slot.js';

/**
 * A set of hash slots as the bus carries it (a header's myslots, an
 * UPDATE's slots): 2048 bytes, slot j at byte j/8, bit j%8 counted from the
 * least significant, as Redis's bitmapTestBit reads it.
 */

export function newSlotBitmap(): Uint8Array {
  return new Uint8Array(CLUSTER_SLOTS / 8);
}

export function hasSlot(bitmap: Uint8Array, slot: number): boolean {
  return (bitmap[slot >> 3] & (1 << (slot & 7))) !== 0;
}

export function addSlot(bitmap: Uint8Array, slot: number): void {
  bitmap[slot >> 3] |= 1 << (slot & 7);
}

/** The slots as inclusive [start, end] ranges, in order, as CLUSTER NODES lists them. */
export function slotRanges(bitmap: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [];
  let last: [number, number] | null = null;
  // A byte at a time, bit by bit only where a byte is mixed: nodes.conf is written at every SETSLOT.
  for (let i = 0; i < CLUSTER_SLOTS / 8; i++) {
    const byte = bitmap[i];
    if (byte === 0) continue;
    const base = i << 3;
    if (byte === 0xff) {
      if (last !== null && last[1] === base - 1) last[1] = base + 7;
      else ranges.push((last = [base, base + 7]));
      continue;
    }
    for (let bit = 0; bit < 8; bit++) {
      if ((byte & (1 << bit)) === 0) continue;
      const slot = base + bit;
      if (last !== null && last[1] === slot - 1) last[1] = slot;
      else ranges.push((last = [slot, slot]));
    }
  }
  return ranges;
}

export function removeSlot(bitmap: Uint8Array, slot: number): void {
  bitmap[slot >> 3] &= ~(1 << (slot & 7));
}
