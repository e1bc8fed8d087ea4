import { expect, test } from 'vitest';
import { TrackingTable } from '../../../src/server/tracking/tracking-table.js';

/** Remembers `key` for client `id` with the slot the table gives it. */
function claimed(t: TrackingTable, id: number): (key: string) => void {
  const slot = t.claimSlot(id);
  return (key) => t.remember(key, id, slot);
}

test('the table counts keys and client ids, one reader or many, and forgets a key when it is taken', () => {
  const t = new TrackingTable();
  const [one, two, three] = [claimed(t, 1), claimed(t, 2), claimed(t, 3)];
  one('a');
  one('a');
  expect([t.size, t.items]).toEqual([1, 1]);
  two('a');
  two('a');
  three('b');
  expect([t.size, t.items]).toEqual([2, 3]);
  expect([...t.take('a')!].sort()).toEqual([1, 2]);
  expect(t.take('a')).toBeUndefined();
  expect(t.take('b')).toEqual([3]);
  expect([t.size, t.items]).toEqual([0, 0]);
});

test('the oldest key is the one tracked first and still tracked', () => {
  const t = new TrackingTable();
  const one = claimed(t, 1);
  for (const k of ['x', 'y', 'z']) one(k);
  t.take('x');
  expect(t.oldest()).toBe('y');
  t.clear();
  expect([t.oldest(), t.size, t.items]).toEqual([undefined, 0, 0]);
});

test('past 30 tracking clients, readers without a slot are held by id beside those with one', () => {
  const t = new TrackingTable();
  const slots = Array.from({ length: 31 }, (_, i) => t.claimSlot(100 + i));
  expect(new Set(slots.slice(0, 30)).size).toBe(30);
  expect(slots[30]).toBe(-1);
  t.remember('k', 100, slots[0]);
  t.remember('k', 130, -1);
  t.remember('k', 130, -1);
  t.remember('k', 101, slots[1]);
  t.remember('k', 100, slots[0]);
  expect(t.items).toBe(3);
  expect([...t.take('k')!].sort()).toEqual([100, 101, 130]);
  expect(t.items).toBe(0);
});

test('a slot given up stands for its client until no key holds it, then goes to another client', () => {
  const t = new TrackingTable();
  const gone = t.claimSlot(1);
  t.remember('k', 1, gone);
  t.releaseSlot(gone);
  for (let id = 2; id <= 30; id++) expect(t.claimSlot(id)).not.toBe(gone);
  expect(t.claimSlot(31)).toBe(-1);
  expect(t.take('k')).toEqual([1]);
  expect(t.claimSlot(31)).toBe(gone);
});

test('a client that turns tracking on again gets back the slot its keys still hold, so it is told once', () => {
  const t = new TrackingTable();
  const first = t.claimSlot(7);
  t.remember('k', 7, first);
  t.releaseSlot(first);
  t.claimSlot(8);
  const again = t.claimSlot(7);
  expect(again).toBe(first);
  t.remember('k', 7, again);
  expect(t.take('k')).toEqual([7]);
});

test('FLUSHALL frees every slot no client holds', () => {
  const t = new TrackingTable();
  const s = t.claimSlot(1);
  t.remember('k', 1, s);
  t.releaseSlot(s);
  for (let id = 2; id <= 30; id++) t.claimSlot(id);
  expect(t.claimSlot(99)).toBe(-1);
  t.clear();
  expect(t.claimSlot(99)).toBe(s);
});
