import { describe, expect, test } from 'vitest';
import { ownCopy } from '../../../src/store/compact/packed.js';
import { indexedRun, runCount, runEntry, runEntryIs, runFind, runFindLast, runRotated } from '../../../src/store/compact/indexed-run.js';

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

  test('an own copy equals the entry it was read from', () => {
    const r = indexedRun(['short', 'a longer entry than a slice needs'], 0, 2)!;
    expect(ownCopy(runEntry(r, 0))).toBe('short');
    expect(ownCopy(runEntry(r, 1))).toBe('a longer entry than a slice needs');
  });

  test('rotate a range by one either way, an entry coming in at one end and the one at the other end leaving', () => {
    // Entries of one length with one of that length coming in keep the offset table; the others rebuild it.
    for (const items of [['a', 'bb', '', 'dddd', 'e', 'ffffff'], ['aa', 'bb', 'cc', 'dd', 'ee']]) {
      const r = indexedRun(items, 0, items.length)!;
      for (let a = 0; a < items.length; a++) {
        for (let b = a; b < items.length; b++) {
          for (const v of ['', 'V', 'VW', 'a much longer entry coming in']) {
            const right = runRotated(r, a, b, v, true)!;
            expect(runCount(right)).toBe(items.length);
            const m = items.slice();
            m.splice(b, 1);
            m.splice(a, 0, v);
            expect(m.map((_, k) => runEntry(right, k)), `right ${a}..${b} ${v}`).toEqual(m);
            const left = runRotated(r, a, b, v, false)!;
            const l = items.slice();
            l.splice(a, 1);
            l.splice(b, 0, v);
            expect(l.map((_, k) => runEntry(left, k)), `left ${a}..${b} ${v}`).toEqual(l);
          }
        }
      }
    }
  });

  test('refuse a rotation whose result does not fit in 64 KiB', () => {
    const r = indexedRun(['x'.repeat(40000), 'y'], 0, 2)!;
    expect(runRotated(r, 0, 1, 'z'.repeat(25529), true)).not.toBeNull();
    expect(runRotated(r, 0, 1, 'z'.repeat(25530), true)).toBeNull();
  });

  test('find the first and the last entry equal to a string, only whole entries counting', () => {
    const items = ['', 'item:1item:1', 'item:1', 'xitem:1', 'item:1', 'item:12', 'i1', '', 'i1'];
    const r = indexedRun(items, 0, items.length)!;
    const model = (s: string, from: number, to: number, last: boolean): number => {
      let at = -1;
      for (let k = from; k < to; k++) if (items[k] === s && (at === -1 || last)) at = k;
      return at;
    };
    for (const s of ['', 'item:1', 'item:12', 'tem:1', 'i1', 'item:1item:1', 'xitem:1', 'nothing here']) {
      for (let from = 0; from <= items.length; from++) {
        for (let to = from; to <= items.length; to++) {
          expect(runFind(r, from, to, s), `first ${s} in ${from}..${to}`).toBe(model(s, from, to, false));
          expect(runFindLast(r, from, to, s), `last ${s} in ${from}..${to}`).toBe(model(s, from, to, true));
        }
      }
    }
  });
});
