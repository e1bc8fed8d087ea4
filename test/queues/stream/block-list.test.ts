import { describe, expect, test } from 'vitest';
import { Block } from '../../../src/queues/stream/block.js';
import { BlockList } from '../../../src/queues/stream/block-list.js';
import { StreamValue } from '../../../src/queues/stream/stream-value.js';

const block = (ms: number) => new Block(ms, 0, ['f'], 1);
const masters = (l: BlockList) => Array.from(l, (b) => b.ms as number);

describe('BlockList', () => {
  test('indexes from the first live block through drops from the front, before and after the array is copied without them', () => {
    const l = new BlockList();
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 1 + (round % 7); i++) {
        l.push(block(next));
        model.push(next++);
      }
      const n = round % 5 === 0 ? 0 : Math.min(model.length, round % 4);
      l.dropFront(n);
      model.splice(0, n);
      expect(l.length).toBe(model.length);
      expect(masters(l)).toEqual(model);
      for (let i = 0; i < model.length; i++) expect(l.at(i).ms).toBe(model[i]);
    }
  });

  test('set, removeAt and copy work on live indexes; a copy is independent of later changes', () => {
    const l = new BlockList([block(0), block(1), block(2), block(3), block(4)]);
    l.dropFront(1);
    l.set(0, block(10));
    l.removeAt(1);
    expect(masters(l)).toEqual([10, 3, 4]);
    const c = l.copy();
    l.dropFront(2);
    l.push(block(5));
    expect(masters(c)).toEqual([10, 3, 4]);
    expect(masters(l)).toEqual([4, 5]);
  });
});

describe('trimming a stream of many blocks', () => {
  test('MAXLEN ~ keeps dropping whole blocks from the front of 30,000 blocks, with every entry left readable in order', () => {
    const s = new StreamValue();
    const limits = { maxBytes: 4096, maxEntries: 2 };
    let ms = 1;
    for (; ms <= 60_000; ms++) s.append({ ms, seq: 0 }, ['f', String(ms)], limits);
    expect(s.radixTreeKeys).toBe(30_000);
    for (; ms <= 100_000; ms++) {
      s.append({ ms, seq: 0 }, ['f', String(ms)], limits);
      s.trim('maxlen', 50_000, { ms: 0, seq: 0 }, true, 0);
    }
    expect(s.length).toBe(50_000);
    expect(s.radixTreeKeys).toBe(25_000);
    expect(s.firstId).toEqual({ ms: 50_001, seq: 0 });
    let expected = 50_001;
    for (const e of s.range()) {
      expect(e.id.ms).toBe(expected);
      expect(e.reader.pairs()).toEqual(['f', String(expected)]);
      expected++;
    }
    expect(expected).toBe(100_001);
  });
});
