import { describe, expect, test } from 'vitest';
import { Deque, packedRuns } from '../../../src/queues/list/deque.js';
import { settledBlocks } from '../../helpers/packed-runs.js';

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

function contents(d: Deque): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.length; i++) out.push(d.get(i));
  return out;
}

describe('Deque', () => {
  test('pushes and pops at both ends in order', () => {
    const d = new Deque();
    d.pushBack('2');
    d.pushBack('3');
    d.pushFront('1');
    d.pushFront('0');
    expect(contents(d)).toEqual(['0', '1', '2', '3']);
    expect(d.popFront()).toBe('0');
    expect(d.popBack()).toBe('3');
    expect(d.popBack()).toBe('2');
    expect(d.popFront()).toBe('1');
    expect(d.length).toBe(0);
    expect(d.popFront()).toBeUndefined();
    expect(d.popBack()).toBeUndefined();
  });

  test('matches an array model under a long random mix of operations at both ends and inside', () => {
    const next = random(7);
    const d = new Deque();
    const model: string[] = [];
    for (let step = 0; step < 60000; step++) {
      const r = next();
      // Phases that favour growth then shrinking, so the deque crosses chunk edges many times.
      const grow = Math.floor(step / 5000) % 2 === 0;
      if (r < (grow ? 0.3 : 0.15)) {
        d.pushBack(String(step));
        model.push(String(step));
      } else if (r < (grow ? 0.6 : 0.3)) {
        d.pushFront(String(step));
        model.unshift(String(step));
      } else if (r < 0.5) {
        expect(d.popFront()).toBe(model.shift());
      } else if (r < 0.7) {
        expect(d.popBack()).toBe(model.pop());
      } else if (r < 0.8 && model.length > 0) {
        const i = Math.floor(next() * model.length);
        expect(d.get(i)).toBe(model[i]);
        d.set(i, String(-step));
        model[i] = String(-step);
      } else if (r < 0.9) {
        const i = Math.floor(next() * (model.length + 1));
        d.insert(i, String(step));
        model.splice(i, 0, String(step));
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
    const d = new Deque();
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
    const d = new Deque();
    for (let i = 0; i < n; i++) d.pushBack(String(i));
    const allocatedToFill = d.chunkAllocations;
    // Filling moves only the few elements of the first small chunks as they double.
    expect(d.moves).toBeLessThan(512);
    expect(allocatedToFill).toBeLessThanOrEqual(n / 32 + 8);
    const movesBefore = d.moves;
    let front = 0;
    let back = n - 1;
    let wrong = 0;
    for (let k = 0; k < n / 2; k++) {
      if (d.popFront() !== String(front++)) wrong++;
      if (d.popBack() !== String(back--)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(d.length).toBe(0);
    // Popping moved nothing and allocated nothing: each pop is O(1) whatever the length.
    expect(d.moves).toBe(movesBefore);
    expect(d.chunkAllocations).toBe(allocatedToFill);
  });

  test('a queue that keeps running through chunks reuses them instead of allocating', () => {
    const d = new Deque();
    for (let i = 0; i < 1000; i++) d.pushBack(String(i));
    const allocated = d.chunkAllocations;
    let wrong = 0;
    for (let i = 1000; i < 1_001_000; i++) {
      d.pushBack(String(i));
      if (d.popFront() !== String(i - 1000)) wrong++;
    }
    expect(wrong).toBe(0);
    // One spare chunk is recycled as the window slides: at most one more is ever needed.
    expect(d.chunkAllocations - allocated).toBeLessThanOrEqual(1);
  });

  test('a short deque uses a small chunk, however it grows', () => {
    const d = new Deque();
    d.pushFront('1');
    d.pushBack('2');
    expect(d.chunkAllocations).toBe(1);
    for (let i = 0; i < 100; i++) {
      d.pushFront(String(i));
      d.popBack();
    }
    // Recentring in place, not reallocating, while the chunk is at most half full.
    expect(d.chunkAllocations).toBe(1);
    expect(d.length).toBe(2);
  });

  test('inserting or removing near an end moves only the elements on that side', () => {
    const d = new Deque();
    for (let i = 0; i < 100_000; i++) d.pushBack(String(i));
    const before = d.moves;
    d.insert(3, '-1');
    d.removeAt(99_998);
    d.insert(99_999, '-2');
    expect(d.moves - before).toBeLessThan(10);
    expect(d.get(3)).toBe('-1');
    expect(d.get(99_999)).toBe('-2');
  });
});

describe('Deque clones share chunks copy-on-write', () => {
  /** A deque of `n` elements whose first chunk starts part-way (as after pushes at the front), with its array model. */
  function filled(n: number): { d: Deque; model: string[] } {
    const d = new Deque();
    const model: string[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) {
        d.pushFront(String(i));
        model.unshift(String(i));
      } else {
        d.pushBack(String(i));
        model.push(String(i));
      }
    }
    return { d, model };
  }

  /** Each kind of write, applied to a deque and to its model alike. */
  const writes: [string, (d: Deque, m: string[]) => void][] = [
    ['pushFront', (d, m) => { d.pushFront('-1'); m.unshift('-1'); }],
    ['pushBack', (d, m) => { d.pushBack('-2'); m.push('-2'); }],
    ['popFront', (d, m) => { expect(d.popFront()).toBe(m.shift()); }],
    ['popBack', (d, m) => { expect(d.popBack()).toBe(m.pop()); }],
    ['set in the middle', (d, m) => { const i = m.length >> 1; d.set(i, '-3'); m[i] = '-3'; }],
    ['set in the first chunk', (d, m) => { d.set(1, '-4'); m[1] = '-4'; }],
    ['insert in the middle', (d, m) => { const i = m.length >> 1; d.insert(i, '-5'); m.splice(i, 0, '-5'); }],
    ['insert near the back', (d, m) => { const i = m.length - 2; d.insert(i, '-6'); m.splice(i, 0, '-6'); }],
    ['removeAt near the front', (d, m) => { expect(d.removeAt(3)).toBe(m[3]); m.splice(3, 1); }],
    ['removeAt near the back', (d, m) => { const i = m.length - 3; expect(d.removeAt(i)).toBe(m[i]); m.splice(i, 1); }],
    ['dropFront', (d, m) => { const n = Math.min(600, m.length >> 1); d.dropFront(n); m.splice(0, n); }],
    ['dropBack', (d, m) => { const n = Math.min(600, m.length >> 1); d.dropBack(n); m.splice(m.length - n, n); }],
    ['emptied, then refilled at both ends', (d, m) => {
      d.dropFront(d.length);
      m.length = 0;
      for (let i = 0; i < 700; i++) {
        d.pushBack(String(1000 + i));
        d.pushFront(String(-1000 - i));
        m.push(String(1000 + i));
        m.unshift(String(-1000 - i));
      }
    }],
  ];

  // 5000 elements span many chunks; 20 fit in one chunk, which a clone copies instead of sharing.
  for (const size of [5000, 20]) {
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
      const d = new Deque();
      const model = Array.from({ length: 2000 }, (_, i) => String(i));
      for (const x of model) d.pushBack(x);
      const copy = d.clone();
      // Pushed at the back only, the first chunk holds the first 28 elements (slots 4-31).
      const live = model.slice(0, 20);
      d.dropBack(1980);
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
      d.pushBack(String(i));
      d.pushFront(String(-i));
      live.push(String(i));
      live.unshift(String(-i));
    }
    for (let i = 0; i < live.length; i += 97) {
      d.set(i, '-1');
      live[i] = '-1';
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
    const deques: Deque[] = [d];
    const models: string[][] = [model];
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
        dq.pushFront(String(step));
        m.unshift(String(step));
      } else if (r < 0.4) {
        dq.pushBack(String(step));
        m.push(String(step));
      } else if (r < 0.55) {
        expect(dq.popFront()).toBe(m.shift());
      } else if (r < 0.7) {
        expect(dq.popBack()).toBe(m.pop());
      } else if (r < 0.85 && m.length > 0) {
        const i = Math.floor(next() * m.length);
        dq.set(i, String(-step));
        m[i] = String(-step);
      } else if (r < 0.93) {
        const i = Math.floor(next() * (m.length + 1));
        dq.insert(i, String(step));
        m.splice(i, 0, String(step));
      } else if (m.length > 0) {
        const i = Math.floor(next() * m.length);
        expect(dq.removeAt(i)).toBe(m[i]);
        m.splice(i, 1);
      }
    }
    expect(deques.length).toBe(21);
    deques.forEach((dq, k) => expect(contents(dq)).toEqual(models[k]));
  });

  test('a clone moves no element and allocates no chunk; a write then costs at most one chunk copy more than without the clone', () => {
    const n = 1_000_000;
    const build = (): Deque => {
      const d = new Deque();
      for (let i = 0; i < n; i++) d.pushBack(String(i));
      return d;
    };
    /** Everything a deque does beyond O(1) slot writes: chunks allocated or copied, opened, packed, elements moved. */
    const work = (d: Deque): number => d.chunkAllocations + d.unpacks + d.packs + d.moves;
    const d = build();
    const plain = build();
    const before = work(d);
    const copy = d.clone();
    expect(work(copy)).toBe(0);
    expect(work(d)).toBe(before);
    // Writes into three chunks: the first (packed), one in the middle (packed), the last (open, so shared with the clone).
    const writes = (x: Deque): void => {
      x.pushFront('-1');
      x.pushFront('-2');
      x.set(n >> 1, '-3');
      x.set(n >> 1, '-4');
      x.pushBack('-5');
      x.pushBack('-6');
    };
    writes(d);
    writes(plain);
    expect(work(d) - before).toBeLessThanOrEqual(work(plain) - before + 3);
    // Popping writes nothing into a shared chunk, packed or open: no copy, however many go.
    const afterWrites = work(d);
    for (let k = 0; k < 10_000; k++) d.popBack();
    for (let k = 0; k < 10_000; k++) copy.popFront();
    expect(work(d)).toBe(afterWrites);
    expect(work(copy)).toBe(0);
    expect(d.get(0)).toBe('-2');
    expect(d.get(n >> 1)).toBe('-4');
    expect(copy.get(0)).toBe('10000');
    expect(copy.get(copy.length - 1)).toBe(String(n - 1));
    expect(copy.get((n >> 1) - 2 - 10_000)).toBe(String((n >> 1) - 2));
  });

  test('a deque of one chunk is copied by a clone, so neither copies anything when written to', () => {
    const d = new Deque();
    for (let i = 0; i < 20; i++) d.pushBack(String(i));
    const allocated = d.chunkAllocations;
    const copy = d.clone();
    expect(copy.chunkAllocations).toBe(1);
    d.set(0, '-1');
    copy.set(0, '-2');
    expect(d.chunkAllocations).toBe(allocated);
    expect(copy.chunkAllocations).toBe(1);
    expect([d.get(0), copy.get(0), d.get(19), copy.get(19)]).toEqual(['-1', '-2', '19', '19']);
  });

  test('a chunk still shared is not recycled as the spare: the clone keeps reading it', () => {
    const d = new Deque();
    for (let i = 0; i < 2000; i++) d.pushBack(String(i));
    const copy = d.clone();
    // The front chunks are popped through and dropped, then new chunks are needed at the back.
    for (let i = 0; i < 1000; i++) {
      d.popFront();
      d.pushBack(String(2000 + i));
    }
    expect(contents(copy)).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
    expect(contents(d)).toEqual(Array.from({ length: 2000 }, (_, i) => String(1000 + i)));
  });
});

