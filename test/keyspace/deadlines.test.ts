import { describe, expect, test } from 'vitest';
import { Deadlines } from '../../src/keyspace/deadlines.js';
import { heapKeptBy } from '../helpers/gc.js';

describe('Deadlines', () => {
  test('answers, replaces and forgets each key\'s deadline', () => {
    const d = new Deadlines();
    d.set('a', 1_764_000_000_123);
    d.set('b', 5);
    d.set('a', 1_764_000_000_456.5);
    expect(d.size).toBe(2);
    expect(d.get('a')).toBe(1_764_000_000_456.5);
    expect(d.has('b')).toBe(true);
    expect(d.delete('b')).toBe(true);
    expect(d.delete('b')).toBe(false);
    expect(d.get('b')).toBeUndefined();
    expect(d.has('b')).toBe(false);
    d.set('c', 7);
    expect([...d.entries()]).toEqual([['a', 1_764_000_000_456.5], ['c', 7]]);
  });

  test('a deadline in ms takes no more of V8\'s heap than a small integer would', () => {
    const n = 100_000;
    const heapFor = (deadline: (i: number) => number): number => {
      const { bytes, kept: d } = heapKeptBy(() => {
        const d = new Deadlines();
        for (let i = 0; i < n; i++) d.set(`key:${i}`, deadline(i));
        // A new deadline for every key, as SET … EX over keys that have one gives.
        for (let i = 0; i < n; i++) d.set(`key:${i}`, deadline(i) + 1);
        return d;
      });
      expect(d.get(`key:${n - 1}`)).toBe(deadline(n - 1) + 1);
      return bytes;
    };
    const small = heapFor((i) => i);
    // Past the small integers, as every deadline in ms since the epoch is: a 16-byte heap number each when a Map holds it.
    // The bound is half of one, so that what else the process allocates meanwhile cannot decide the test.
    const ms = heapFor((i) => 1_764_000_000_000 + i);
    expect((ms - small) / n).toBeLessThan(8);
  });
});
