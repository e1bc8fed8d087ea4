import { describe, expect, test } from 'vitest';
import { HashValue, type HashLimits } from '../../../src/store/hash/hash-value.js';
import type { ValueSnapshot } from '../../../src/store/keyspace/value.js';
import { Rng } from '../../fuzz/rng.js';

/**
 * The naive model: a Map (insertion order, updates in place, as a listpack
 * keeps pairs) and the encoding Redis would report, which turns to
 * hashtable once a write could not stay packed and never turns back.
 */
class Model {
  readonly map = new Map<string, string>();
  packed = true;

  constructor(private readonly limits: HashLimits) {}

  /** HSET's conversion check over all its arguments (hashTypeTryConversion), then each pair. */
  setMany(args: string[]): number {
    if (this.packed && (args.length / 2 > this.limits.entries || args.some((s) => s.length > this.limits.value))) {
      this.packed = false;
    }
    let added = 0;
    for (let i = 0; i < args.length; i += 2) if (this.setOne(args[i], args[i + 1])) added++;
    return added;
  }

  /** One pair (hashTypeSet): long strings convert first, one field too many after. */
  setOne(f: string, v: string): boolean {
    if (f.length > this.limits.value || v.length > this.limits.value) this.packed = false;
    const added = !this.map.has(f);
    this.map.set(f, v);
    if (this.map.size > this.limits.entries) this.packed = false;
    return added;
  }
}

function rebuilt(s: ValueSnapshot): { fields: Map<string, string>; sizes: number[] } {
  const fields = new Map<string, string>();
  const sizes: number[] = [];
  for (const it = s.rebuildCommands('k'); ; ) {
    const r = it.next();
    if (r.done) break;
    if (r.value[0] !== 'HSET' || r.value[1] !== 'k') expect.fail(`not an HSET of k: ${r.value.slice(0, 2).join(' ')}`);
    sizes.push((r.value.length - 2) / 2);
    for (let i = 2; i < r.value.length; i += 2) fields.set(r.value[i], r.value[i + 1]);
  }
  return { fields, sizes };
}

