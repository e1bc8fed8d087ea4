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
});
