import { describe, expect, test } from 'vitest';
import type { StreamId } from '../../../src/queues/stream/id.js';
import { PendingList, type Nack } from '../../../src/queues/stream/pending.js';

const nack = (ms: number, seq = 0): Nack => ({ id: { ms, seq }, deliveryTime: 0, deliveryCount: 1, consumer: null });
const ids = (list: Iterable<Nack>): number[] => [...list].map((n) => Number(n.id.ms));

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the pending entries list', () => {
  test('keeps IDs in order through thousands of random inserts and removals, as a sorted array does', () => {
    const rand = rng(11);
    const list = new PendingList();
    let model: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const ms = Math.floor(rand() * 5_000);
      const present = model.includes(ms);
      if (rand() < 0.55) {
        if (!present) {
          list.insert(nack(ms));
          model.push(ms);
          model.sort((a, b) => a - b);
        }
      } else {
        const taken = list.take({ ms, seq: 0 });
        expect(taken?.id.ms).toBe(present ? ms : undefined);
        model = model.filter((x) => x !== ms);
      }
      if (step % 500 === 0) expect(ids(list)).toEqual(model);
    }
    expect(ids(list)).toEqual(model);
    expect(list.size).toBe(model.length);
    expect(list.first()?.id.ms).toBe(model[0]);
    expect(list.last()?.id.ms).toBe(model[model.length - 1]);
    for (let probe = -1; probe <= 5_001; probe += 7) {
      const id: StreamId = { ms: probe, seq: 0 };
      expect(list.get(id)?.id.ms).toBe(model.includes(probe) ? probe : undefined);
      expect(list.atOrAfter(id)?.id.ms).toBe(model.find((x) => x >= probe));
      expect(list.after(id)?.id.ms).toBe(model.find((x) => x > probe));
    }
    expect(ids(list.head(10))).toEqual(model.slice(0, 10));
  });

  test('a list filled in order and emptied from the front, or from the back, stays whole at every step', () => {
    const list = new PendingList();
    for (let i = 0; i < 1_000; i++) list.push(nack(i));
    for (let i = 0; i < 500; i++) expect(list.take({ ms: i, seq: 0 })?.id.ms).toBe(i);
    for (let i = 999; i >= 600; i--) expect(list.take({ ms: i, seq: 0 })?.id.ms).toBe(i);
    expect(ids(list)).toEqual(Array.from({ length: 100 }, (_, k) => 500 + k));
    for (let i = 500; i < 600; i++) list.take({ ms: i, seq: 0 });
    expect(list.size).toBe(0);
    expect(list.first()).toBeUndefined();
    expect(list.atOrAfter({ ms: 0, seq: 0 })).toBeUndefined();
  });

  test('orders by sequence within a millisecond, bigint parts included', () => {
    const list = new PendingList();
    const big = 2n ** 60n;
    for (const [ms, seq] of [[5, 2], [5, 0], [big, 1], [5, big], [big, 0]] as const) list.insert({ ...nack(0), id: { ms, seq } });
    expect([...list].map((n) => `${n.id.ms}-${n.id.seq}`)).toEqual(['5-0', '5-2', `5-${big}`, `${big}-0`, `${big}-1`]);
    expect(list.after({ ms: 5, seq: big })?.id).toEqual({ ms: big, seq: 0 });
  });
});
