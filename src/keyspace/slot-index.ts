import { CHUNK_BITS, CHUNK_MASK, roomFor } from './compact/dense-index.js';
import { CLUSTER_SLOTS, keyHashSlot } from './key-slot.js';

/** No position: the end of a slot's list, or an empty slot's head. */
const NONE = -1;

/**
 * Redis Cluster's slot → keys map (db.c's slotToKey*) over a key table's
 * positions: per slot a count and a doubly linked list of the positions
 * whose keys hash to it, the links kept per position in chunks outside the
 * heap, as the table keeps its handles. A count is read in O(1), a slot's
 * keys are walked at the cost of those walked, and no key string is held:
 * the table makes one from its record when a key is asked for.
 *
 * The table tells it of every position filled, emptied or moved (a
 * removal moves the last position into the hole), so it follows every
 * path by which a key enters or leaves the table.
 */
export class SlotIndex {
  private readonly heads = new Int32Array(CLUSTER_SLOTS).fill(NONE);
  private readonly counts = new Int32Array(CLUSTER_SLOTS);
  /** Per chunk of positions: the next and previous position in the same slot, and the position's slot. */
  private readonly nexts: Int32Array[] = [];
  private readonly prevs: Int32Array[] = [];
  private readonly slots: Int32Array[] = [];

  /** Keys in `slot`. */
  count(slot: number): number {
    return this.counts[slot];
  }

  /** The first position of `slot`'s list (the key added last), or -1 when the slot has none. */
  first(slot: number): number {
    return this.heads[slot];
  }

  /** The position after `pos` in its slot's list, or -1. */
  next(pos: number): number {
    return this.nexts[pos >>> CHUNK_BITS][pos & CHUNK_MASK];
  }

  /** The slot of the key at `pos`, as recorded when it was added. */
  slotAt(pos: number): number {
    return this.slots[pos >>> CHUNK_BITS][pos & CHUNK_MASK];
  }

  /** A key was put at the new position `pos`: it goes first in its slot's list, as Redis inserts at the head. */
  added(pos: number, key: string): void {
    const slot = keyHashSlot(key);
    const head = this.heads[slot];
    const j = pos & CHUNK_MASK;
    roomFor(this.slots, pos)[j] = slot;
    roomFor(this.nexts, pos)[j] = head;
    roomFor(this.prevs, pos)[j] = NONE;
    if (head !== NONE) this.setPrev(head, pos);
    this.heads[slot] = pos;
    this.counts[slot]++;
  }

  /** The key at `pos` leaves the table. */
  removed(pos: number): void {
    const c = pos >>> CHUNK_BITS;
    const j = pos & CHUNK_MASK;
    const slot = this.slots[c][j];
    const next = this.nexts[c][j];
    const prev = this.prevs[c][j];
    if (prev === NONE) this.heads[slot] = next;
    else this.setNext(prev, next);
    if (next !== NONE) this.setPrev(next, prev);
    this.counts[slot]--;
  }

  /** The key at `from` now sits at `to` (a removal filled its hole with the last position); `to` was removed first. */
  moved(from: number, to: number): void {
    const fc = from >>> CHUNK_BITS;
    const fj = from & CHUNK_MASK;
    const slot = this.slots[fc][fj];
    const next = this.nexts[fc][fj];
    const prev = this.prevs[fc][fj];
    const tc = to >>> CHUNK_BITS;
    const tj = to & CHUNK_MASK;
    this.slots[tc][tj] = slot;
    this.nexts[tc][tj] = next;
    this.prevs[tc][tj] = prev;
    if (prev === NONE) this.heads[slot] = to;
    else this.setNext(prev, to);
    if (next !== NONE) this.setPrev(next, to);
  }

  /** Position `last`, the last, is empty now: a chunk left empty goes, as the table's own do. */
  dropped(last: number): void {
    if ((last & CHUNK_MASK) !== 0) return;
    this.slots.pop();
    this.nexts.pop();
    this.prevs.pop();
  }

  private setNext(pos: number, next: number): void {
    this.nexts[pos >>> CHUNK_BITS][pos & CHUNK_MASK] = next;
  }

  private setPrev(pos: number, prev: number): void {
    this.prevs[pos >>> CHUNK_BITS][pos & CHUNK_MASK] = prev;
  }
}
