import { describe, expect, test } from 'vitest';
import { frozenSlots } from '../../../src/keyspace/compact/dense-table.js';
import { HashSet } from '../../../src/store/set/hash-set.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function contents(h: HashSet): string[] {
  const out: string[] = [];
  h.each((m) => {
    out.push(m);
  });
  return out.sort();
}

describe('HashSet, the hashtable encoding', () => {
  test('adds, finds and deletes members, binary ones and the empty string included', () => {
    const h = new HashSet();
    for (const m of ['a', '', '\x00\xff', 'a'.repeat(1000), 'b']) expect(h.add(m)).toBe(true);
    expect(h.add('a')).toBe(false);
    expect(h.size).toBe(5);
    expect(h.has('')).toBe(true);
    expect(h.has('\x00\xfe')).toBe(false);
    expect(h.delete('a')).toBe(true);
    expect(h.delete('a')).toBe(false);
    expect(contents(h)).toEqual(['', '\x00\xff', 'a'.repeat(1000), 'b'].sort());
    expect(h.bytes).toBe(0 + 2 + 1000 + 1);
  });

  test('stays consistent with a model through random adds and deletes, splitting index shards and shrinking their tables', () => {
    const random = rng(7);
    // Shards of about 16 members, so that thousands of members make hundreds of them.
    const h = new HashSet(16);
    const model = new Set<string>();
    for (let step = 0; step < 60000; step++) {
      // Few distinct members so that deletions hit; the population swings between a few and a few thousand.
      const phase = Math.floor(step / 10000) % 2;
      const m = `m${Math.floor(random() * 5000)}`;
      const had = model.has(m);
      const changed = random() < (phase === 0 ? 0.7 : 0.05) ? h.add(m) === !had : h.delete(m) === had;
      if (h.has(m)) model.add(m);
      else model.delete(m);
      if (!changed || h.size !== model.size) expect.fail(`step ${step}: ${m}, size ${h.size} vs ${model.size}`);
    }
    expect(contents(h)).toEqual([...model].sort());
    for (const m of model) expect(h.has(m)).toBe(true);
    for (let i = 0; i < h.size; i++) expect(model.has(h.at(i))).toBe(true);
  });

  test('removing by position moves the last member into the gap and keeps every member findable', () => {
    const h = new HashSet(4);
    for (let i = 0; i < 3000; i++) h.add(`k${i}`);
    const removed = new Set<string>();
    const random = rng(3);
    while (h.size > 10) removed.add(h.removeAt(Math.floor(random() * h.size)));
    expect(removed.size).toBe(2990);
    for (let i = 0; i < 3000; i++) expect(h.has(`k${i}`)).toBe(!removed.has(`k${i}`));
  });

  test('SSCAN cursors return every member present throughout the iteration, while members come and go', () => {
    const random = rng(11);
    for (let run = 0; run < 30; run++) {
      const h = new HashSet();
      for (let i = 0; i < 2000; i++) h.add(`base${i}`);
      const stayers = new Set<string>();
      for (let i = 0; i < 2000; i++) if (random() < 0.5) stayers.add(`base${i}`);
      const seen = new Set<string>();
      let cursor = 0;
      let extra = 0;
      do {
        const out: string[] = [];
        cursor = h.scan(cursor, 1 + Math.floor(random() * 50), out);
        for (const m of out) seen.add(m);
        // Churn between calls: new members arrive, members that are not stayers leave.
        for (let k = 0; k < 20; k++) {
          if (random() < 0.5) {
            h.add(`extra${extra++}`);
          } else {
            const victim = h.at(Math.floor(random() * h.size));
            if (!stayers.has(victim)) h.delete(victim);
          }
        }
      } while (cursor !== 0);
      for (const m of stayers) expect(seen.has(m), m).toBe(true);
    }
  });

  test('a cursor past the end (the set shrank) starts from the end that remains', () => {
    const h = new HashSet();
    for (let i = 0; i < 10; i++) h.add(`m${i}`);
    const out: string[] = [];
    expect(h.scan(5000, 100, out)).toBe(0);
    expect(out.length).toBe(10);
  });

  test('a clone and a frozen view are independent of later writes on either side', () => {
    const h = new HashSet();
    for (let i = 0; i < 5000; i++) h.add(`m${i}`);
    const frozen = h.frozen();
    const clone = h.clone();
    for (let i = 0; i < 2500; i++) h.delete(`m${i}`);
    for (let i = 0; i < 1000; i++) h.add(`n${i}`);
    clone.add('only-in-clone');
    clone.delete('m4999');
    expect([...frozenSlots(frozen)].sort()).toEqual(Array.from({ length: 5000 }, (_, i) => `m${i}`).sort());
    expect(clone.size).toBe(5000);
    expect(clone.has('m0')).toBe(true);
    expect(clone.has('n0')).toBe(false);
    expect(clone.has('m4999')).toBe(false);
    expect(h.has('only-in-clone')).toBe(false);
    expect(h.has('m4999')).toBe(true);
    expect(h.size).toBe(3500);
    // A second clone of a clone shares again, and still copies before writing.
    const second = clone.clone();
    second.delete('m1');
    expect(clone.has('m1')).toBe(true);
  });
});
