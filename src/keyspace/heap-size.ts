/**
 * What things take on V8's heap (64-bit Node 20: 8-byte pointers, no
 * pointer compression), for MEMORY USAGE. Shapes are V8's; the per-element
 * costs the families add for their own structures were measured with
 * heapUsed + arrayBuffers around building 200,000-element values (see
 * docs/commands.md), so an estimate tracks what the process really holds.
 */

import type { Value } from './value.js';

const align8 = (n: number): number => (n + 7) & ~7;

/** A flat one-byte string: map, hash and length words, then its bytes. */
export function stringSize(length: number): number {
  return align8(16 + length);
}

/** A value's own object: header (map, properties, elements) and a handful of fields. */
export const VALUE_OBJECT = 64;

/**
 * What a dictionary spends per entry beyond its strings: a Map's entry and
 * share of the buckets, or a KeyTable's slots, hash and share of the index
 * (37.4 bytes measured at 1,000,000 keys, 41.9 with access stamps).
 */
export const MAP_ENTRY = 40;

/** A key of the keyspace's dictionary: its entry and the key string. */
export function keyEntrySize(key: string): number {
  return MAP_ENTRY + stringSize(key.length);
}

/**
 * The size of `n` items estimated from the first `samples` of them (all of
 * them when samples >= n), as Redis estimates a collection from a sample
 * of its elements.
 */
export function sampledSize(n: number, samples: number, sizeAt: (i: number) => number): number {
  const k = Math.min(n, samples);
  if (k === 0) return 0;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += sizeAt(i);
  return k === n ? sum : Math.round((sum / k) * n);
}

/** A flat double: map and the eight bytes. */
const HEAP_NUMBER = 16;

/**
 * What a value holds on the heap, by the value's own estimate
 * (TypedValue.memoryUsage). A counter within 32 bits is a small integer
 * kept in its slot, not an object.
 */
export function valueSize(v: Value, samples: number): number {
  if (typeof v === 'string') return stringSize(v.length);
  if (typeof v === 'number') return (v | 0) === v ? 0 : HEAP_NUMBER;
  return v.memoryUsage(samples);
}
