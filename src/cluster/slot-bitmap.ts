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
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    if (!hasSlot(bitmap, slot)) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === slot - 1) last[1] = slot;
    else ranges.push([slot, slot]);
  }
  return ranges;
}

export function removeSlot(bitmap: Uint8Array, slot: number): void {
  bitmap[slot >> 3] &= ~(1 << (slot & 7));
}