function contents(h: HashValue): [string, string][] {
  const out: [string, string][] = [];
  h.forEach((f, v) => out.push([f, v]));
  return out;
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const byField = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The value and the model agree: same pairs (in the same order while packed), same size and encoding. */
function agree(h: HashValue, m: Model, where: string): void {
  const mine = contents(h);
  const theirs = [...m.map];
  if (!m.packed) {
    // A table's order is its shards': compare by field (fields are unique).
    mine.sort(byField);
    theirs.sort(byField);
  }
  let same = mine.length === theirs.length;
  for (let i = 0; same && i < mine.length; i++) same = mine[i][0] === theirs[i][0] && mine[i][1] === theirs[i][1];
  if (!same || h.size !== m.map.size || h.encoding() !== (m.packed ? 'listpack' : 'hashtable')) {
    expect.fail(`${where}: ${h.encoding()} ${JSON.stringify(mine)} / ${m.packed ? 'listpack' : 'hashtable'} ${JSON.stringify(theirs)}`);
  }
}

describe('HashValue against a naive model', () => {
  test('thousands of random operation sequences cross the thresholds, with snapshots and clones along the way', () => {
    const alphabet = ['a', 'b', 'c', 'é', '\x00', 'field', 'x'.repeat(7), 'longer-field-name', ''];
    for (let seed = 1; seed <= 2000; seed++) {
      const rng = new Rng(seed);
      const limits = { entries: rng.int(10), value: rng.int(12) };
      const word = () => rng.pick(alphabet) + (rng.chance(0.5) ? String(rng.int(12)) : '');
      const h = new HashValue();
      const m = new Model(limits);
      const snapshots: { snap: ValueSnapshot; at: Map<string, string> }[] = [];
      let clone: { h: HashValue; m: Map<string, string> } | null = null;
      for (let op = 0; op < 60; op++) {
        const where = `seed ${seed} op ${op} (limits ${limits.entries}/${limits.value})`;
        const kind = rng.int(10);
        if (kind < 3) {
          const args: string[] = [];
          for (let n = rng.int(4) + 1; n > 0; n--) args.push(word(), word());
          if (h.setPairs(args, 0, limits) !== m.setMany(args)) expect.fail(`${where}: added count`);
        } else if (kind < 5) {
          const f = word();
          const v = word();
          if (h.set(f, v, limits) !== m.setOne(f, v)) expect.fail(`${where}: set ${f}`);
        } else if (kind < 7) {
          const f = rng.chance(0.7) && m.map.size > 0 ? rng.pick([...m.map.keys()]) : word();
          if (h.delete(f) !== m.map.delete(f)) expect.fail(`${where}: delete ${f}`);
        } else if (kind === 7) {
          const f = word();
          if (h.get(f) !== m.map.get(f) || h.has(f) !== m.map.has(f)) expect.fail(`${where}: get ${f}`);
        } else if (kind === 8) {
          snapshots.push({ snap: h.snapshot(), at: new Map(m.map) });
        } else {
          clone = { h: h.clone() as HashValue, m: new Map(m.map) };
          clone.h.set('only-in-clone', 'x', limits);
          clone.m.set('only-in-clone', 'x');
        }
        agree(h, m, where);
        if (m.map.size > 0 && !m.map.has(h.randomField())) expect.fail(`${where}: random field`);
      }
      for (const { snap, at } of snapshots) {
        const { fields, sizes } = rebuilt(snap);
        if (!sameMap(fields, at) || !sizes.every((n) => n >= 1 && n <= 64)) expect.fail(`seed ${seed}: a snapshot changed`);
      }
      if (clone !== null && !sameMap(new Map(contents(clone.h)), clone.m)) expect.fail(`seed ${seed}: the clone differs`);
    }
  });
});

describe('HashValue encodings', () => {
  const limits = { entries: 512, value: 64 };

  test('a packed hash keeps insertion order through updates, deletes and re-adds', () => {
    const h = new HashValue();
    expect(h.setPairs(['z', '1', 'a', '2', 'm', '3', 'a', 'A'], 0, limits)).toBe(3);
    h.set('z', 'Z', limits);
    h.delete('a');
    h.set('a', 'again', limits);
    expect(contents(h)).toEqual([['z', 'Z'], ['m', '3'], ['a', 'again']]);
    expect(h.encoding()).toBe('listpack');
  });

  test('a table holds strings of its own, not views into the packed string it came from', () => {
    const h = new HashValue();
    const long = 'f'.repeat(40);
    h.set(long, 'v'.repeat(40), limits);
    h.set('big', 'x'.repeat(65), limits);
    expect(h.encoding()).toBe('hashtable');
    expect(h.get(long)).toBe('v'.repeat(40));
  });

  test('longest() bounds field and value lengths: exactly when packed, as high-water marks for a table', () => {
    const h = new HashValue();
    h.set('abc', '12345', limits);
    h.set('a', '1', limits);
    expect(h.longest()).toEqual({ field: 3, value: 5 });
    h.set('k', 'x'.repeat(100), limits);
    h.delete('k');
    expect(h.longest()).toEqual({ field: 3, value: 100 });
  });

  test('rebuild commands are HSETs of at most 64 pairs, for both encodings', () => {
    for (const n of [1, 64, 65, 200, 600]) {
      const h = new HashValue();
      for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`, limits);
      expect(h.encoding()).toBe(n > 512 ? 'hashtable' : 'listpack');
      const { fields, sizes } = rebuilt(h.snapshot());
      expect(fields.size).toBe(n);
      expect(sizes).toEqual([...Array(Math.floor(n / 64)).fill(64), ...(n % 64 ? [n % 64] : [])]);
    }
  });
});
