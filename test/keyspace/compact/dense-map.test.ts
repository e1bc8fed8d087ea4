import { describe, expect, test } from 'vitest';
import { frozenPairs, DenseMap } from '../../../src/keyspace/compact/dense-map.js';
import { Rng } from '../../fuzz/rng.js';

/** A whole HSCAN-style iteration over the table's positions. */
function scanAll<V>(t: DenseMap<V>, count: number, between?: () => void): string[] {
  const out: string[] = [];
  let cursor = 0;
  let calls = 0;
  do {
    cursor = t.scanPositions(cursor, count, (i) => out.push(t.keyAt(i)));
    between?.();
  } while (cursor !== 0 && ++calls < 1_000_000);
  return out;
}

/** The table's entries as a Map. */
function contents<V>(t: DenseMap<V>): Map<string, V> {
  const m = new Map<string, V>();
  t.forEach((v, k) => m.set(k, v));
  return m;
}

const seeded = (seed: number) => {
  const rng = new Rng(seed);
  return () => rng.next() / 0x1_0000_0000;
};

describe("DenseMap, a hash's large encoding", () => {
  test('grows its index shard by shard, and finds every field through growth and shrinking', () => {
    const t = new DenseMap<string>(8);
    for (let i = 0; i < 5000; i++) t.set(`f${i}`, `v${i}`);
    expect(t.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(t.get(`f${i}`)).toBe(`v${i}`);
    for (let i = 0; i < 5000; i += 2) expect(t.delete(`f${i}`)).toBe(true);
    expect(t.size).toBe(2500);
    for (let i = 0; i < 5000; i++) expect(t.get(`f${i}`)).toBe(i % 2 === 0 ? undefined : `v${i}`);
    // Positions stay dense: 0..size-1 hold exactly the fields left.
    const fields = new Set<string>();
    for (let i = 0; i < t.size; i++) fields.add(t.keyAt(i));
    expect(fields.size).toBe(2500);
  });

  test('agrees with a Map through thousands of random sets and deletes, scans and samples included', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Rng(seed);
      const t = new DenseMap<number>(rng.pick([1, 2, 4, 16]));
      const model = new Map<string, number>();
      const keys = rng.int(400) + 5;
      for (let op = 0; op < 3000; op++) {
        const k = `k${rng.int(keys)}`;
        let agrees: boolean;
        if (rng.chance(0.55)) {
          agrees = t.set(k, op) === !model.has(k);
          model.set(k, op);
        } else {
          agrees = t.delete(k) === model.delete(k);
        }
        // Plain checks per operation: an expect each would dominate the run.
        if (!agrees || t.size !== model.size) expect.fail(`seed ${seed}, operation ${op} on ${k}`);
        if (op % 500 === 0) {
          expect(contents(t)).toEqual(model);
          expect(new Set(scanAll(t, rng.int(20) + 1))).toEqual(new Set(model.keys()));
          if (model.size > 0) expect(model.has(t.randomField(seeded(op))!)).toBe(true);
        }
      }
      expect(contents(t)).toEqual(model);
    }
  });

  test("an iteration returns every field present from its start to its end, while others come and go (Redis's SCAN guarantee)", () => {
    const rng = new Rng(7);
    const t = new DenseMap<number>(4);
    for (let i = 0; i < 2000; i++) t.set(`stay${i}`, i);
    let churn = 0;
    const seen = new Set(scanAll(t, 10, () => {
      // Between calls: fields arrive and leave, moving the last field into each hole, and shards split.
      for (let j = 0; j < 30; j++) {
        const k = `churn${rng.int(3000)}`;
        if (rng.chance(0.6)) t.set(k, churn++);
        else t.delete(k);
      }
    }));
    for (let i = 0; i < 2000; i++) expect(seen.has(`stay${i}`)).toBe(true);
  });

  test('a frozen view keeps the entries as they were; writes after it copy chunks, not the view', () => {
    const t = new DenseMap<string>(4);
    for (let i = 0; i < 100; i++) t.set(`f${i}`, 'old');
    const frozen = t.freeze();
    const before = new Map(frozenPairs(frozen));
    for (let i = 0; i < 100; i += 2) t.set(`f${i}`, 'new');
    for (let i = 1; i < 100; i += 4) t.delete(`f${i}`);
    for (let i = 100; i < 300; i++) t.set(`f${i}`, 'added');
    expect(new Map(frozenPairs(frozen))).toEqual(before);
    expect(t.get('f0')).toBe('new');
    expect(t.has('f1')).toBe(false);
    expect(t.size).toBe(100 - 25 + 200);
  });

  test('a clone and its original write independently, whichever writes first', () => {
    const t = new DenseMap<string>(4);
    for (let i = 0; i < 50; i++) t.set(`f${i}`, 'v');
    const c = t.clone();
    c.set('f0', 'clone');
    t.set('f1', 'original');
    c.delete('f2');
    t.set('extra', 'x');
    expect([t.get('f0'), t.get('f1'), t.has('f2'), t.has('extra'), t.size]).toEqual(['v', 'original', true, true, 51]);
    expect([c.get('f0'), c.get('f1'), c.has('f2'), c.has('extra'), c.size]).toEqual(['clone', 'v', false, false, 49]);
    expect(new Set(scanAll(c, 7))).toEqual(new Set(contents(c).keys()));
  });

  test('draws fields uniformly, after deletions moved fields about', () => {
    const t = new DenseMap<number>(4);
    for (let i = 0; i < 300; i++) t.set(`f${i}`, i);
    for (let i = 0; i < 300; i += 3) t.delete(`f${i}`);
    for (let i = 0; i < 300; i += 9) t.set(`f${i}`, i);
    const counts = new Map<string, number>();
    const random = seeded(42);
    const draws = 200 * t.size;
    for (let i = 0; i < draws; i++) {
      const f = t.randomField(random)!;
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    expect(counts.size).toBe(t.size);
    for (const n of counts.values()) {
      // Each field is drawn ~200 times (a standard deviation of about 14).
      expect(n).toBeGreaterThan(130);
      expect(n).toBeLessThan(270);
    }
  });

  test('an empty table draws nothing and scans to nothing', () => {
    const t = new DenseMap<string>();
    expect(t.randomField()).toBeUndefined();
    t.set('a', '1');
    t.delete('a');
    expect(t.randomField()).toBeUndefined();
    expect(scanAll(t, 10)).toEqual([]);
  });
});
