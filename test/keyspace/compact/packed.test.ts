import { describe, expect, test } from 'vitest';
import {
  encodeEntry, encodedSize, entryAt, entryEquals, findEntry, nextEntry, pack, splice, unpack,
} from '../../../src/keyspace/compact/packed.js';

describe('packed entries', () => {
  test('round-trips entries of every length class, empty and binary ones included', () => {
    const items = ['', 'a', '\x00\xff\r\n', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(16384), 'w'.repeat(20000)];
    const p = pack(items);
    expect(unpack(p)).toEqual(items);
    expect(p.length).toBe(items.reduce((n, s) => n + encodedSize(s), 0));
  });

  test('a length prefix grows by one char per seven bits of length', () => {
    expect(encodeEntry('ab')).toBe('\x02ab');
    expect(encodedSize('x'.repeat(127))).toBe(128);
    expect(encodedSize('x'.repeat(128))).toBe(130);
    expect(encodedSize('x'.repeat(16384))).toBe(16387);
  });

  test('walks entry by entry, reading and comparing in place', () => {
    const p = pack(['f1', 'v1', 'long-field-'.repeat(20), 'v2']);
    const positions: number[] = [];
    for (let pos = 0; pos < p.length; pos = nextEntry(p, pos)) positions.push(pos);
    expect(positions.map((pos) => entryAt(p, pos))).toEqual(['f1', 'v1', 'long-field-'.repeat(20), 'v2']);
    expect(entryEquals(p, positions[2], 'long-field-'.repeat(20))).toBe(true);
    expect(entryEquals(p, positions[0], 'f')).toBe(false);
    expect(entryEquals(p, positions[0], 'f1x')).toBe(false);
  });

  test('compares an entry exactly, near the end of the string and far from it', () => {
    // Same length, same first and last chars: only the middle tells them apart, and the one asked for comes later.
    const names = Array.from({ length: 40 }, (_, i) => `field:${String(i).padStart(4, '0')}:x`);
    const p = pack(names);
    const positions: number[] = [];
    for (let pos = 0; pos < p.length; pos = nextEntry(p, pos)) positions.push(pos);
    for (const [i, pos] of positions.entries()) {
      expect(entryEquals(p, pos, names[i])).toBe(true);
      expect(entryEquals(p, pos, names[39])).toBe(i === 39);
      expect(entryEquals(p, pos, 'field:9999:x')).toBe(false);
    }
    expect(findEntry(p, names[37])).toBe(positions[37]);
    expect(findEntry(p, 'field:0040:x')).toBe(-1);
    // Alike at both ends too: only a full comparison tells these apart.
    const middles = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(3, '0')}-tail-end`);
    const q = pack(middles);
    expect(middles.map((name) => entryAt(q, findEntry(q, name)))).toEqual(middles);
    expect(findEntry(q, 'k999-tail-end')).toBe(-1);
  });

  test('finds an entry among every stride-th one only', () => {
    const p = pack(['a', 'b', 'b', 'c']);
    expect(entryAt(p, findEntry(p, 'b'))).toBe('b');
    expect(findEntry(p, 'b')).toBe(2);
    expect(findEntry(p, 'b', 2)).toBe(4);
    expect(findEntry(p, 'c', 2)).toBe(-1);
    expect(findEntry(p, 'zz')).toBe(-1);
  });

  test('finds entries of every length prefix, the empty one included, past values of every length', () => {
    // Prefixes of one, two and three bytes (from 128 and 16,384 chars), short names the tail check leaves out, and the empty string.
    const fields = ['', 'a', 'abcdefg', 'f'.repeat(127), 'f'.repeat(128), 'g'.repeat(20_000), 'x'.repeat(126) + 'y', 'last-one-here'];
    const values = ['v'.repeat(200), '', 'w'.repeat(16_384), 'v', 'u'.repeat(127), 'v'.repeat(128), 'q', 'z'.repeat(70)];
    const p = pack(fields.flatMap((f, i) => [f, values[i]]));
    const positions: number[] = [];
    for (let pos = 0; pos < p.length; pos = nextEntry(p, pos)) positions.push(pos);
    for (const [i, f] of fields.entries()) {
      expect(findEntry(p, f, 2), JSON.stringify(f.slice(0, 12))).toBe(positions[2 * i]);
      // A value is not a field: among the fields only, what only a value holds is missing.
      if (!fields.includes(values[i])) expect(findEntry(p, values[i], 2)).toBe(-1);
    }
    expect(findEntry(p, 'f'.repeat(129), 2)).toBe(-1);
    expect(findEntry(p, 'x'.repeat(127), 2)).toBe(-1);
    expect(findEntry(p, 'w'.repeat(16_384))).toBe(positions[5]);
    // Triples (field, value, deadline), as a hash with field deadlines keeps them.
    const triples = pack(['k1', 'v'.repeat(300), '17', 'k2', 'v2', '-1']);
    expect(findEntry(triples, 'k2', 3)).toBe(nextEntry(triples, nextEntry(triples, nextEntry(triples, 0))));
    expect(findEntry(triples, '17', 3)).toBe(-1);
  });

  test('splices entries out and in', () => {
    const p = pack(['a', 'b', 'c']);
    const b = nextEntry(p, 0);
    const c = nextEntry(p, b);
    expect(unpack(splice(p, b, c, ''))).toEqual(['a', 'c']);
    expect(unpack(splice(p, b, b, encodeEntry('new')))).toEqual(['a', 'new', 'b', 'c']);
    expect(unpack(splice(p, b, c, encodeEntry('B') + encodeEntry('B2')))).toEqual(['a', 'B', 'B2', 'c']);
  });
});
