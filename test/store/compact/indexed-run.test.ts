import { describe, expect, test } from 'vitest';
import { detached, indexedRun, runEntry, runEntryIs } from '../../../src/store/compact/indexed-run.js';

describe('indexed runs', () => {
  test('read back every entry by index, empty and binary ones and long ones included', () => {
    const items = ['', 'a', '\x00\xff\r\n', 'x'.repeat(127), 'y'.repeat(300), 'z'.repeat(20000), ''];
    const r = indexedRun(items, 0, items.length)!;
    expect(items.map((_, k) => runEntry(r, k))).toEqual(items);
    // The table is two bytes an entry plus two, the rest is the entries' bytes.
    expect(r.length).toBe(2 * items.length + 2 + items.reduce((n, s) => n + s.length, 0));
  });

  test('entries before `from` are empty, so entries keep the index they had in the array', () => {
    const items = [undefined, undefined, 'c', 'd'];
    const r = indexedRun(items, 2, 4)!;
    expect([runEntry(r, 2), runEntry(r, 3)]).toEqual(['c', 'd']);
    expect([runEntry(r, 0), runEntry(r, 1)]).toEqual(['', '']);
  });

  test('compare an entry in place, by length first, short and long', () => {
    const long = 'L'.repeat(100);
    const r = indexedRun(['abc', long, 'abd'], 0, 3)!;
    expect(runEntryIs(r, 0, 'abc')).toBe(true);
    expect(runEntryIs(r, 0, 'ab')).toBe(false);
    expect(runEntryIs(r, 2, 'abc')).toBe(false);
    expect(runEntryIs(r, 1, long)).toBe(true);
    expect(runEntryIs(r, 1, `${'L'.repeat(99)}M`)).toBe(false);
  });

  test('refuse entries whose bytes do not fit in 64 KiB', () => {
    expect(indexedRun(['x'.repeat(40000), 'y'.repeat(25529)], 0, 2)).not.toBeNull();
    expect(indexedRun(['x'.repeat(40000), 'y'.repeat(25530)], 0, 2)).toBeNull();
  });

  test('a detached copy equals the entry it was read from', () => {
    const r = indexedRun(['short', 'a longer entry than a slice needs'], 0, 2)!;
    expect(detached(runEntry(r, 0))).toBe('short');
    expect(detached(runEntry(r, 1))).toBe('a longer entry than a slice needs');
  });
});
