import { describe, expect, test } from 'vitest';
import { addSlot, hasSlot, newSlotBitmap, slotRanges } from '../../src/cluster/slot-bitmap.js';

describe('slot bitmaps as the bus carries them', () => {
  test('slot j is bit j%8 of byte j/8, least significant first', () => {
    const bitmap = newSlotBitmap();
    expect(bitmap.length).toBe(2048);
    addSlot(bitmap, 0);
    addSlot(bitmap, 9);
    addSlot(bitmap, 16383);
    expect([bitmap[0], bitmap[1], bitmap[2047]]).toEqual([0b1, 0b10, 0b10000000]);
    expect([hasSlot(bitmap, 0), hasSlot(bitmap, 1), hasSlot(bitmap, 9), hasSlot(bitmap, 16383)]).toEqual([true, false, true, true]);
  });

  test('ranges join neighbouring slots', () => {
    const bitmap = newSlotBitmap();
    for (const slot of [0, 1, 2, 5, 7, 8, 16383]) addSlot(bitmap, slot);
    expect(slotRanges(bitmap)).toEqual([[0, 2], [5, 5], [7, 8], [16383, 16383]]);
    expect(slotRanges(newSlotBitmap())).toEqual([]);
  });

  test('ranges across whole bytes and mixed ones are the slot-by-slot ranges', () => {
    const naive = (bitmap: Uint8Array): [number, number][] => {
      const out: [number, number][] = [];
      for (let slot = 0; slot < 16384; slot++) {
        if (!hasSlot(bitmap, slot)) continue;
        const last = out[out.length - 1];
        if (last !== undefined && last[1] === slot - 1) last[1] = slot;
        else out.push([slot, slot]);
      }
      return out;
    };
    const full = newSlotBitmap().fill(0xff);
    expect(slotRanges(full)).toEqual([[0, 16383]]);
    const edges = newSlotBitmap();
    for (const slot of [6, 7, ...Array.from({ length: 16 }, (_, i) => 8 + i), 24, 40]) addSlot(edges, slot);
    expect(slotRanges(edges)).toEqual([[6, 24], [40, 40]]);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 20; round++) {
      const bitmap = newSlotBitmap();
      // Runs of whole bytes, empty bytes and mixed bytes, as resharding leaves them.
      for (let i = 0; i < bitmap.length; i++) {
        const r = random();
        bitmap[i] = r < 0.4 ? 0xff : r < 0.7 ? 0 : Math.floor(random() * 256);
      }
      expect(slotRanges(bitmap)).toEqual(naive(bitmap));
    }
  });
});
