import v8 from 'node:v8';
import { describe, expect, test } from 'vitest';
import { ByteSlabs, MAX_BLOCK, offsetOf } from '../../../src/keyspace/compact/byte-slabs.js';
import { unaccountedBytes } from '../../../src/keyspace/compact/unaccounted.js';

describe('ByteSlabs', () => {
  test('blocks have room for what was asked, rounded to their class, and never overlap', () => {
    const slabs = new ByteSlabs();
    const blocks: { h: number; size: number }[] = [];
    for (let size = 1; size <= MAX_BLOCK; size += 7) {
      for (let n = 0; n < 100; n++) {
        const h = slabs.alloc(size);
        expect(slabs.capacity(h)).toBeGreaterThanOrEqual(size);
        slabs.slab(h).fill(blocks.length & 255, offsetOf(h), offsetOf(h) + slabs.capacity(h));
        blocks.push({ h, size });
      }
    }
    // Every block still holds its own fill: none was handed out twice or ran into another.
    const overwritten = blocks.filter(({ h }, i) => slabs.slab(h).subarray(offsetOf(h), offsetOf(h) + slabs.capacity(h)).some((x) => x !== (i & 255)));
    expect(overwritten).toEqual([]);
  });

  test('with sixteen classes per doubling, up to 64 KiB, a block wastes at most a sixteenth of its size and none overlap', () => {
    const slabs = new ByteSlabs(1 << 16, 16);
    const blocks: number[] = [];
    for (let size = 65; size <= 1 << 16; size = Math.ceil(size * 1.37)) {
      for (let n = 0; n < 3; n++) {
        const h = slabs.alloc(size);
        expect(slabs.capacity(h)).toBeGreaterThanOrEqual(size);
        expect(slabs.capacity(h)).toBeLessThanOrEqual(size * (1 + 1 / 16) + 8);
        slabs.slab(h).fill(blocks.length & 255, offsetOf(h), offsetOf(h) + slabs.capacity(h));
        blocks.push(h);
      }
    }
    const whole = slabs.alloc(1 << 16);
    expect(offsetOf(whole)).toBe(0);
    expect(slabs.slab(whole).length).toBe(1 << 16);
    const overwritten = blocks.filter((h, i) => slabs.slab(h).subarray(offsetOf(h), offsetOf(h) + slabs.capacity(h)).some((x) => x !== (i & 255)));
    expect(overwritten).toEqual([]);
  });

  test('a block of every size takes kilobytes of slabs, not 64 KiB a size class', () => {
    const slabs = new ByteSlabs();
    for (let size = 8; size <= MAX_BLOCK; size += 8) slabs.alloc(size);
    const bytes = slabs.slabs.reduce((n, b) => n + b.length, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    // A class's slabs double up to 64 KiB as it fills.
    for (let n = 0; n < 20_000; n++) slabs.alloc(16);
    expect(Math.max(...slabs.slabs.map((b) => b.length))).toBe(64 * 1024);
  });

  test('a released block is handed out again for its class, and only for it', () => {
    const slabs = new ByteSlabs();
    const a = slabs.alloc(30);
    const b = slabs.alloc(200);
    slabs.release(a);
    expect(slabs.alloc(200)).not.toBe(a);
    expect(slabs.alloc(25)).toBe(a);
    slabs.release(b);
    expect(slabs.alloc(210)).toBe(b);
  });

  test('V8 does not count unaccounted memory as its external memory, which it does an ArrayBuffer\'s', () => {
    const before = v8.getHeapStatistics().external_memory;
    const unaccounted = Array.from({ length: 64 }, () => unaccountedBytes(1 << 16));
    const afterUnaccounted = v8.getHeapStatistics().external_memory;
    // Twice the 4 MiB asserted: other external memory collected meanwhile (about 12 KB in one CI run) cannot hide it.
    const counted = Array.from({ length: 128 }, () => Buffer.allocUnsafeSlow(1 << 16));
    const afterCounted = v8.getHeapStatistics().external_memory;
    expect(unaccounted.length + counted.length).toBe(192);
    expect(afterUnaccounted - before).toBeLessThan(1 << 20);
    expect(afterCounted - afterUnaccounted).toBeGreaterThanOrEqual(4 << 20);
  });
});
