import { describe, expect, test } from 'vitest';
import { BigMap } from '../../src/store/keyspace/big-map.js';

describe('BigMap (a keyspace not capped at 2^24 entries)', () => {
  test('spills into further maps past the part limit and still finds, updates and deletes every key', () => {
    const m = new BigMap<string, number>(100);
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(m.get(`k${i}`)).toBe(i);
    m.set('k5', -5);
    m.set('k950', -950);
    expect(m.size).toBe(1000);
    expect(m.get('k5')).toBe(-5);
    expect(m.get('k950')).toBe(-950);
    expect(m.delete('k999')).toBe(true);
    expect(m.delete('k999')).toBe(false);
    expect(m.has('k999')).toBe(false);
    expect(m.size).toBe(999);
    expect([...m.keys()].length).toBe(999);
  });

  test('reuses room freed in an earlier part before opening a new one', () => {
    const m = new BigMap<string, number>(10);
    for (let i = 0; i < 20; i++) m.set(`k${i}`, i);
    m.delete('k3');
    m.set('new', 1);
    expect(m.size).toBe(20);
    expect([...m.entries()].findIndex(([k]) => k === 'new')).toBeLessThan(10);
  });

  test('clear empties every part', () => {
    const m = new BigMap<string, number>(4);
    for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
    m.clear();
    expect(m.size).toBe(0);
    expect(m.get('k1')).toBeUndefined();
  });
});

describe("ScanOrder.sampleRun (eviction's sample of neighbouring keys)", () => {
  const withOrder = (n: number): BigMap<string, number> => {
    const m = new BigMap<string, number>(1 << 23, 1);
    for (let i = 0; i < n; i++) m.set(`k${i}`, i);
    return m;
  };

  test('gives a run of consecutive keys in arrival order from the drawn one, continuing into the next chunk', () => {
    const m = withOrder(5000);
    const out: string[] = [];
    // The draws pick chunk 0 (of 5) and slot 1022 of 1024: the run crosses into chunk 1.
    const draws = [0.1, 1022.5 / 1024];
    m.order!.sampleRun(5, out, () => draws.shift()!);
    expect(out).toEqual(['k1022', 'k1023', 'k1024', 'k1025', 'k1026']);
  });

  test('wraps from the last entry to the first, and never repeats a key when the log holds fewer than asked', () => {
    const m = withOrder(3);
    const out: string[] = [];
    const draws = [0, 2.5 / 3];
    m.order!.sampleRun(5, out, () => draws.shift()!);
    expect(out).toEqual(['k2', 'k0', 'k1']);
  });

  test('an empty log gives nothing', () => {
    const out = ['stale'];
    withOrder(0).order!.sampleRun(5, out);
    expect(out).toEqual([]);
  });

  test('every key can start a run: drawn starts cover the whole log', () => {
    const m = withOrder(3000);
    const seen = new Set<string>();
    const out: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      m.order!.sampleRun(1, out);
      seen.add(out[0]);
    }
    expect(seen.size).toBeGreaterThan(2900);
  });
});
