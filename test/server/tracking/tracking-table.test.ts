import { expect, test } from 'vitest';
import { TrackingTable } from '../../../src/server/tracking/tracking-table.js';

test('the table counts keys and client ids, one reader or many, and forgets a key when it is taken', () => {
  const t = new TrackingTable();
  t.remember('a', 1);
  t.remember('a', 1);
  expect([t.size, t.items]).toEqual([1, 1]);
  t.remember('a', 2);
  t.remember('a', 2);
  t.remember('b', 3);
  expect([t.size, t.items]).toEqual([2, 3]);
  expect(t.take('a')).toEqual(new Set([1, 2]));
  expect(t.take('a')).toBeUndefined();
  expect(t.take('b')).toBe(3);
  expect([t.size, t.items]).toEqual([0, 0]);
});

test('the oldest key is the one tracked first and still tracked', () => {
  const t = new TrackingTable();
  for (const k of ['x', 'y', 'z']) t.remember(k, 1);
  t.take('x');
  expect(t.oldest()).toBe('y');
  t.clear();
  expect([t.oldest(), t.size, t.items]).toEqual([undefined, 0, 0]);
});
