import { encodeEntry, entryAt, nextEntry, type Packed } from '../../keyspace/compact/packed.js';

/**
 * A packed hash as tuples: field, value (Redis's listpack), or field,
 * value, deadline (listpackex), the deadline in ms as decimal text, empty
 * when the field has none. As in Redis's listpackex, fields with a
 * deadline come first, earliest first (a new one goes before any equal
 * one), then the others in the order they were added.
 */

/** Where the tuple at `pos` ends. */
export function tupleEnd(p: Packed, pos: number, stride: number): number {
  for (let i = 0; i < stride; i++) pos = nextEntry(p, pos);
  return pos;
}

/** The value of the tuple at `pos`. */
export function valueAt(p: Packed, pos: number): string {
  return entryAt(p, nextEntry(p, pos));
}

/** The deadline of the tuple at `pos` of a stride-3 packing, -1 when it has none. */
export function deadlineAt(p: Packed, pos: number): number {
  const text = entryAt(p, nextEntry(p, nextEntry(p, pos)));
  return text === '' ? -1 : Number(text);
}

/** A tuple encoded for a stride-3 packing. */
export function encodeTuple(field: string, value: string, deadline: number): string {
  return encodeEntry(field) + encodeEntry(value) + encodeEntry(deadline === -1 ? '' : String(deadline));
}

/**
 * `p` (stride 3) with `tuple`, whose deadline is `deadline`, in its place:
 * at the end when it has none, else before the first tuple without a
 * deadline or with one at or after it.
 */
export function insertTuple(p: Packed, tuple: string, deadline: number): Packed {
  if (deadline === -1) return p + tuple;
  for (let pos = 0; pos < p.length; pos = tupleEnd(p, pos, 3)) {
    const d = deadlineAt(p, pos);
    if (d === -1 || d >= deadline) return p.slice(0, pos) + tuple + p.slice(pos);
  }
  return p + tuple;
}

/** Every tuple's field, value and (stride 3) deadline, in order. */
export function forEachTuple(p: Packed, stride: number, fn: (field: string, value: string, deadline: number, pos: number) => void): void {
  for (let pos = 0; pos < p.length; ) {
    const v = nextEntry(p, pos);
    const next = tupleEnd(p, pos, stride);
    fn(entryAt(p, pos), entryAt(p, v), stride === 3 ? deadlineAt(p, pos) : -1, pos);
    pos = next;
  }
}
