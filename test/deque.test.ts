import { describe, expect, test } from 'vitest';
import { Deque } from '../src/queues/deque.js';

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function contents<T>(d: Deque<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < d.length; i++) out.push(d.get(i));
  return out;
}

describe('Deque', () => {
  test('pushes and pops at both ends in order', () => {
    const d = new Deque<number>();
    d.pushBack(2);
    d.pushBack(3);
    d.pushFront(1);
    d.pushFront(0);
    expect(contents(d)).toEqual([0, 1, 2, 3]);
    expect(d.popFront()).toBe(0);
    expect(d.popBack()).toBe(3);
    expect(d.popBack()).toBe(2);
    expect(d.popFront()).toBe(1);
    expect(d.length).toBe(0);
    expect(d.popFront()).toBeUndefined();
    expect(d.popBack()).toBeUndefined();
  });

  test('matches an array model under a long random mix of operations at both ends and inside', () => {
    const next = random(7);
    const d = new Deque<number>();
    const model: number[] = [];
    for (let step = 0; step < 60000; step++) {
      const r = next();
      // Phases that favour growth then shrinking, so the deque crosses chunk edges many times.
      const grow = Math.floor(step / 5000) % 2 === 0;
      if (r < (grow ? 0.3 : 0.15)) {
        d.pushBack(step);
        model.push(step);
      } else if (r < (grow ? 0.6 : 0.3)) {
        d.pushFront(step);
        model.unshift(step);
      } else if (r < 0.5) {
        expect(d.popFront()).toBe(model.shift());
      } else if (r < 0.7) {
        expect(d.popBack()).toBe(model.pop());
      } else if (r < 0.8 && model.length > 0) {
        const i = Math.floor(next() * model.length);
        expect(d.get(i)).toBe(model[i]);
        d.set(i, -step);
        model[i] = -step;
      } else if (r < 0.9) {
        const i = Math.floor(next() * (model.length + 1));
        d.insert(i, step);
        model.splice(i, 0, step);
      } else if (model.length > 0) {
        const i = Math.floor(next() * model.length);
        expect(d.removeAt(i)).toBe(model[i]);
        model.splice(i, 1);
      }
      expect(d.length).toBe(model.length);
    }
    expect(contents(d)).toEqual(model);
  });

  test('a clone is independent of the original', () => {
    const d = new Deque<string>();
    for (let i = 0; i < 1000; i++) d.pushBack(String(i));
    const copy = d.clone();
    d.popFront();
    d.set(0, 'changed');
    expect(copy.length).toBe(1000);
    expect(copy.get(0)).toBe('0');
    expect(copy.get(1)).toBe('1');
  });

  test('1,000,000 elements popped from both ends cost work linear in the pops, with no element moved', () => {
    const n = 1_000_000;
    const d = new Deque<number>();
    for (let i = 0; i < n; i++) d.pushBack(i);
    const allocatedToFill = d.chunkAllocations;
    // Filling moves only the few elements of the first small chunks as they double.
    expect(d.moves).toBeLessThan(512);
    expect(allocatedToFill).toBeLessThanOrEqual(n / 256 + 8);
    const movesBefore = d.moves;
    let front = 0;
    let back = n - 1;
    let wrong = 0;
    for (let k = 0; k < n / 2; k++) {
      if (d.popFront() !== front++) wrong++;
      if (d.popBack() !== back--) wrong++;
    }
    expect(wrong).toBe(0);
    expect(d.length).toBe(0);
    // Popping moved nothing and allocated nothing: each pop is O(1) whatever the length.
    expect(d.moves).toBe(movesBefore);
    expect(d.chunkAllocations).toBe(allocatedToFill);
  });

  test('a queue that keeps running through chunks reuses them instead of allocating', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 1000; i++) d.pushBack(i);
    const allocated = d.chunkAllocations;
    let wrong = 0;
    for (let i = 1000; i < 1_001_000; i++) {
      d.pushBack(i);
      if (d.popFront() !== i - 1000) wrong++;
    }
    expect(wrong).toBe(0);
    // One spare chunk is recycled as the window slides: at most one more is ever needed.
    expect(d.chunkAllocations - allocated).toBeLessThanOrEqual(1);
  });

  test('a short deque uses a small chunk, however it grows', () => {
    const d = new Deque<number>();
    d.pushFront(1);
    d.pushBack(2);
    expect(d.chunkAllocations).toBe(1);
    for (let i = 0; i < 100; i++) {
      d.pushFront(i);
      d.popBack();
    }
    // Recentring in place, not reallocating, while the chunk is at most half full.
    expect(d.chunkAllocations).toBe(1);
    expect(d.length).toBe(2);
  });

  test('inserting or removing near an end moves only the elements on that side', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100_000; i++) d.pushBack(i);
    const before = d.moves;
    d.insert(3, -1);
    d.removeAt(99_998);
    d.insert(99_999, -2);
    expect(d.moves - before).toBeLessThan(10);
    expect(d.get(3)).toBe(-1);
    expect(d.get(99_999)).toBe(-2);
  });
});
