import { describe, expect, test } from 'vitest';
import { OrderTree } from '../../../src/store/zset/order-tree.js';

type Entry = [member: string, score: number];

const before = (a: Entry, b: Entry) => a[1] < b[1] || (a[1] === b[1] && a[0] < b[0]);

/** A deterministic generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entries(tree: OrderTree): Entry[] {
  const out: Entry[] = [];
  tree.forRange(0, tree.size, false, (m, s) => out.push([m, s]));
  return out;
}

function insertSorted(model: Entry[], e: Entry): void {
  let i = 0;
  while (i < model.length && before(model[i], e)) i++;
  model.splice(i, 0, e);
}

describe('OrderTree', () => {
  test('keeps entries by score then member bytes through random inserts and deletes, at every size', () => {
    for (const seed of [1, 2, 3]) {
      const rand = rng(seed);
      const tree = new OrderTree();
      const model: Entry[] = [];
      const present = new Map<string, number>();
      for (let step = 0; step < 6000; step++) {
        const grow = step < 3000 ? 0.8 : 0.25;
        if (rand() < grow || model.length === 0) {
          const member = `m${Math.floor(rand() * 5000)}`;
          if (present.has(member)) continue;
          const score = Math.floor(rand() * 50) / 2;
          tree.insert(score, member);
          insertSorted(model, [member, score]);
          present.set(member, score);
        } else {
          const [member, score] = model[Math.floor(rand() * model.length)];
          tree.delete(score, member);
          model.splice(model.findIndex((e) => e[0] === member), 1);
          present.delete(member);
        }
        if (step % 250 === 0) expect(entries(tree)).toEqual(model);
      }
      expect(entries(tree)).toEqual(model);
      expect(tree.size).toBe(model.length);
      model.forEach(([m, s], i) => {
        expect(tree.rank(s, m)).toBe(i);
        expect(tree.memberAt(i)).toBe(m);
        expect(tree.scoreAt(i)).toBe(s);
      });
      while (model.length > 0) {
        const [m, s] = model.splice(Math.floor(rand() * model.length), 1)[0];
        tree.delete(s, m);
      }
      expect(tree.size).toBe(0);
      expect(entries(tree)).toEqual([]);
    }
  });

  test('members of one score order by their bytes, whether a leaf keeps them as bytes or, long or not all bytes, as strings', () => {
    const random = rng(11);
    const tree = new OrderTree();
    const model: Entry[] = [];
    const member = (): string => {
      const r = random();
      const len = r < 0.05 ? 513 + Math.floor(random() * 20) : Math.floor(random() * 6);
      const chars = Array.from({ length: len }, () => (random() < 0.5 ? 97 + Math.floor(random() * 3) : Math.floor(random() * 256)));
      if (r > 0.97) chars.push(0x2603);
      return String.fromCharCode(...chars);
    };
    const present = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const m = member();
      if (present.has(m)) {
        if (random() < 0.5) continue;
        const at = model.findIndex((e) => e[0] === m);
        tree.delete(model[at][1], m);
        model.splice(at, 1);
        present.delete(m);
        continue;
      }
      const e: Entry = [m, Math.floor(random() * 3)];
      tree.insert(e[1], m);
      insertSorted(model, e);
      present.add(m);
    }
    expect(entries(tree)).toEqual(model);
    for (let r = 0; r < model.length; r += 37) expect(tree.rank(model[r][1], model[r][0])).toBe(r);
  });

  test('a member deleted and inserted again at a new score moves there, as an update does', () => {
    const tree = new OrderTree();
    for (let i = 0; i < 1000; i++) tree.insert(i, `m${i}`);
    tree.delete(500, 'm500');
    tree.insert(2000, 'm500');
    expect(tree.size).toBe(1000);
    expect(entries(tree).at(-1)).toEqual(['m500', 2000]);
    expect(entries(tree).some(([m, s]) => m === 'm500' && s === 500)).toBe(false);
  });

  test('ascending and descending inserts fill leaves whole and stay ordered', () => {
    const up = new OrderTree();
    const down = new OrderTree();
    for (let i = 0; i < 20000; i++) {
      up.insert(i, 'x');
      down.insert(-i - 1, 'x');
    }
    expect(entries(up).map((e) => e[1])).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    expect(entries(down).map((e) => e[1])).toEqual(Array.from({ length: 20000 }, (_, i) => i - 20000));
    expect(up.rank(12345, 'x')).toBe(12345);
    expect(down.rank(-12345, 'x')).toBe(20000 - 12345);
  });

  test('countWhile counts the prefix a bound describes; forRange walks any slice both ways', () => {
    const tree = OrderTree.fromSorted(Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`), Array.from({ length: 1000 }, (_, i) => Math.floor(i / 10)));
    expect(tree.countWhile((s) => s < 50)).toBe(500);
    expect(tree.countWhile((s) => s <= 50)).toBe(510);
    expect(tree.countWhile((s, m) => s < 50 || (s === 50 && m < 'm0505'))).toBe(505);
    expect(tree.countWhile(() => false)).toBe(0);
    expect(tree.countWhile(() => true)).toBe(1000);
    const slice: string[] = [];
    tree.forRange(997, 5, true, (m) => slice.push(m));
    expect(slice).toEqual(['m0997', 'm0996', 'm0995', 'm0994', 'm0993']);
    slice.length = 0;
    tree.forRange(62, 4, false, (m) => slice.push(m));
    expect(slice).toEqual(['m0062', 'm0063', 'm0064', 'm0065']);
  });

  test('a frozen tree and a clone keep what they saw while the original changes, and the clone changes alone', () => {
    const rand = rng(9);
    const tree = new OrderTree();
    const all: Entry[] = [];
    for (let i = 0; i < 3000; i++) {
      const e: Entry = [`k${i}`, Math.floor(rand() * 100)];
      tree.insert(e[1], e[0]);
      insertSorted(all, e);
    }
    const frozen = tree.freeze();
    const copy = tree.clone();
    for (let i = 0; i < 1500; i++) tree.delete(all[i * 2][1], all[i * 2][0]);
    for (let i = 0; i < 500; i++) copy.insert(1000 + i, `new${i}`);
    const seen: Entry[] = [];
    for (const leaf of frozen.leaves()) for (let i = 0; i < leaf.n; i++) seen.push([leaf.memberAt(i), leaf.scores[i]]);
    expect(seen).toEqual(all);
    expect(frozen.size).toBe(3000);
    expect(entries(tree)).toEqual(all.filter((_, i) => i % 2 === 1));
    expect(entries(copy)).toEqual([...all, ...Array.from({ length: 500 }, (_, i): Entry => [`new${i}`, 1000 + i])]);
  });
});
