import { describe, expect, test } from 'vitest';
import { RunBlocks } from '../../../src/keyspace/compact/run-blocks.js';

function entries(runs: RunBlocks, h: number): string[] {
  return Array.from({ length: runs.count(h) }, (_, k) => runs.entry(h, k));
}

describe('RunBlocks', () => {
  test('a run reads back each item by its index, the slots before `from` empty', () => {
    const runs = new RunBlocks();
    const items = [undefined, undefined, 'a', '', 'a longer element of forty bytes or so..', '\xff\x00\x80'];
    const h = runs.build(items, 2, items.length);
    expect(runs.count(h)).toBe(6);
    expect(entries(runs, h)).toEqual(['', '', 'a', '', 'a longer element of forty bytes or so..', '\xff\x00\x80']);
    expect(runs.entryIs(h, 4, 'a longer element of forty bytes or so..')).toBe(true);
    expect(runs.entryIs(h, 4, 'a longer element of forty bytes or so.!')).toBe(false);
    expect(runs.entryIs(h, 2, 'ab')).toBe(false);
    expect(runs.entryIs(h, 3, '')).toBe(true);
  });

  test('a run whose bytes exceed 64 KiB, or with a char above 255, is not built and takes no block', () => {
    const runs = new RunBlocks();
    expect(runs.build(['x'.repeat(40_000), 'y'.repeat(30_000)], 0, 2)).toBe(-1);
    expect(runs.build(['fine', 'caf\u0113'], 0, 2)).toBe(-1);
    expect(runs.build(['fine', `${'long '.repeat(20)}\u0113`], 0, 2)).toBe(-1);
    expect(runs.slabs.blocksInUse).toBe(0);
    const big = runs.build(['x'.repeat(40_000), 'y'.repeat(25_000)], 0, 2);
    expect(runs.entry(big, 1)).toBe('y'.repeat(25_000));
  });

  test('a rotation builds a new run with one entry in and one out, either way, and leaves the old one as it was', () => {
    const runs = new RunBlocks();
    const h = runs.build(['a', 'bb', 'ccc', 'dddd', 'e'], 0, 5);
    const right = runs.rotated(h, 1, 3, 'new', true);
    expect(entries(runs, right)).toEqual(['a', 'new', 'bb', 'ccc', 'e']);
    const left = runs.rotated(h, 1, 3, 'new', false);
    expect(entries(runs, left)).toEqual(['a', 'ccc', 'dddd', 'new', 'e']);
    expect(entries(runs, h)).toEqual(['a', 'bb', 'ccc', 'dddd', 'e']);
  });

  test('a rotation of long entries, whose bytes are copied natively, keeps every byte', () => {
    const runs = new RunBlocks();
    const long = (c: string, n: number) => c.repeat(n);
    const items = [long('a', 100), long('b', 33), long('c', 700), long('d', 5), long('e', 64)];
    const h = runs.build(items, 0, 5);
    const v = long('v', 250);
    expect(entries(runs, runs.rotated(h, 0, 4, v, true))).toEqual([v, ...items.slice(0, 4)]);
    expect(entries(runs, runs.rotated(h, 1, 3, v, false))).toEqual([items[0], items[2], items[3], v, items[4]]);
    expect(runs.rotated(h, 1, 3, 'x'.repeat(65_000), true)).toBe(-1);
    expect(runs.rotated(h, 1, 3, '\u0100', true)).toBe(-1);
  });

  test('find and findLast look only within [from, to), by whole entries', () => {
    const runs = new RunBlocks();
    const h = runs.build(['ab', 'abc', 'b', 'abc', 'c', 'abc'], 0, 6);
    expect(runs.find(h, 0, 6, 'abc')).toBe(1);
    expect(runs.find(h, 2, 5, 'abc')).toBe(3);
    expect(runs.find(h, 4, 5, 'abc')).toBe(-1);
    expect(runs.findLast(h, 0, 6, 'abc')).toBe(5);
    expect(runs.findLast(h, 0, 5, 'abc')).toBe(3);
    expect(runs.find(h, 0, 6, 'bc')).toBe(-1);
  });

  test('a block is reused only after its last holder lets it go', () => {
    const runs = new RunBlocks();
    const h = runs.build(['one', 'two'], 0, 2);
    runs.retain(h);
    expect(runs.holders(h)).toBe(2);
    runs.release(h);
    expect(runs.slabs.blocksInUse).toBe(1);
    expect(runs.build(['six', 'ten'], 0, 2)).not.toBe(h);
    expect(entries(runs, h)).toEqual(['one', 'two']);
    runs.release(h);
    expect(runs.slabs.blocksInUse).toBe(1);
    expect(runs.build(['new', 'one'], 0, 2)).toBe(h);
  });
});
