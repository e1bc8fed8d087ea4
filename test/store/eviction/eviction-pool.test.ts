import { expect, test } from 'vitest';
import { EvictionPool, POOL_SIZE } from '../../../src/store/eviction/eviction-pool.js';

/** Pops everything: best (highest score) first. */
function drain(pool: EvictionPool): number[] {
  const out: number[] = [];
  for (let c = pool.pop(); c !== undefined; c = pool.pop()) out.push(c.score);
  return out;
}

test('the pool keeps the best POOL_SIZE candidates offered, whatever the order, and gives the best first', () => {
  let seed = 3;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 50; round++) {
    const pool = new EvictionPool();
    const scores = Array.from({ length: 5 + Math.floor(rand() * 60) }, () => Math.floor(rand() * 1000));
    scores.forEach((s, i) => pool.offer(s, `k${i}`, 0));
    const expected = [...scores].sort((a, b) => b - a).slice(0, POOL_SIZE);
    expect(pool.size).toBe(Math.min(POOL_SIZE, scores.length));
    expect(pool.bestScore()).toBe(expected[0]);
    expect(drain(pool)).toEqual(expected);
  }
});

test('a full pool drops a candidate no better than all it holds, and keeps each key with its own score', () => {
  const pool = new EvictionPool();
  for (let i = 0; i < POOL_SIZE; i++) pool.offer(100 + i, `k${i}`, i % 3);
  pool.offer(50, 'low', 0);
  pool.offer(107.5, 'mid', 2);
  const held: string[] = [];
  for (let c = pool.pop(); c !== undefined; c = pool.pop()) held.push(`${c.key}:${c.score}:${c.db}`);
  expect(held).toHaveLength(POOL_SIZE);
  expect(held).not.toContain('low:50:0');
  expect(held).toContain('mid:107.5:2');
  expect(held).not.toContain('k0:100:0');
  expect(held[0]).toBe(`k${POOL_SIZE - 1}:${100 + POOL_SIZE - 1}:${(POOL_SIZE - 1) % 3}`);
});
