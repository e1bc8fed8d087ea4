import { describe, expect, test } from 'vitest';
import { DoubleSlots } from '../../../src/keyspace/compact/double-slots.js';
import { TreeZset } from '../../../src/store/zset/tree-zset.js';
import { heapKeptBy } from '../../helpers/gc.js';

describe('DoubleSlots', () => {
  test('keeps each slot\'s double exactly, past the first chunk\'s doublings and into further chunks', () => {
    const s = new DoubleSlots();
    const n = 3 * 4096 + 17;
    const slots: number[] = [];
    for (let i = 0; i < n; i++) slots.push(s.add(i * 1.25 - 0.1));
    expect(new Set(slots).size).toBe(n);
    for (let i = 0; i < n; i++) expect(s.get(slots[i])).toBe(i * 1.25 - 0.1);
    s.set(slots[5000], -Infinity);
    expect(s.get(slots[5000])).toBe(-Infinity);
  });

  test('hands a released slot out again before growing', () => {
    const s = new DoubleSlots();
    const a = s.add(1);
    const b = s.add(2);
    s.release(a);
    expect(s.add(3)).toBe(a);
    expect(s.get(a)).toBe(3);
    expect(s.get(b)).toBe(2);
    expect(s.add(4)).not.toBe(b);
  });
});

describe('TreeZset scores', () => {
  test('a score past the small integers takes no more of V8\'s heap than a small one', () => {
    const n = 100_000;
    /** The heap a set of n members takes once every score has changed, each keeping its rank (so that the trees match). */
    const heapFor = (score: (i: number) => number): number => {
      const { bytes, kept: z } = heapKeptBy(() => {
        const z = new TreeZset();
        for (let i = 0; i < n; i++) z.insert(`m:${i}`, score(4 * i));
        for (let i = 0; i < n; i++) z.update(`m:${i}`, score(4 * i), score(4 * i + 1));
        return z;
      });
      expect(z.score(`m:${n - 1}`)).toBe(score(4 * n - 3));
      expect(z.rank(`m:${n - 1}`)).toBe(n - 1);
      return bytes;
    };
    const small = heapFor((x) => x);
    // As geohashes and millisecond timestamps are: boxed in a heap number of 16 bytes each when a Map holds them.
    const large = heapFor((x) => 2 ** 40 + x * 0.5);
    expect((large - small) / n).toBeLessThan(2);
  });

  test('removed members give up their slots and their scores read as absent', () => {
    const z = new TreeZset();
    for (let i = 0; i < 300; i++) z.insert(`m:${i}`, i / 3);
    for (let i = 0; i < 300; i += 2) expect(z.remove(`m:${i}`)).toBe(true);
    z.removeRange(0, 10);
    for (let i = 0; i < 300; i++) z.insert(`n:${i}`, -i);
    expect(z.size).toBe(440);
    expect(z.score('m:0')).toBeUndefined();
    expect(z.score('m:19')).toBeUndefined();
    expect(z.score('m:21')).toBe(7);
    expect(z.score('m:23')).toBe(23 / 3);
    expect(z.score('n:299')).toBe(-299);
    const copy = z.clone();
    copy.update('m:23', 23 / 3, 99);
    expect(z.score('m:23')).toBe(23 / 3);
    expect(copy.score('m:23')).toBe(99);
    expect(copy.memberBytes).toBe(z.memberBytes);
  });
});
