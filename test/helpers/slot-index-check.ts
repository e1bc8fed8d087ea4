import { expect } from 'vitest';
import { CLUSTER_SLOTS, keyHashSlot } from '../../src/keyspace/key-slot.js';
import type { Keyspace } from '../../src/keyspace/keyspace.js';

/**
 * The slot index of database 0 answers what recomputing it from the keys
 * present gives: every slot's count, and its keys (a slot's list walked
 * whole, each key once).
 */
export function expectSlotIndexExact(ks: Keyspace): void {
  const expected = new Map<number, Set<string>>();
  for (const key of ks.db(0).dict.keys()) {
    const slot = keyHashSlot(key);
    let keys = expected.get(slot);
    if (keys === undefined) expected.set(slot, (keys = new Set()));
    keys.add(key);
  }
  const counts: number[] = [];
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) counts.push(ks.countKeysInSlot(slot));
  expect(counts).toEqual(Array.from({ length: CLUSTER_SLOTS }, (_, slot) => expected.get(slot)?.size ?? 0));
  for (const [slot, keys] of expected) {
    const listed = ks.getKeysInSlot(slot, Number.MAX_SAFE_INTEGER);
    expect(listed.length).toBe(keys.size);
    expect(new Set(listed)).toEqual(keys);
  }
}
