import { describe, expect, test } from 'vitest';
import { BigMap } from '../../src/keyspace/big-map.js';

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