describe('Deque packs the chunks away from its ends', () => {
  /** LREM on an array: the first `limit` elements equal to v from the head (or the tail), all when 0. */
  function removeEqualModel(m: string[], v: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    const keep = new Array<boolean>(m.length).fill(true);
    for (let k = 0; k < m.length; k++) {
      const i = fromTail ? m.length - 1 - k : k;
      if (m[i] !== v || (limit !== 0 && removed === limit)) continue;
      keep[i] = false;
      removed++;
    }
    const rest = m.filter((_, i) => keep[i]);
    m.length = 0;
    m.push(...rest);
    return removed;
  }

  /**
   * An element for step `step`: mostly short, a few values repeated (for
   * removeEqual), some long enough that a chunk holding a few cannot be packed.
   */
  function element(next: () => number, step: number): string {
    const r = next();
    if (r < 0.3) return `dup${Math.floor(next() * 4)}`;
    if (r < 0.33) return `${step}`.padEnd(3000 + Math.floor(next() * 2000), 'x');
    if (r < 0.36) return '';
    // Values that hold others inside them, so that a search of a packed chunk's bytes finds false candidates.
    if (r < 0.42) return `dup${Math.floor(next() * 4)}dup${Math.floor(next() * 4)}`;
    if (r < 0.45) return `up${Math.floor(next() * 2)}`;
    return `e${step}`.padEnd(Math.floor(next() * 40), '.');
  }

  test('matches an array model under thousands of random operations, with clones written on both sides and discarded', () => {
    const blocksBefore = packedRuns.slabs.blocksInUse;
    for (let seed = 1; seed <= 6; seed++) {
      const next = random(seed);
      const deques: Deque[] = [new Deque()];
      const models: string[][] = [[]];
      for (let step = 0; step < 8000; step++) {
        const k = Math.floor(next() * deques.length);
        const d = deques[k];
        const m = models[k];
        // Phases of growth and of shrinking, so that the deques pass chunk edges at both ends many times over.
        const grow = Math.floor(step / 700) % 3 !== 2;
        const r = next();
        if (step % 1500 === 750 && deques.length < 5) {
          deques.push(d.clone());
          models.push(m.slice());
        } else if (step % 2000 === 1999) {
          d.discard();
          m.length = 0;
        } else if (r < (grow ? 0.25 : 0.1)) {
          const v = element(next, step);
          d.pushBack(v);
          m.push(v);
        } else if (r < (grow ? 0.5 : 0.2)) {
          const v = element(next, step);
          d.pushFront(v);
          m.unshift(v);
        } else if (r < 0.6) {
          expect(d.popFront()).toBe(m.shift());
        } else if (r < 0.7) {
          expect(d.popBack()).toBe(m.pop());
        } else if (r < 0.78 && m.length > 0) {
          const i = Math.floor(next() * m.length);
          expect(d.get(i)).toBe(m[i]);
          const v = element(next, step);
          d.set(i, v);
          m[i] = v;
        } else if (r < 0.84) {
          const i = Math.floor(next() * (m.length + 1));
          const v = element(next, step);
          d.insert(i, v);
          m.splice(i, 0, v);
        } else if (r < 0.9 && m.length > 0) {
          const i = Math.floor(next() * m.length);
          expect(d.removeAt(i)).toBe(m[i]);
          m.splice(i, 1);
        } else if (r < 0.93) {
          const v = `dup${Math.floor(next() * 4)}`;
          const limit = Math.floor(next() * 3);
          const fromTail = next() < 0.5;
          expect(d.removeEqual(v, limit, fromTail)).toBe(removeEqualModel(m, v, limit, fromTail));
        } else if (m.length > 0) {
          const i = Math.floor(next() * m.length);
          const j = i + Math.floor(next() * (m.length + 1 - i));
          const v = next() < 0.5 ? m[i] : element(next, step);
          const backwards = next() < 0.5;
          let at = -1;
          for (let k = i; k < j; k++) if (m[k] === v && (at === -1 || backwards)) at = k;
          expect(d.find(v, i, j, backwards)).toBe(at);
        }
        expect(d.length).toBe(m.length);
      }
      deques.forEach((d, k) => expect(contents(d), `seed ${seed}, deque ${k}`).toEqual(models[k]));
      // Every block was held once per deque holding it: with all of them discarded, none is left.
      for (const d of deques) d.discard();
      expect(packedRuns.slabs.blocksInUse, `seed ${seed}`).toBe(blocksBefore);
    }
  });

  test('after a million pushes at either end only the chunks at the ends stay open', () => {
    for (const front of [false, true]) {
      const d = new Deque();
      for (let i = 0; i < 1_000_000; i++) {
        if (front) d.pushFront(`element-${i}`);
        else d.pushBack(`element-${i}`);
      }
      expect(d.openChunks()).toBeLessThanOrEqual(2);
      expect(d.get(0)).toBe(front ? 'element-999999' : 'element-0');
      expect(d.get(500_000)).toBe(front ? 'element-499999' : 'element-500000');
    }
  });

  test('a working set under 64 elements, pushed at the front and removed from anywhere, is never packed', () => {
    const d = new Deque();
    const next = random(7);
    for (let i = 0; i < 20_000; i++) {
      d.pushFront(`job:${i}`);
      if (d.length > 50) d.removeAt(Math.floor(next() * d.length));
    }
    expect(d.packs).toBe(0);
  });

  test('a list of a hundred short elements is packed but for its last chunk', () => {
    const d = new Deque();
    for (let i = 0; i < 100; i++) d.pushBack('sixteen-bytes-..');
    expect(d.openChunks()).toBe(1);
  });

  test('a chunk of elements too big for one run stays open and reads back whole', () => {
    const d = new Deque();
    const big = 'b'.repeat(10_000);
    for (let i = 0; i < 200; i++) d.pushBack(`${i}${big}`);
    expect(d.openChunks()).toBe(d.length > 0 ? Math.ceil((d.length + 9) / 32) : 0);
    expect(d.get(150)).toBe(`150${big}`);
  });

  test('breathing across chunk edges packs and opens a chunk at most once in many operations', () => {
    // Push one, pop two, push two: every chunk edge is crossed back and forth, at both ends.
    for (const front of [false, true]) {
      const d = new Deque();
      for (let i = 0; i < 10_000; i++) d.pushBack(`v${i}`);
      const before = d.packs + d.unpacks;
      const push = (v: string): void => (front ? d.pushFront(v) : d.pushBack(v));
      const pop = (): string | undefined => (front ? d.popFront() : d.popBack());
      for (let round = 0; round < 3000; round++) {
        push('a');
        pop();
        pop();
        push('b');
        push('c');
      }
      // 15,000 operations over about 94 chunk edges.
      expect(d.packs + d.unpacks - before).toBeLessThanOrEqual(15_000 / 32 * 2);
    }
  });

  test('a written element is read back from a chunk packed since, and LSET inside packs the chunk again', () => {
    const d = new Deque();
    for (let i = 0; i < 1000; i++) d.pushBack(`v${i}`);
    const open = d.openChunks();
    d.set(500, 'changed');
    expect(d.get(500)).toBe('changed');
    expect(d.openChunks()).toBe(open);
    // In the back half, so that the elements after move and the front end is not pushed into.
    d.insert(600, 'inserted');
    d.removeAt(700);
    expect(d.openChunks()).toBe(open);
    expect([d.get(500), d.get(599), d.get(600), d.get(601), d.get(700)]).toEqual(['changed', 'v599', 'inserted', 'v600', 'v700']);
  });
});

