import { describe, expect, test } from 'vitest';
import { Deque } from '../../src/queues/deque.js';

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

describe('Deque clones share chunks copy-on-write', () => {
  /** A deque of `n` elements whose first chunk starts part-way (as after pushes at the front), with its array model. */
  function filled(n: number): { d: Deque<number>; model: number[] } {
    const d = new Deque<number>();
    const model: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) {
        d.pushFront(i);
        model.unshift(i);
      } else {
        d.pushBack(i);
        model.push(i);
      }
    }
    return { d, model };
  }

  /** Each kind of write, applied to a deque and to its model alike. */
  const writes: [string, (d: Deque<number>, m: number[]) => void][] = [
    ['pushFront', (d, m) => { d.pushFront(-1); m.unshift(-1); }],
    ['pushBack', (d, m) => { d.pushBack(-2); m.push(-2); }],
    ['popFront', (d, m) => { expect(d.popFront()).toBe(m.shift()); }],
    ['popBack', (d, m) => { expect(d.popBack()).toBe(m.pop()); }],
    ['set in the middle', (d, m) => { const i = m.length >> 1; d.set(i, -3); m[i] = -3; }],
    ['set in the first chunk', (d, m) => { d.set(1, -4); m[1] = -4; }],
    ['insert in the middle', (d, m) => { const i = m.length >> 1; d.insert(i, -5); m.splice(i, 0, -5); }],
    ['insert near the back', (d, m) => { const i = m.length - 2; d.insert(i, -6); m.splice(i, 0, -6); }],
    ['removeAt near the front', (d, m) => { expect(d.removeAt(3)).toBe(m[3]); m.splice(3, 1); }],
    ['removeAt near the back', (d, m) => { const i = m.length - 3; expect(d.removeAt(i)).toBe(m[i]); m.splice(i, 1); }],
    ['dropFront', (d, m) => { const n = Math.min(600, m.length >> 1); d.dropFront(n); m.splice(0, n); }],
    ['dropBack', (d, m) => { const n = Math.min(600, m.length >> 1); d.dropBack(n); m.splice(m.length - n, n); }],
    ['emptied, then refilled at both ends', (d, m) => {
      d.dropFront(d.length);
      m.length = 0;
      for (let i = 0; i < 700; i++) {
        d.pushBack(1000 + i);
        d.pushFront(-1000 - i);
        m.push(1000 + i);
        m.unshift(-1000 - i);
      }
    }],
  ];

  // 5000 elements span many chunks; 200 fit in one chunk, which a clone copies instead of sharing.
  for (const size of [5000, 200]) {
    for (const [name, write] of writes) {
      test(`${name} on either side leaves the other as it was (${size} elements)`, () => {
        const { d, model } = filled(size);
        const copy = d.clone();
        const live = model.slice();
        write(d, live);
        expect(contents(d)).toEqual(live);
        expect(contents(copy)).toEqual(model);
        // And the other way round: the clone written to, the original read after.
        const { d: d2, model: model2 } = filled(size);
        const copy2 = d2.clone();
        const copied = model2.slice();
        write(copy2, copied);
        expect(contents(copy2)).toEqual(copied);
        expect(contents(d2)).toEqual(model2);
      });
    }
  }

  test('a deque popped down to the one chunk it still shares copies that chunk before writing into it', () => {
    for (const [name, write] of writes) {
      const d = new Deque<number>();
      const model = Array.from({ length: 2000 }, (_, i) => i);
      for (const x of model) d.pushBack(x);
      const copy = d.clone();
      // Pushed at the back only, the first chunk holds the first 224 elements (slots 32-255).
      const live = model.slice(0, 100);
      d.dropBack(1900);
      write(d, live);
      expect(contents(d), name).toEqual(live);
      expect(contents(copy), name).toEqual(model);
    }
  });

  test('a deque that grows its ring of chunks after a clone still knows which chunks are shared', () => {
    const { d, model } = filled(5000);
    const copy = d.clone();
    const live = model.slice();
    // Enough chunks at both ends to double the ring more than once.
    for (let i = 0; i < 20_000; i++) {
      d.pushBack(i);
      d.pushFront(-i);
      live.push(i);
      live.unshift(-i);
    }
    for (let i = 0; i < live.length; i += 97) {
      d.set(i, -1);
      live[i] = -1;
    }
    expect(contents(copy)).toEqual(model);
    expect(contents(d)).toEqual(live);
  });

  test('reading a clone while the original is written to changes neither', () => {
    const { d, model } = filled(3000);
    const copy = d.clone();
    const live = model.slice();
    for (let k = 0; k < 3000; k++) {
      const [, write] = writes[k % 10];
      write(d, live);
      // Read the clone everywhere, interleaved with the writes.
      expect(copy.get((k * 7) % copy.length)).toBe(model[(k * 7) % model.length]);
    }
    expect(contents(copy)).toEqual(model);
    expect(contents(d)).toEqual(live);
  });

  test('several generations of clones, of the original and of clones, each keep their own contents under random writes', () => {
    const next = random(11);
    const { d, model } = filled(4000);
    const deques: Deque<number>[] = [d];
    const models: number[][] = [model];
    for (let step = 0; step < 20000; step++) {
      const k = Math.floor(next() * deques.length);
      if (step % 1000 === 0) {
        // A clone of one of them (a snapshot of a snapshot, or of a value cloned before).
        deques.push(deques[k].clone());
        models.push(models[k].slice());
        continue;
      }
      const r = next();
      const dq = deques[k];
      const m = models[k];
      if (r < 0.2) {
        dq.pushFront(step);
        m.unshift(step);
      } else if (r < 0.4) {
        dq.pushBack(step);
        m.push(step);
      } else if (r < 0.55) {
        expect(dq.popFront()).toBe(m.shift());
      } else if (r < 0.7) {
        expect(dq.popBack()).toBe(m.pop());
      } else if (r < 0.85 && m.length > 0) {
        const i = Math.floor(next() * m.length);
        dq.set(i, -step);
        m[i] = -step;
      } else if (r < 0.93) {
        const i = Math.floor(next() * (m.length + 1));
        dq.insert(i, step);
        m.splice(i, 0, step);
      } else if (m.length > 0) {
        const i = Math.floor(next() * m.length);
        expect(dq.removeAt(i)).toBe(m[i]);
        m.splice(i, 1);
      }
    }
    expect(deques.length).toBe(21);
    deques.forEach((dq, k) => expect(contents(dq)).toEqual(models[k]));
  });

  test('a clone moves no element and allocates no chunk; a write copies only the chunk it writes into, once', () => {
    const n = 1_000_000;
    const d = new Deque<number>();
    for (let i = 0; i < n; i++) d.pushBack(i);
    const allocated = d.chunkAllocations;
    const moves = d.moves;
    const copy = d.clone();
    expect(copy.chunkAllocations).toBe(0);
    expect(copy.moves).toBe(0);
    expect(d.chunkAllocations).toBe(allocated);
    d.pushFront(-1);
    d.pushFront(-2);
    expect(d.chunkAllocations).toBe(allocated + 1);
    d.set(n >> 1, -3);
    d.set(n >> 1, -4);
    expect(d.chunkAllocations).toBe(allocated + 2);
    // Popping writes nothing into a shared chunk: no copy, however many go.
    for (let k = 0; k < 10_000; k++) d.popBack();
    for (let k = 0; k < 10_000; k++) copy.popFront();
    expect(d.chunkAllocations).toBe(allocated + 2);
    expect(copy.chunkAllocations).toBe(0);
    expect(d.moves).toBe(moves);
    expect(d.get(0)).toBe(-2);
    expect(d.get(n >> 1)).toBe(-4);
    expect(copy.get(0)).toBe(10_000);
    expect(copy.get(copy.length - 1)).toBe(n - 1);
  });

  test('a deque of one chunk is copied by a clone, so neither copies anything when written to', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 200; i++) d.pushBack(i);
    const allocated = d.chunkAllocations;
    const copy = d.clone();
    expect(copy.chunkAllocations).toBe(1);
    d.set(0, -1);
    copy.set(0, -2);
    expect(d.chunkAllocations).toBe(allocated);
    expect(copy.chunkAllocations).toBe(1);
    expect([d.get(0), copy.get(0), d.get(199), copy.get(199)]).toEqual([-1, -2, 199, 199]);
  });

  test('a chunk still shared is not recycled as the spare: the clone keeps reading it', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 2000; i++) d.pushBack(i);
    const copy = d.clone();
    // The front chunks are popped through and dropped, then new chunks are needed at the back.
    for (let i = 0; i < 1000; i++) {
      d.popFront();
      d.pushBack(2000 + i);
    }
    expect(contents(copy)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(contents(d)).toEqual(Array.from({ length: 2000 }, (_, i) => 1000 + i));
  });
});
