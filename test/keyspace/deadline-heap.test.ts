import { describe, expect, test } from 'vitest';
import { DeadlineHeap } from '../../src/keyspace/deadline-heap.js';
import { Rng } from '../fuzz/rng.js';

describe('DeadlineHeap', () => {
  test('pops deadlines in order, whatever order they were pushed in, ties included', () => {
    const rng = new Rng(3);
    const heap = new DeadlineHeap<number>();
    const pushed: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = rng.int(500);
      heap.push(t, i);
      pushed.push(t);
    }
    const popped: number[] = [];
    while (heap.length !== 0) {
      popped.push(heap.peekTime());
      heap.pop();
    }
    expect(popped).toEqual(pushed.sort((a, b) => a - b));
    expect(heap.peekTime()).toBe(Infinity);
  });

  test('compact keeps what the owner still holds, in heap order', () => {
    const heap = new DeadlineHeap<string>();
    const current = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      heap.push(1000 - i, `k${i % 10}`);
      current.set(`k${i % 10}`, 1000 - i);
    }
    heap.compact((k, t) => current.get(k) === t);
    expect(heap.length).toBe(10);
    const order: string[] = [];
    while (heap.length !== 0) {
      order.push(heap.peekItem());
      heap.pop();
    }
    expect(order).toEqual(['k9', 'k8', 'k7', 'k6', 'k5', 'k4', 'k3', 'k2', 'k1', 'k0']);
  });

  test('a clone pops independently', () => {
    const heap = new DeadlineHeap<string>();
    heap.push(2, 'b');
    heap.push(1, 'a');
    const copy = heap.clone();
    copy.pop();
    expect([heap.peekItem(), copy.peekItem()]).toEqual(['a', 'b']);
  });
});
