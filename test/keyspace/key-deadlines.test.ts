import { describe, expect, test } from 'vitest';
import { Deadlines } from '../../src/keyspace/deadlines.js';
import { KeyDeadlines } from '../../src/keyspace/key-deadlines.js';
import { KeyTable } from '../../src/keyspace/key-table.js';

describe('KeyDeadlines', () => {
  test('a deadline is the key\'s, in the dictionary: renewed in place, gone with the key', () => {
    const dict = new KeyTable();
    const d = new KeyDeadlines(dict);
    for (const k of ['a', 'b', 'c']) dict.set(k, 'v');
    d.set('a', 1_764_000_000_123);
    d.set('b', 5);
    d.set('a', 1_764_000_000_456.5);
    expect(d.size).toBe(2);
    expect(d.get('a')).toBe(1_764_000_000_456.5);
    expect(d.get('c')).toBeUndefined();
    expect(d.has('b')).toBe(true);
    // A key that leaves the dictionary takes its deadline with it.
    dict.delete('a');
    expect(d.get('a')).toBeUndefined();
    expect(d.size).toBe(1);
    expect(d.delete('a')).toBe(false);
    dict.set('a', 'again');
    expect(d.get('a')).toBeUndefined();
    expect(d.delete('b')).toBe(true);
    expect(d.delete('b')).toBe(false);
    expect(dict.get('b')).toBe('v');
    expect(d.get('b')).toBeUndefined();
  });

  test('a key not in the dictionary gets no deadline', () => {
    const dict = new KeyTable();
    const d = new KeyDeadlines(dict);
    d.set('ghost', 10);
    expect(d.size).toBe(0);
    expect(d.get('ghost')).toBeUndefined();
  });
});

/** Either kind of deadline table, with a way to make a key exist first (KeyDeadlines keeps deadlines of the dictionary's keys only). */
const tables: [string, () => { d: Deadlines | KeyDeadlines; add: (key: string) => void }][] = [
  ['Deadlines', () => ({ d: new Deadlines(), add: () => {} })],
  ['KeyDeadlines', () => {
    const dict = new KeyTable();
    return { d: new KeyDeadlines(dict), add: (key) => dict.set(key, 'v') };
  }],
];

describe.each(tables)('%s', (_, make) => {
  test('a walk meets every key that keeps its deadline throughout, each deadline as it is when the walk gets there', () => {
    const { d, add } = make();
    for (let i = 0; i < 10; i++) {
      add(`k${i}`);
      d.set(`k${i}`, 1000 + i);
    }
    const walk = d.entries();
    const first = walk.next().value!;
    // Either walk's order leaves k5 and k6 in the middle, not yet met.
    d.set('k5', 1);
    d.delete('k6');
    const rest = [...walk];
    expect(rest).toContainEqual(['k5', 1]);
    expect(rest.map(([k]) => k)).not.toContain('k6');
    const met = new Set([first[0], ...rest.map(([k]) => k)]);
    for (let i = 0; i < 10; i++) if (i !== 6) expect(met.has(`k${i}`), `k${i}`).toBe(true);
  });
});
