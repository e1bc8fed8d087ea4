import { describe, expect, test } from 'vitest';
import { Deadlines } from '../../../src/store/keyspace/deadlines.js';
import { KeyDeadlines } from '../../../src/store/keyspace/key-deadlines.js';
import { KeyTable } from '../../../src/store/keyspace/key-table.js';

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
    // A key that leaves the dictionary leaves its deadline; the set of keys hears of it after.
    dict.delete('a');
    expect(d.get('a')).toBeUndefined();
    expect(d.delete('a')).toBe(true);
    expect(d.size).toBe(1);
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
  test('a walk sees each deadline as it is when it gets there, and keys that gain one meanwhile', () => {
    const { d, add } = make();
    for (let i = 0; i < 10; i++) {
      add(`k${i}`);
      d.set(`k${i}`, 1000 + i);
    }
    add('late');
    const walk = d.entries();
    expect(walk.next().value).toEqual(['k0', 1000]);
    d.set('k5', 1);
    d.delete('k6');
    d.set('late', 2);
    const rest = [...walk];
    expect(rest).toContainEqual(['k5', 1]);
    expect(rest).toContainEqual(['late', 2]);
    expect(rest.map(([k]) => k)).not.toContain('k6');
  });
});