describe('Deque packed chunks live in blocks outside the heap, given back when let go', () => {
  function pushed(n: number): Deque {
    const d = new Deque();
    for (let i = 0; i < n; i++) d.pushBack(`element-${i}`);
    return d;
  }

  test('popping a deque empty gives back every block its packed chunks took', () => {
    const before = packedRuns.slabs.blocksInUse;
    for (const front of [true, false]) {
      const d = pushed(10_000);
      expect(packedRuns.slabs.blocksInUse - before).toBeGreaterThan(300);
      for (let i = 0; i < 10_000; i++) expect(front ? d.popFront() : d.popBack()).toBe(`element-${front ? i : 9_999 - i}`);
      expect(packedRuns.slabs.blocksInUse).toBe(before);
    }
  });

  test('a discarded deque gives its blocks back at once and is an empty deque that works', () => {
    const before = packedRuns.slabs.blocksInUse;
    const d = pushed(5_000);
    d.discard();
    expect(packedRuns.slabs.blocksInUse).toBe(before);
    expect(d.length).toBe(0);
    expect(d.popFront()).toBeUndefined();
    for (let i = 0; i < 200; i++) d.pushFront(String(i));
    expect(d.get(0)).toBe('199');
    expect(d.get(199)).toBe('0');
  });

  test('a clone keeps reading the chunks it shares after the original is discarded, and gives them back itself', () => {
    const before = packedRuns.slabs.blocksInUse;
    const d = pushed(5_000);
    const taken = packedRuns.slabs.blocksInUse - before;
    const copy = d.clone();
    expect(packedRuns.slabs.blocksInUse - before).toBe(taken);
    d.discard();
    expect(packedRuns.slabs.blocksInUse - before).toBe(taken);
    expect(copy.get(2_500)).toBe('element-2500');
    expect(copy.length).toBe(5_000);
    copy.discard();
    expect(packedRuns.slabs.blocksInUse).toBe(before);
  });

  test('a deque of one packed chunk shares it with its clone', () => {
    const before = packedRuns.slabs.blocksInUse;
    const d = pushed(100);
    while (d.length > 10) d.popBack();
    expect(d.openChunks()).toBe(0);
    const copy = d.clone();
    d.discard();
    expect(Array.from({ length: 10 }, (_, i) => copy.get(i))).toEqual(Array.from({ length: 10 }, (_, i) => `element-${i}`));
    copy.discard();
    expect(packedRuns.slabs.blocksInUse).toBe(before);
  });

  test('a deque dropped without being discarded gives its blocks back once the collector finds it dead', async () => {
    const before = await settledBlocks();
    let d: Deque | null = pushed(5_000);
    let copy: Deque | null = d.clone();
    expect(copy.get(4_999)).toBe('element-4999');
    expect(packedRuns.slabs.blocksInUse).toBeGreaterThan(before);
    d = copy = null;
    expect(await settledBlocks()).toBe(before);
  });
});
