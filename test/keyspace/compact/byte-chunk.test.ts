import { describe, expect, test } from 'vitest';
import { ByteChunk } from '../../../src/keyspace/compact/byte-chunk.js';
import { DenseMap } from '../../../src/keyspace/compact/dense-map.js';
import { HashSet } from '../../../src/store/set/hash-set.js';
import { TreeZset } from '../../../src/store/zset/tree-zset.js';
import { heapKeptBy } from '../../helpers/gc.js';
import { seededInts } from '../../helpers/seeded.js';

const everyByte = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

describe('ByteChunk', () => {
  test('gives back what each slot was given: byte strings, the empty string, long and non-byte strings, numbers of every kind', () => {
    const c = new ByteChunk(16, 2, 8);
    const values: unknown[] = ['', 'a', everyByte, 'x'.repeat(513), 'snow ☃ man', 1.5, 7, -0, 2 ** 40, 'last'];
    values.forEach((v, s) => c.set(s, v));
    expect(c.length).toBe(values.length);
    values.forEach((v, s) => expect(c.get(s)).toBe(v));
    expect(c.is(2, everyByte)).toBe(true);
    expect(c.is(2, everyByte.slice(1))).toBe(false);
    expect(c.is(4, 'snow ☃ man')).toBe(true);
    expect(c.is(9, 'lasT')).toBe(false);
    expect(c.is(6, '7')).toBe(false);
    expect(Object.is(c.get(7), -0)).toBe(true);
  });

  test('stays equal to a model through random sets, takes between two chunks and pops, rewriting its dead bytes', () => {
    const ints = seededInts(7);
    const random = (): number => ints(2 ** 30) / 2 ** 30;
    const chunks = [new ByteChunk(64, 1, 16), new ByteChunk(64, 64, 1024)];
    const models: unknown[][] = [[], []];
    const value = (): unknown => {
      const r = random();
      if (r < 0.05) return 'y'.repeat(600 + Math.floor(random() * 10));
      if (r < 0.08) return random();
      if (r < 0.1) return Math.floor(random() * 2 ** 31);
      return String.fromCharCode(...Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)));
    };
    for (let step = 0; step < 20_000; step++) {
      const k = random() < 0.5 ? 0 : 1;
      const c = chunks[k];
      const m = models[k];
      const r = random();
      if (m.length === 0 || (r < 0.4 && m.length < 64)) {
        const v = value();
        c.set(m.length, v);
        m.push(v);
      } else if (r < 0.7) {
        const s = Math.floor(random() * m.length);
        const v = value();
        c.set(s, v);
        m[s] = v;
      } else if (r < 0.85) {
        // As a table removes an entry: the last slot of either chunk fills the hole, then is popped.
        const other = random() < 0.5 ? k : 1 - k;
        const from = chunks[other];
        const fm = models[other];
        if (fm.length === 0) continue;
        const s = Math.floor(random() * m.length);
        if (other === k && s === m.length - 1) continue;
        c.take(s, from, fm.length - 1);
        m[s] = fm[fm.length - 1];
        from.pop();
        fm.pop();
      } else {
        c.pop();
        m.pop();
      }
      if (step % 97 === 0) {
        for (let j = 0; j < 2; j++) {
          expect(chunks[j].length).toBe(models[j].length);
          models[j].forEach((v, s) => expect(chunks[j].get(s)).toBe(v));
          expect(chunks[j].liveBytes).toBe(models[j].reduce((n: number, v) => n + (typeof v === 'string' && v.length <= 512 ? v.length : 0), 0));
        }
      }
    }
  });

  test('a copy is unchanged by later writes to the chunk it was taken from, and the other way round', () => {
    const c = new ByteChunk(8, 8, 64);
    for (let s = 0; s < 6; s++) c.set(s, `v${s}`);
    c.set(7 - 2, 'changed before');
    const copy = c.copy();
    c.set(0, 'after');
    c.pop();
    copy.set(1, 'in the copy');
    expect([0, 1, 2, 3, 4].map((s) => c.get(s))).toEqual(['after', 'v1', 'v2', 'v3', 'v4']);
    expect([0, 1, 2, 3, 4, 5].map((s) => copy.get(s))).toEqual(['v0', 'in the copy', 'v2', 'v3', 'v4', 'changed before']);
  });
});

describe('the large encodings of sets, hashes and sorted sets keep their strings outside V8\'s heap', () => {
  const n = 100_000;
  /** 16-byte strings, as the benchmarks' members are. */
  const name = (p: string, i: number): string => `${p}${String(i).padStart(15, '0')}`;

  test('a set of 100,000 members of 16 bytes keeps under 4 bytes a member on the heap', () => {
    const { bytes, kept } = heapKeptBy(() => {
      const s = new HashSet();
      for (let i = 0; i < n; i++) s.add(name('m', i));
      return s;
    });
    expect(kept.has(name('m', n - 1))).toBe(true);
    expect(bytes / n).toBeLessThan(4);
  });

  test('a hash of 100,000 fields with 16-byte values keeps under 4 bytes a field on the heap', () => {
    const { bytes, kept } = heapKeptBy(() => {
      const h = new DenseMap<string>();
      for (let i = 0; i < n; i++) h.set(name('f', i), name('v', i));
      return h;
    });
    expect(kept.get(name('f', 12_345))).toBe(name('v', 12_345));
    expect(bytes / n).toBeLessThan(4);
  });

  test('a sorted set of 100,000 members of 16 bytes, inserted in random order, keeps under 40 bytes a member on the heap: its scores', () => {
    const { bytes, kept } = heapKeptBy(() => {
      const z = new TreeZset();
      for (let i = 0; i < n; i++) {
        const k = (i * 7919) % n;
        z.insert(name('m', k), k * 1.5);
      }
      return z;
    });
    expect(kept.score(name('m', 4321))).toBe(4321 * 1.5);
    expect(kept.rank(name('m', 4321))).toBe(4321);
    expect(bytes / n).toBeLessThan(40);
  });
});
